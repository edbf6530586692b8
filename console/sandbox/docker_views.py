"""The Engine API's JSON documents for the sandbox's images and containers.

Each function renders one object the way a Docker 27 daemon serialises it, with
the fields the docker CLI and the docker SDK read (``docker images``, ``ps``,
``inspect``, ``history``).
"""

from __future__ import annotations

import fnmatch
import json
import shlex
from typing import Any

from console.sandbox.docker_containers import SimContainer
from console.sandbox.docker_format import rfc3339, short
from console.sandbox.docker_images import ImageStore, SimImage


def image_summary(image: SimImage) -> dict[str, Any]:
    """One row of ``GET /images/json``."""
    return {
        "Containers": -1,
        "Created": int(image.created),
        "Id": image.id,
        "Labels": image.config.get("Labels") or None,
        "ParentId": image.parent,
        "RepoDigests": list(image.repo_digests),
        "RepoTags": list(image.tags),
        "SharedSize": -1,
        "Size": image.size,
    }


def list_images(store: ImageStore, *, all_: bool, filters: str) -> list[dict[str, Any]]:
    """``GET /images/json``: tagged images and dangling leaves (everything with
    ``all``), filtered by ``dangling`` and ``reference`` as the daemon does."""
    wanted = json.loads(filters) if filters else {}
    dangling = {v.lower() for v in _filter_values(wanted, "dangling")}
    references = _filter_values(wanted, "reference")
    rows = []
    for image in store.all():
        if not all_ and not image.tags and store.children(image):
            continue
        if dangling and ("true" in dangling) == bool(image.tags):
            continue
        if references and not any(
            fnmatch.fnmatchcase(tag, pattern)
            or fnmatch.fnmatchcase(tag.rpartition(":")[0], pattern)
            for tag in image.tags
            for pattern in references
        ):
            continue
        rows.append(image_summary(image))
    return rows


def _filter_values(filters: dict[str, Any], name: str) -> list[str]:
    """A filter's values, from either wire form (``{"k": ["v"]}`` or ``{"k": {"v": true}}``)."""
    values = filters.get(name) or []
    return list(values) if isinstance(values, list) else [k for k, on in values.items() if on]


def image_inspect(image: SimImage) -> dict[str, Any]:
    """``GET /images/{name}/json``."""
    layers = [layer for layer, _ in image.layer_digests()]
    return {
        "Id": image.id,
        "RepoTags": list(image.tags),
        "RepoDigests": list(image.repo_digests),
        "Parent": image.parent,
        "Comment": image.history[-1].comment if image.history else "",
        "Created": rfc3339(image.created),
        "DockerVersion": "27.3.1",
        "Author": "",
        "Config": {
            "Hostname": "",
            "Domainname": "",
            "User": image.config.get("User", ""),
            "AttachStdin": False,
            "AttachStdout": False,
            "AttachStderr": False,
            "Tty": False,
            "OpenStdin": False,
            "StdinOnce": False,
            "Env": image.config.get("Env", []),
            "Cmd": image.config.get("Cmd"),
            "Image": image.parent,
            "Volumes": None,
            "WorkingDir": image.config.get("WorkingDir", ""),
            "Entrypoint": image.config.get("Entrypoint"),
            "OnBuild": None,
            "Labels": image.config.get("Labels"),
            "ExposedPorts": image.config.get("ExposedPorts"),
        },
        "Architecture": "amd64",
        "Os": "linux",
        "Size": image.size,
        "GraphDriver": {"Data": None, "Name": "overlay2"},
        "RootFS": {"Type": "layers", "Layers": layers},
        "Metadata": {"LastTagTime": rfc3339(None)},
    }


def image_history(store: ImageStore, image: SimImage) -> list[dict[str, Any]]:
    """``GET /images/{name}/history``: newest step first; steps without a local
    image have the id ``<missing>``."""
    rows = []
    for entry, image_id in zip(reversed(image.history), reversed(image.history_ids), strict=True):
        local = store.get(image_id) if image_id != "<missing>" else None
        rows.append(
            {
                "Comment": entry.comment,
                "Created": int(entry.created),
                "CreatedBy": entry.created_by,
                "Id": image_id if local else "<missing>",
                "Size": entry.size,
                "Tags": list(local.tags) or None if local else None,
            }
        )
    return rows


def _command_line(container: SimContainer) -> str:
    return " ".join(shlex.quote(word) for word in container.command)


def _ports(container: SimContainer) -> list[dict[str, Any]]:
    return [
        {"IP": "0.0.0.0", "PrivatePort": port, "PublicPort": port, "Type": "tcp"}
        for port in container.ports
    ]


def container_summary(container: SimContainer, now: float) -> dict[str, Any]:
    """One row of ``GET /containers/json``."""
    return {
        "Id": container.id,
        "Names": [f"/{container.name}"],
        "Image": container.image,
        "ImageID": container.image_id,
        "Command": _command_line(container),
        "Created": int(container.created),
        "Ports": _ports(container),
        "Labels": dict(container.labels),
        "State": container.state(now),
        "Status": container.status(now),
        "HostConfig": {"NetworkMode": "bridge"},
        "NetworkSettings": {"Networks": {"bridge": {"IPAddress": "172.17.0.2"}}},
        "Mounts": [],
    }


def container_inspect(container: SimContainer, now: float) -> dict[str, Any]:
    """``GET /containers/{id}/json``."""
    last = container.runs[-1] if container.runs else None
    running = container.running(now)
    return {
        "Id": container.id,
        "Created": rfc3339(container.created),
        "Path": container.command[0] if container.command else "",
        "Args": list(container.command[1:]),
        "State": {
            "Status": container.state(now),
            "Running": running,
            "Paused": False,
            "Restarting": False,
            "OOMKilled": False,
            "Dead": False,
            "Pid": 4242 if running else 0,
            "ExitCode": last.exit_code if last and not running else 0,
            "Error": "",
            "StartedAt": rfc3339(last.start if last else None),
            "FinishedAt": rfc3339(last.end if last and not running else None),
        },
        "Image": container.image_id,
        "Name": f"/{container.name}",
        "RestartCount": 0,
        "Driver": "overlay2",
        "Platform": "linux",
        "HostConfig": {
            "NetworkMode": "bridge",
            "LogConfig": {"Type": "json-file", "Config": {}},
            "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
        },
        "Config": {
            "Hostname": short(container.id),
            "User": "",
            "Tty": False,
            "AttachStdout": False,
            "AttachStderr": False,
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": list(container.command),
            "Image": container.image,
            "Labels": dict(container.labels),
            "ExposedPorts": {f"{p}/tcp": {} for p in container.ports} or None,
        },
        "NetworkSettings": {
            "Ports": {
                f"{p}/tcp": [{"HostIp": "0.0.0.0", "HostPort": str(p)}] for p in container.ports
            }
        },
        "Mounts": [],
    }
