"""Parsing the Docker Engine's progress streams into the console's models.

Pure functions and small stateful parsers with no SDK import, so they can be
tested on recorded daemon output:

- the legacy builder's JSON lines (``{"stream": "Step 2/5 : RUN make"}``,
  ``{"aux": {"ID": ...}}``, ``{"errorDetail": ...}``) into ``BuildEvent``;
- push progress lines (``{"status": "Pushing", "id": ..., "progressDetail": ...}``)
  into ``PushEvent``;
- one stats sample into ``ContainerStats``, CPU% computed as the docker CLI does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from console.models import BuildEvent, ContainerStats, PushEvent

_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$", re.DOTALL)
_BUILT = re.compile(r"^Successfully built ([0-9a-f]{12,64})\s*$")
_ZERO_TIME = "0001-01-01T00:00:00Z"


def error_message(message: Mapping[str, Any]) -> str:
    """The error text of a stream message (``errorDetail.message``, else ``error``),
    or "" when the message reports no error."""
    detail = message.get("errorDetail")
    if isinstance(detail, Mapping) and detail.get("message"):
        return str(detail["message"])
    return str(message.get("error") or "")


def parse_timestamp(value: str | None) -> datetime | None:
    """An RFC 3339 timestamp as Docker writes it (nanoseconds, ``Z``) as an aware
    datetime; None for empty values and Go's zero time."""
    if not value or value == _ZERO_TIME:
        return None
    return datetime.fromisoformat(value)


class BuildStreamParser:
    """Turns the legacy builder's stream, one decoded JSON message at a time, into
    ``BuildEvent``s.

    ``feed`` returns the events a message produces (none for the bare newline that
    ends a step header); ``finish`` returns the closing ``done`` event once the
    daemon ends the stream. After an error the parser is finished: the error event
    is the last one and later messages are ignored.
    """

    def __init__(self) -> None:
        self.image_id = ""
        self.finished = False

    def feed(self, message: Mapping[str, Any]) -> list[BuildEvent]:
        """The events for one message; the error event, if any, has ``done`` set."""
        if self.finished:
            return []
        error = error_message(message)
        if error:
            self.finished = True
            return [BuildEvent(error=error, done=True)]
        events: list[BuildEvent] = []
        aux = message.get("aux")
        if isinstance(aux, Mapping) and aux.get("ID"):
            self.image_id = str(aux["ID"])
            events.append(BuildEvent(image_id=self.image_id))
        text = message.get("stream")
        if isinstance(text, str) and text.strip():
            events.append(self._text_event(text.rstrip("\n")))
        status = message.get("status")
        if isinstance(status, str) and status:
            layer, progress = message.get("id"), message.get("progress")
            line = f"{layer}: {status}" if layer else status
            events.append(BuildEvent(output=f"{line} {progress}" if progress else line))
        return events

    def finish(self) -> BuildEvent | None:
        """The last event (``done``, with the image id or an error), or None when an
        error event already ended the build."""
        if self.finished:
            return None
        self.finished = True
        if self.image_id:
            return BuildEvent(image_id=self.image_id, done=True)
        return BuildEvent(error="the daemon ended the build without an image ID", done=True)

    def _text_event(self, text: str) -> BuildEvent:
        step = _STEP.match(text)
        if step:
            return BuildEvent(
                step=int(step[1]), total_steps=int(step[2]), instruction=step[3].strip()
            )
        built = _BUILT.match(text)
        if built and not self.image_id:
            self.image_id = built[1]
            return BuildEvent(output=text, image_id=built[1])
        return BuildEvent(output=text)


class PushStreamParser:
    """Turns push progress messages into ``PushEvent``s.

    Layer lines carry ``id`` (the short layer digest), ``status`` (Preparing,
    Waiting, Pushing, Pushed, Layer already exists) and ``progressDetail``; the
    ``aux`` line carries the manifest digest; ``errorDetail`` ends the push.
    """

    def __init__(self) -> None:
        self.digest = ""
        self.finished = False

    def feed(self, message: Mapping[str, Any]) -> PushEvent | None:
        """The event for one message (the error event has ``done`` set), or None
        once finished."""
        if self.finished:
            return None
        error = error_message(message)
        if error:
            self.finished = True
            return PushEvent(error=error, done=True)
        aux = message.get("aux")
        if isinstance(aux, Mapping) and aux.get("Digest"):
            self.digest = str(aux["Digest"])
            return PushEvent(status=f"{aux.get('Tag', '')}: pushed", digest=self.digest)
        detail = message.get("progressDetail") or {}
        return PushEvent(
            layer=str(message.get("id") or ""),
            status=str(message.get("status") or ""),
            current=int(detail.get("current") or 0),
            total=int(detail.get("total") or 0),
        )

    def finish(self) -> PushEvent | None:
        """The closing ``done`` event, or None when an error already ended the push.
        A stream that ended without a digest is reported as an error."""
        if self.finished:
            return None
        self.finished = True
        if self.digest:
            return PushEvent(status="Pushed", digest=self.digest, done=True)
        return PushEvent(error="the daemon ended the push without a manifest digest", done=True)


def stats_from_sample(sample: Mapping[str, Any]) -> ContainerStats:
    """One ``/containers/{id}/stats`` sample as ``ContainerStats``.

    CPU% is the docker CLI's: ``cpu_delta / system_delta * online_cpus * 100``
    against ``precpu_stats`` (0 when either delta is not positive, as for the first
    streamed sample). Memory excludes the page cache (``total_inactive_file`` on
    cgroup v1, ``inactive_file`` on v2), as ``docker stats`` shows it.
    """
    cpu = sample.get("cpu_stats") or {}
    pre = sample.get("precpu_stats") or {}
    cpu_delta = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - (
        pre.get("cpu_usage") or {}
    ).get("total_usage", 0)
    system_delta = cpu.get("system_cpu_usage", 0) - pre.get("system_cpu_usage", 0)
    online = cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or ())
    percent = 0.0
    if cpu_delta > 0 and system_delta > 0:
        percent = cpu_delta / system_delta * (online or 1) * 100.0
    memory = sample.get("memory_stats") or {}
    usage = int(memory.get("usage") or 0)
    detail = memory.get("stats") or {}
    for cache_key in ("total_inactive_file", "inactive_file"):
        cache = detail.get(cache_key)
        if cache is not None and cache < usage:
            usage -= int(cache)
            break
    return ContainerStats(
        read=parse_timestamp(sample.get("read")),
        cpu_percent=round(percent, 2),
        memory_bytes=usage,
        memory_limit=int(memory.get("limit") or 0),
    )


def epoch_to_datetime(value: float | int | None) -> datetime | None:
    """Unix seconds (as the list endpoints give ``Created``) as an aware datetime."""
    if not value or value < 0:
        return None
    return datetime.fromtimestamp(value, UTC)
