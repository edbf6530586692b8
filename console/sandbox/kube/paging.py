"""``limit`` / ``continue`` paging of list responses.

A continue token is opaque to clients; here it is base64 JSON holding the list's
resource version and the key of the last object returned. A token whose version
has fallen out of the store's history is refused with ``410 Expired``, as the real
server refuses one whose snapshot has been compacted.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from typing import Any

from console.sandbox.kube.status import ApiError, bad_request
from console.sandbox.store import Expired, ObjectStore

Manifest = dict[str, Any]

EXPIRED_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You "
    "can start a new list without the continue parameter, or use the continue token in "
    "this response to retrieve the remainder of the results. Continuing with the provided "
    "token results in an inconsistent list - objects that were created, modified, or "
    "deleted between the time the first chunk was returned and now may show up in the list."
)


def encode_continue(rv: int, key: tuple[str, str]) -> str:
    """The continue token resuming after ``key`` of a list taken at ``rv``."""
    raw = json.dumps({"rv": rv, "ns": key[0], "name": key[1]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    """``(rv, key)`` from a continue token. Raises ``ApiError`` 400 when malformed."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        return int(data["rv"]), (str(data["ns"]), str(data["name"]))
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise bad_request(f"continue key is not valid: {exc}") from exc


def paginate(store: ObjectStore, plural: str, items: list[Manifest], *, limit: int,
             token: str | None, filtered: bool) -> tuple[list[Manifest], Manifest]:
    """One page of ``items`` (sorted by namespace/name) and the list metadata to send
    with it (``resourceVersion``, ``continue``, ``remainingItemCount``). Raises
    ``ApiError`` 410 Expired for a continue token older than the kept history."""
    rv = store.resource_version
    if token:
        rv, after = decode_continue(token)
        try:
            store.changes_since(plural, rv)
        except Expired as exc:
            raise ApiError("Expired", EXPIRED_CONTINUE) from exc
        items = items[bisect.bisect_right(items, after, key=_key):]
    metadata: Manifest = {"resourceVersion": str(rv)}
    if limit > 0 and len(items) > limit:
        page = items[:limit]
        metadata["continue"] = encode_continue(rv, _key(page[-1]))
        if not filtered:
            metadata["remainingItemCount"] = len(items) - limit
        return page, metadata
    return items, metadata


def _key(obj: Manifest) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]
