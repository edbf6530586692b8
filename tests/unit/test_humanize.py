"""Ages and image names as the tables print them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.humanize import age, human_duration, short_image, short_images


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "0s"),
        (45, "45s"),
        (119, "119s"),
        (150, "2m30s"),
        (300, "5m"),
        (3 * 3600 - 1, "179m"),
        (3 * 3600 + 20 * 60, "3h20m"),
        (20 * 3600, "20h"),
        (4 * 86400 + 6 * 3600, "4d6h"),
        (30 * 86400, "30d"),
        (3 * 365 * 86400 + 20 * 86400, "3y20d"),
        (9 * 365 * 86400, "9y"),
    ],
)
def test_durations_read_like_kubectl(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


def test_age_is_measured_against_the_given_now_and_unknown_without_a_creation_time() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert age(now - timedelta(minutes=7, seconds=5), now) == "7m5s"
    assert age(None, now) == "<unknown>"


@pytest.mark.parametrize(
    ("reference", "short"),
    [
        ("ghcr.io/acme/vllm-openai:v0.6.3", "vllm-openai:v0.6.3"),
        ("busybox", "busybox"),
        ("localhost:5000/tools/busybox@sha256:4be4a1b2c3d4e5f6", "busybox@4be4a1b"),
    ],
)
def test_images_lose_their_registry_and_path(reference: str, short: str) -> None:
    assert short_image(reference) == short


def test_several_images_show_the_first_and_how_many_more() -> None:
    assert short_images(("a/b:1", "c/d:2", "e:3")) == "b:1 +2"
    assert short_images(()) == ""
