"""What each container image in the sandbox does: its traffic, errors, latency, GPU use.

The Kubernetes face's kubelet, the Prometheus face and the Docker face all read
the same ``ImageProfile`` for an image, so a bad release shows up the same way in
pod restarts, in error-ratio series and in ``docker image history``. Profiles are
keyed by the full image reference (``repository:tag``); ``profile_for`` answers for
any string, giving unknown images a healthy, quiet default.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Crash = Literal["crashloop", "oom"]
LogStyle = Literal[
    "vllm", "tei", "uvicorn", "gateway", "prometheus", "grafana", "dcgm", "coredns",
    "pytorch", "jupyter", "generic",
]


@dataclass(frozen=True)
class ImageProfile:
    """How containers of one image behave.

    ``error_ratio`` is the share of requests answered 5xx, ``rps`` the request
    rate one ready replica serves, ``gpu_util`` and ``gpu_mem_frac`` the
    utilisation and memory share of each GPU it holds, ``crash`` how it dies (if it
    does). ``layers`` are ``created by`` lines for ``docker image history``, base
    first. The fields after ``layers`` drive the kubelet simulation and logs.
    """

    repository: str
    tag: str
    error_ratio: float
    p50_ms: float
    p99_ms: float
    rps: float
    gpu_util: float
    gpu_mem_frac: float
    crash: Crash | None
    size_bytes: int
    layers: tuple[str, ...]
    #: Simulated seconds from container start until it is ready (model load time).
    startup_s: float = 5.0
    #: Simulated seconds a crashing container runs before it dies.
    crash_after_s: float = 20.0
    log_style: LogStyle = "generic"

    @property
    def image(self) -> str:
        """The full reference, ``repository:tag``."""
        return f"{self.repository}:{self.tag}"


_GB = 1_000_000_000

_PY_BASE = (
    "/bin/sh -c #(nop) ADD file:d2f8a6b3c1e4 in / ",
    '/bin/sh -c #(nop)  CMD ["bash"]',
    "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends "
    "python3.11 python3-pip ca-certificates && rm -rf /var/lib/apt/lists/* # buildkit",
)
_CUDA_BASE = (
    "/bin/sh -c #(nop) ADD file:7e8b1c6f0a2d in / ",
    '/bin/sh -c #(nop)  CMD ["/bin/bash"]',
    "ENV NVARCH=x86_64 NVIDIA_REQUIRE_CUDA=cuda>=12.4",
    "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends "
    "cuda-cudart-12-4 cuda-compat-12-4 # buildkit",
    "ENV NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,utility",
)


def _vllm_layers(version: str) -> tuple[str, ...]:
    return (
        *_CUDA_BASE,
        f"RUN /bin/sh -c pip install vllm=={version.lstrip('v')} # buildkit",
        "WORKDIR /vllm-workspace",
        'ENTRYPOINT ["python3" "-m" "vllm.entrypoints.openai.api_server"]',
    )


def _app_layers(base: tuple[str, ...], app: str, entry: str) -> tuple[str, ...]:
    return (
        *base,
        "WORKDIR /app",
        "COPY requirements.txt . # buildkit",
        "RUN /bin/sh -c pip install --no-cache-dir -r requirements.txt # buildkit",
        f"COPY {app}/ ./{app}/ # buildkit",
        "USER 10001",
        f'ENTRYPOINT ["{entry}"]',
    )


def _p(
    image: str,
    *,
    error_ratio: float = 0.002,
    p50_ms: float = 40.0,
    p99_ms: float = 180.0,
    rps: float = 5.0,
    gpu_util: float = 0.0,
    gpu_mem_frac: float = 0.0,
    crash: Crash | None = None,
    size_gb: float = 0.3,
    layers: tuple[str, ...] = (),
    startup_s: float = 5.0,
    crash_after_s: float = 20.0,
    log_style: LogStyle = "generic",
) -> ImageProfile:
    repository, _, tag = image.rpartition(":")
    return ImageProfile(
        repository=repository,
        tag=tag,
        error_ratio=error_ratio,
        p50_ms=p50_ms,
        p99_ms=p99_ms,
        rps=rps,
        gpu_util=gpu_util,
        gpu_mem_frac=gpu_mem_frac,
        crash=crash,
        size_bytes=int(size_gb * _GB),
        layers=layers or _app_layers(_PY_BASE, "app", "python3"),
        startup_s=startup_s,
        crash_after_s=crash_after_s,
        log_style=log_style,
    )


_MISTRAL = "registry.acme.ai/serving/mistral-7b-chat"
_MISTRAL_LAYERS = _app_layers(_CUDA_BASE, "mistral_chat", "python3 -m mistral_chat.serve")

_PROFILES = (
    # --- model serving ------------------------------------------------------
    _p("vllm/vllm-openai:v0.6.3", error_ratio=0.004, p50_ms=420, p99_ms=2100, rps=14,
       gpu_util=0.78, gpu_mem_frac=0.91, size_gb=9.6, layers=_vllm_layers("v0.6.3"),
       startup_s=90, log_style="vllm"),
    _p("vllm/vllm-openai:v0.6.4", error_ratio=0.003, p50_ms=360, p99_ms=1750, rps=15,
       gpu_util=0.74, gpu_mem_frac=0.90, size_gb=9.8, layers=_vllm_layers("v0.6.4"),
       startup_s=85, log_style="vllm"),
    _p(f"{_MISTRAL}:v0.8.4", error_ratio=0.003, p50_ms=95, p99_ms=520, rps=32,
       gpu_util=0.61, gpu_mem_frac=0.72, size_gb=6.1, layers=_MISTRAL_LAYERS,
       startup_s=30, log_style="vllm"),
    _p(f"{_MISTRAL}:v0.9.0", error_ratio=0.002, p50_ms=88, p99_ms=480, rps=34,
       gpu_util=0.63, gpu_mem_frac=0.74, size_gb=6.2, layers=_MISTRAL_LAYERS,
       startup_s=30, log_style="vllm"),
    _p(f"{_MISTRAL}:v0.9.1-rc2", error_ratio=0.21, p50_ms=140, p99_ms=2900, rps=34,
       gpu_util=0.66, gpu_mem_frac=0.93, size_gb=6.2, layers=_MISTRAL_LAYERS,
       startup_s=30, log_style="vllm"),
    _p("ghcr.io/huggingface/text-embeddings-inference:1.5", error_ratio=0.001, p50_ms=12,
       p99_ms=45, rps=120, gpu_util=0.42, gpu_mem_frac=0.35, size_gb=1.9, startup_s=15,
       log_style="tei"),
    _p("registry.acme.ai/serving/reranker:0.4.2", error_ratio=0.002, p50_ms=28, p99_ms=110,
       rps=60, gpu_util=0.37, gpu_mem_frac=0.30, size_gb=2.3, startup_s=20, log_style="tei"),
    _p("registry.acme.ai/serving/whisper-large-v3:1.3.0", error_ratio=0.006, p50_ms=850,
       p99_ms=4200, rps=3, gpu_util=0.55, gpu_mem_frac=0.48, size_gb=4.4, startup_s=25,
       log_style="uvicorn"),
    _p("registry.acme.ai/serving/sdxl-server:2.1.0", error_ratio=0.0, p50_ms=0, p99_ms=0,
       rps=0, gpu_util=0.0, gpu_mem_frac=0.0, crash="crashloop", size_gb=7.3,
       crash_after_s=6, startup_s=40, log_style="uvicorn"),
    _p("registry.acme.ai/platform/llm-gateway:1.14.2", error_ratio=0.004, p50_ms=6,
       p99_ms=35, rps=95, size_gb=0.12, startup_s=3, log_style="gateway"),
    # --- training and research ----------------------------------------------
    _p("nvcr.io/nvidia/pytorch:24.07-py3", error_ratio=0.0, p50_ms=0, p99_ms=0, rps=0,
       gpu_util=0.97, gpu_mem_frac=0.99, crash="oom", size_gb=9.1, crash_after_s=75,
       startup_s=0, log_style="pytorch"),
    _p("quay.io/jupyter/pytorch-notebook:cuda12-2024-08-12", error_ratio=0.0, p50_ms=0,
       p99_ms=0, rps=0, gpu_util=0.02, gpu_mem_frac=0.06, size_gb=5.8, startup_s=8,
       log_style="jupyter"),
    _p("registry.acme.ai/training/pretrain:2024.09", error_ratio=0.0, p50_ms=0, p99_ms=0,
       rps=0, gpu_util=0.95, gpu_mem_frac=0.97, size_gb=10.4, startup_s=0,
       log_style="pytorch"),
    # --- platform -----------------------------------------------------------
    _p("quay.io/prometheus/prometheus:v2.54.1", p50_ms=8, p99_ms=90, rps=4, size_gb=0.27,
       startup_s=4, log_style="prometheus"),
    _p("grafana/grafana:11.2.0", p50_ms=15, p99_ms=160, rps=2, size_gb=0.42, startup_s=6,
       log_style="grafana"),
    _p("registry.acme.ai/platform/model-registry:3.2.0", p50_ms=11, p99_ms=70, rps=9,
       size_gb=0.21, startup_s=4, log_style="uvicorn"),
    _p("nvcr.io/nvidia/k8s/dcgm-exporter:3.3.7-3.5.0-ubuntu22.04", p50_ms=3, p99_ms=12,
       rps=0.2, size_gb=0.65, startup_s=3, log_style="dcgm"),
    _p("registry.k8s.io/coredns/coredns:v1.11.1", error_ratio=0.0, p50_ms=1, p99_ms=4,
       rps=150, size_gb=0.02, startup_s=2, log_style="coredns"),
    _p("registry.k8s.io/metrics-server/metrics-server:v0.7.1", error_ratio=0.0, p50_ms=4,
       p99_ms=20, rps=1, size_gb=0.07, startup_s=3, log_style="generic"),
    _p("registry.acme.ai/bench/echo-server:1.0", error_ratio=0.001, p50_ms=2, p99_ms=9,
       rps=10, size_gb=0.01, startup_s=0, log_style="generic"),
)

IMAGES: dict[str, ImageProfile] = {p.image: p for p in _PROFILES}

_DEFAULT = _p("unknown:latest")


def profile_for(image: str) -> ImageProfile:
    """The profile of ``image`` (``repo:tag``, ``repo`` meaning ``:latest``, or
    ``repo@sha256:…``). An image not in ``IMAGES`` gets a healthy, quiet generic
    profile carrying its own repository and tag. Never raises."""
    known = IMAGES.get(image)
    if known is not None:
        return known
    repository, tag = _split(image)
    known = IMAGES.get(f"{repository}:{tag}")
    if known is not None:
        return known
    return replace(_DEFAULT, repository=repository, tag=tag)


def _split(image: str) -> tuple[str, str]:
    """``(repository, tag)`` of an image reference; digests become the tag."""
    if "@" in image:
        repository, _, digest = image.partition("@")
        return repository, digest
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], image[colon + 1 :]
    return image, "latest"
