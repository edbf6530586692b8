"""Parsing the Docker Engine's streams: build lines, push lines, stats, log frames.

The inputs are recorded from a real dockerd 20.10 (legacy builder)."""

from __future__ import annotations

import struct

from adapters.docker_events import BuildStreamParser, PushStreamParser, stats_from_sample
from adapters.docker_streams import LogDemuxer
from console.models import BuildEvent, PushEvent

RUN_FAILED = "The command '/bin/sh -c echo building && exit 1' returned a non-zero code: 1"
FAILED_BUILD = [
    {"stream": "Step 1/3 : FROM bb:1"},
    {"stream": "\n"},
    {"stream": " ---> 8a9abd4caa10\n"},
    {"stream": "Step 2/3 : ENV A=1"},
    {"stream": "\n"},
    {"stream": " ---> Running in 366444d45754\n"},
    {"stream": "Removing intermediate container 366444d45754\n"},
    {"stream": " ---> 1eb76dae40a0\n"},
    {"stream": "Step 3/3 : RUN echo building && exit 1"},
    {"stream": "\n"},
    {"stream": " ---> Running in b9f1939381ac\n"},
    {"stream": "building\n"},
    {"errorDetail": {"code": 1, "message": RUN_FAILED}, "error": RUN_FAILED},
]
BUILT = "sha256:983bc125aeda595dd41e17f7e7114e13015b0e470e015e57babbed59dc626f71"
SUCCESSFUL_TAIL = [
    {"stream": " ---> 983bc125aeda\n"},
    {"aux": {"ID": BUILT}},
    {"stream": "Successfully built 983bc125aeda\n"},
    {"stream": "Successfully tagged ok:1\n"},
]


def parse_build(messages: list[dict[str, object]]) -> list[BuildEvent]:
    parser = BuildStreamParser()
    events = [event for message in messages for event in parser.feed(message)]
    last = parser.finish()
    return events + ([last] if last else [])


def test_step_headers_become_step_events_and_their_bare_newlines_vanish() -> None:
    events = parse_build(FAILED_BUILD)
    steps = [(e.step, e.total_steps, e.instruction) for e in events if e.step]
    assert steps == [(1, 3, "FROM bb:1"), (2, 3, "ENV A=1"), (3, 3, "RUN echo building && exit 1")]
    assert "" not in [e.output for e in events if not e.step and not e.done]


def test_an_error_detail_is_the_last_event_and_carries_the_daemon_s_message() -> None:
    events = parse_build(FAILED_BUILD)
    assert events[-2].output == "building"
    assert events[-1] == BuildEvent(error=RUN_FAILED, done=True)


def test_a_successful_build_ends_with_the_full_image_id_from_aux() -> None:
    events = parse_build(SUCCESSFUL_TAIL)
    assert events[-1] == BuildEvent(image_id=BUILT, done=True)
    assert "Successfully tagged ok:1" in [e.output for e in events]


def test_without_aux_the_short_id_of_successfully_built_is_the_image_id() -> None:
    events = parse_build([{"stream": "Successfully built 983bc125aeda\n"}])
    assert events[-1] == BuildEvent(image_id="983bc125aeda", done=True)


def test_a_stream_that_ends_without_an_image_is_reported_as_an_error() -> None:
    events = parse_build(FAILED_BUILD[:3])
    assert events[-1].done and "without an image ID" in events[-1].error


def test_pull_progress_inside_a_build_is_shown_as_output() -> None:
    events = parse_build(
        [{"status": "Downloading", "id": "4abcf2066143", "progress": "[=>  ] 1MB/3MB"}]
    )
    assert events[0].output == "4abcf2066143: Downloading [=>  ] 1MB/3MB"


def test_push_lines_become_per_layer_events_and_the_digest_ends_the_push() -> None:
    parser = PushStreamParser()
    messages = [
        {"status": "The push refers to repository [registry.sandbox.local/a]"},
        {"status": "Preparing", "progressDetail": {}, "id": "5f70bf18a086"},
        {
            "status": "Pushing",
            "progressDetail": {"current": 512, "total": 2048},
            "id": "5f70bf18a086",
        },
        {"status": "Pushed", "progressDetail": {}, "id": "5f70bf18a086"},
        {"status": "v1: digest: sha256:abc size: 528"},
        {"progressDetail": {}, "aux": {"Tag": "v1", "Digest": "sha256:abc", "Size": 528}},
    ]
    events = [parser.feed(m) for m in messages]
    assert events[2] == PushEvent(layer="5f70bf18a086", status="Pushing", current=512, total=2048)
    assert parser.finish() == PushEvent(status="Pushed", digest="sha256:abc", done=True)


def test_a_push_error_is_final_and_nothing_follows_it() -> None:
    parser = PushStreamParser()
    message = 'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused'
    event = parser.feed({"errorDetail": {"message": message}, "error": message})
    assert event == PushEvent(error=message, done=True)
    assert parser.feed({"status": "late"}) is None and parser.finish() is None


SAMPLE = {
    "read": "2026-11-23T17:52:23.248873231Z",
    "cpu_stats": {
        "cpu_usage": {"total_usage": 54_612_318, "percpu_usage": [1, 2]},
        "system_cpu_usage": 711_690_000_000,
        "online_cpus": 2,
    },
    "precpu_stats": {"cpu_usage": {"total_usage": 34_612_318}, "system_cpu_usage": 709_690_000_000},
    "memory_stats": {
        "usage": 499_712,
        "stats": {"total_inactive_file": 45_056},
        "limit": 25_276_063_744,
    },
}


def test_cpu_percent_is_computed_as_the_docker_cli_does() -> None:
    stats = stats_from_sample(SAMPLE)
    # 20 ms of CPU over 2 s of two CPUs' system time: 20e6 / 2e9 * 2 * 100 = 2 %.
    assert stats.cpu_percent == 2.0
    assert stats.memory_bytes == 499_712 - 45_056
    assert stats.memory_limit == 25_276_063_744
    assert stats.read is not None and stats.read.microsecond == 248873


def test_a_sample_without_previous_readings_gives_the_lifetime_average_as_the_cli_does() -> None:
    first = {**SAMPLE, "precpu_stats": {}}
    assert stats_from_sample(first).cpu_percent == round(54_612_318 / 711_690_000_000 * 200, 2)
    assert stats_from_sample({}).cpu_percent == 0.0


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def test_frames_are_split_by_stream_and_lines_may_span_frames_and_reads() -> None:
    data = frame(1, b"hel") + frame(2, b"oops\n") + frame(1, b"lo\nwor") + frame(1, b"ld\n")
    demux = LogDemuxer()
    pairs = []
    for i in range(0, len(data), 5):  # reads that cut headers and payloads anywhere
        pairs += demux.feed(data[i : i + 5])
    assert pairs == [("stderr", "oops"), ("stdout", "hello"), ("stdout", "world")]


def test_an_unterminated_last_line_is_delivered_by_flush() -> None:
    demux = LogDemuxer()
    assert demux.feed(frame(1, b"no newline")) == []
    assert demux.flush() == [("stdout", "no newline")]
    assert demux.flush() == []


def test_a_tty_stream_is_raw_stdout_and_multibyte_text_survives_splits() -> None:
    demux = LogDemuxer(tty=True)
    text = "café\r\n".encode()
    assert demux.feed(text[:4]) == []
    assert demux.feed(text[4:]) == [("stdout", "café")]
