"""The sandbox's Docker engine: the state behind the Docker face.

It holds the images (those the world's workloads run, pulled on first sight,
plus the base images of the local containers and whatever is built), the local
containers of a GPU dev box, the sandbox registries and the builder. It answers
``/version`` and ``/info`` as a Docker 27 host with the NVIDIA runtime would.
Everything runs on the sandbox's event loop; nothing runs while no one asks.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from console.sandbox.docker_build import Builder
from console.sandbox.docker_containers import (
    HOST_CPUS,
    HOST_MEMORY,
    ContainerSet,
    SimContainer,
    container_id,
)
from console.sandbox.docker_format import rfc3339
from console.sandbox.docker_images import ImageStore
from console.sandbox.docker_logscripts import LogScript, llm_bench, tokenizer_smoke, vllm_dev
from console.sandbox.docker_registry import Registries
from console.sandbox.store import ObjectStore

ENGINE_VERSION = "27.3.1"
API_VERSION = "1.47"
MIN_API_VERSION = "1.24"
HOSTNAME = "gpu-dev-01"


class WorldLike(Protocol):
    """What the engine needs of the sandbox world: its object store (and seed)."""

    store: ObjectStore


class DockerEngine:
    """Images, containers, registries and builds of one simulated Docker host."""

    def __init__(
        self, world: WorldLike, *, clock: Callable[[], float] = time.time, pace: float = 1.0
    ) -> None:
        self.clock = clock
        self.seed = int(getattr(world, "seed", 7))
        self.epoch = clock()
        self._store = world.store
        self._synced = -1
        self.images = ImageStore(seed=self.seed, epoch=self.epoch)
        self.registries = Registries(pace=pace)
        self.builder = Builder(self.images, self.registries, clock=clock, seed=self.seed, pace=pace)
        self.containers = ContainerSet(self._default_containers())

    def sync(self) -> None:
        """Pull (once) every image a Deployment or Pod of the world runs."""
        version = self._store.resource_version
        if version != self._synced:
            self._synced = version
            self.images.ensure_pulled(sorted(set(self._world_images())))

    def _world_images(self) -> Iterator[str]:
        for kind, path in (("deployments", ("spec", "template", "spec")), ("pods", ("spec",))):
            for manifest in self._store.list(kind):
                spec: Any = manifest
                for key in path:
                    spec = spec.get(key) or {}
                for container in (*spec.get("initContainers", ()), *spec.get("containers", ())):
                    if container.get("image"):
                        yield container["image"]

    def _default_containers(self) -> list[SimContainer]:
        """A local vLLM server, a benchmark against it, and a failed tokenizer check."""
        hour = 3600.0
        specs: list[tuple[str, str, tuple[str, ...], LogScript, float, tuple[int, ...]]] = [
            (
                "vllm-dev",
                "vllm/vllm-openai:v0.6.4",
                (
                    "python3",
                    "-m",
                    "vllm.entrypoints.openai.api_server",
                    "--model",
                    "mistralai/Mistral-7B-Instruct-v0.3",
                    "--max-model-len",
                    "8192",
                ),
                vllm_dev(),
                2 * hour,
                (8000,),
            ),
            (
                "llm-bench",
                "registry.acme.ai/bench/llm-bench:0.3.1",
                ("llm-bench", "--target", "http://vllm-dev:8000/v1", "--concurrency", "16"),
                llm_bench(),
                0.7 * hour,
                (),
            ),
            (
                "tokenizer-smoke",
                "python:3.11-slim",
                ("python", "-m", "tokenizer_smoke", "--model", "/models/llama3-70b"),
                tokenizer_smoke(),
                3 * hour,
                (),
            ),
        ]
        self.images.ensure_pulled(image for _, image, *_ in specs)
        containers = []
        for name, image, command, script, age, ports in specs:
            container = SimContainer(
                id=container_id(self.seed, name),
                name=name,
                image=image,
                image_id=self.images.require(image).id,
                command=command,
                created=self.epoch - age - 5,
                script=script,
                ports=ports,
                labels={"com.acme.owner": "ml-platform"},
            )
            container.start(self.epoch - age)
            containers.append(container)
        return containers

    # ------------------------------------------------------------ system info

    def version(self) -> dict[str, Any]:
        """The ``/version`` document."""
        details = {
            "ApiVersion": API_VERSION,
            "Arch": "amd64",
            "BuildTime": "2024-09-20T11:41:02.000000000+00:00",
            "Experimental": "false",
            "GitCommit": "41ca978",
            "GoVersion": "go1.22.7",
            "KernelVersion": platform.release(),
            "MinAPIVersion": MIN_API_VERSION,
            "Os": "linux",
        }
        return {
            "Platform": {"Name": "Docker Engine - Community"},
            "Components": [
                {"Name": "Engine", "Version": ENGINE_VERSION, "Details": details},
                {
                    "Name": "containerd",
                    "Version": "1.7.22",
                    "Details": {"GitCommit": "7f7fdf5fed64eb6a7caf99b3e12efcf9d60e311c"},
                },
                {
                    "Name": "runc",
                    "Version": "1.1.14",
                    "Details": {"GitCommit": "v1.1.14-0-g2c9f560"},
                },
                {"Name": "docker-init", "Version": "0.19.0", "Details": {"GitCommit": "de40ad0"}},
            ],
            "Version": ENGINE_VERSION,
            **{k: v for k, v in details.items() if k != "Experimental"},
        }

    def info(self) -> dict[str, Any]:
        """The ``/info`` document (``docker info``)."""
        now = self.clock()
        states = [c.state(now) for c in self.containers.all()]
        return {
            "ID": "5b0c1ab0-6f1e-4c2a-9a7e-sandbox",
            "Containers": len(states),
            "ContainersRunning": states.count("running"),
            "ContainersPaused": 0,
            "ContainersStopped": len(states) - states.count("running"),
            "Images": len(self.images.all()),
            "Driver": "overlay2",
            "DriverStatus": [["Backing Filesystem", "extfs"], ["Supports d_type", "true"]],
            "DockerRootDir": "/var/lib/docker",
            "Plugins": {
                "Volume": ["local"],
                "Network": ["bridge", "host", "none"],
                "Log": ["json-file", "local"],
            },
            "MemoryLimit": True,
            "SwapLimit": True,
            "CpuCfsPeriod": True,
            "CpuCfsQuota": True,
            "IPv4Forwarding": True,
            "Debug": False,
            "NFd": 42,
            "NGoroutines": 61,
            "SystemTime": rfc3339(now),
            "LoggingDriver": "json-file",
            "CgroupDriver": "systemd",
            "CgroupVersion": "2",
            "NEventsListener": 0,
            "KernelVersion": platform.release(),
            "OperatingSystem": "Ubuntu 22.04.4 LTS",
            "OSVersion": "22.04",
            "OSType": "linux",
            "Architecture": "x86_64",
            "IndexServerAddress": "https://index.docker.io/v1/",
            "RegistryConfig": {
                "IndexConfigs": {},
                "InsecureRegistryCIDRs": ["127.0.0.0/8"],
                "Mirrors": [],
            },
            "NCPU": HOST_CPUS,
            "MemTotal": HOST_MEMORY,
            "Name": HOSTNAME,
            "Labels": [],
            "ExperimentalBuild": False,
            "ServerVersion": ENGINE_VERSION,
            "Runtimes": {
                "runc": {"path": "runc"},
                "nvidia": {"path": "/usr/bin/nvidia-container-runtime"},
            },
            "DefaultRuntime": "runc",
            "Swarm": {
                "LocalNodeState": "inactive",
                "ControlAvailable": False,
                "NodeID": "",
                "NodeAddr": "",
                "RemoteManagers": None,
                "Error": "",
            },
            "LiveRestoreEnabled": False,
            "Isolation": "",
            "InitBinary": "docker-init",
            "SecurityOptions": ["name=apparmor", "name=seccomp,profile=builtin", "name=cgroupns"],
            "Warnings": None,
        }
