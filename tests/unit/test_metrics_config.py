"""The [metrics] config section: panel sets and the default range, validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.config import Config, ConfigError, describe, load_config
from console.panels import DEPLOYMENT_PANELS, OVERVIEW_PANELS

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_shows_the_built_in_panel_sets_exactly() -> None:
    metrics = load_config(EXAMPLE).metrics
    assert metrics.panels == OVERVIEW_PANELS
    assert metrics.deployment_panels == DEPLOYMENT_PANELS
    assert metrics.default_range == "1h"


def test_a_panel_set_from_the_file_replaces_the_built_in_one(tmp_path: Path) -> None:
    path = write(tmp_path, """
[metrics]
default_range = "2h"
[[metrics.panels]]
title = "Queue depth"
query = 'sum(vllm:num_requests_waiting)'
thresholds = [10, 50]
""")
    metrics = load_config(path).metrics
    assert [p.title for p in metrics.panels] == ["Queue depth"]
    assert metrics.panels[0].thresholds == (10.0, 50.0) and metrics.panels[0].unit == ""
    assert metrics.deployment_panels == DEPLOYMENT_PANELS
    assert metrics.default_range == "2h"


def test_an_unknown_unit_names_the_panel_and_the_allowed_units(tmp_path: Path) -> None:
    path = write(tmp_path, '[[metrics.panels]]\ntitle = "x"\nquery = "up"\nunit = "rps"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.key == "metrics.panels.0.unit"
    assert "'req/s'" in err.value.message and "'rps'" in err.value.message


def test_a_panel_without_a_query_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, '[[metrics.deployment_panels]]\ntitle = "x"\n'))
    assert err.value.key == "metrics.deployment_panels.0.query"


def test_a_bad_default_range_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, '[metrics]\ndefault_range = "2 hours"\n'))
    assert err.value.key == "metrics.default_range"
    assert "cannot read" in err.value.message


def test_the_resolved_config_lists_the_metrics_section() -> None:
    text = describe(Config())
    assert "[metrics]" in text and 'default_range = "1h"' in text
