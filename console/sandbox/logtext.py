"""The text of sandbox container logs, in the style of the software each image runs.

A style gives the lines a container prints while starting (``banner``), what it
prints on each steady tick (``tick``, every ``PERIOD[style]`` seconds, with access
lines, and errors at the profile's error ratio), and what it prints as it dies
(``death``). Everything is a pure function of the context, the time and a seeded
``random.Random``, so a world replays identically for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from console.sandbox.catalog import ImageProfile

Line = tuple[float, str]

PERIOD: dict[str, float] = {
    "vllm": 10.0, "tei": 5.0, "uvicorn": 5.0, "gateway": 2.0, "prometheus": 120.0,
    "grafana": 15.0, "dcgm": 300.0, "coredns": 5.0, "pytorch": 10.0, "jupyter": 600.0,
    "generic": 10.0,
}


@dataclass(frozen=True, slots=True)
class LogContext:
    """Who is logging: the container, its image profile and the model it serves."""

    namespace: str
    pod: str
    container: str
    profile: ImageProfile
    model: str
    seed: int


def _ts(t: float, fmt: str) -> str:
    return datetime.fromtimestamp(t, UTC).strftime(fmt)


def _rfc(t: float) -> str:
    return _ts(t, "%Y-%m-%dT%H:%M:%S.") + f"{int(t * 1000) % 1000:03d}Z"


def _client(rng: random.Random) -> str:
    return f"10.244.{rng.randrange(0, 16)}.{rng.randrange(2, 250)}:{rng.randrange(32768, 60999)}"


_UVICORN_UP = (
    "INFO:     Started server process [1]",
    "INFO:     Waiting for application startup.",
    "INFO:     Application startup complete.",
    "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
)


def banner(ctx: LogContext, start: float) -> list[Line]:
    """Start-up lines, spread over the profile's start-up time from ``start``."""
    p, style = ctx.profile, ctx.profile.log_style
    if style == "vllm":
        v = _ts(start, "%m-%d %H:%M:%S")
        lines = [
            f"INFO {v} api_server.py:528] vLLM API server version {p.tag.lstrip('v')}",
            f"INFO {v} api_server.py:529] args: Namespace(host=None, port=8000, "
            f"model='{ctx.model}', dtype='auto', max_model_len=8192, gpu_memory_utilization=0.9)",
            f"INFO {v} llm_engine.py:237] Initializing an LLM engine with config: "
            f"model='{ctx.model}', dtype=torch.bfloat16, max_seq_len=8192, enforce_eager=False",
            f"INFO {v} model_runner.py:1056] Starting to load model {ctx.model}...",
            f"INFO {v} model_runner.py:1067] Loading model weights took "
            f"{p.gpu_mem_frac * 60:.4f} GB",
            f"INFO {v} gpu_executor.py:122] # GPU blocks: 11524, # CPU blocks: 3276",
            *_UVICORN_UP,
        ]
    elif style == "tei":
        lines = [
            f'{_rfc(start)}  INFO text_embeddings_router: router/src/main.rs:175: Args {{ '
            f'model_id: "{ctx.model}", max_batch_tokens: 16384, port: 80 }}',
            f"{_rfc(start)}  INFO text_embeddings_backend_candle: backends/candle/src/lib.rs:250: "
            "Starting Bert model on Cuda(CudaDevice(DeviceId(1)))",
            f"{_rfc(start)}  INFO text_embeddings_router::http::server: "
            "router/src/http/server.rs:1776: Ready",
        ]
    elif style == "prometheus":
        lines = [
            f'ts={_rfc(start)} caller=main.go:601 level=info msg="Starting Prometheus Server" '
            f'mode=server version="(version={p.tag.lstrip("v")}, branch=HEAD)"',
            f'ts={_rfc(start)} caller=main.go:1164 level=info msg="TSDB started"',
            f'ts={_rfc(start)} caller=main.go:1128 level=info msg="Server is ready to receive '
            'web requests."',
        ]
    elif style == "grafana":
        lines = [f'logger=settings t={_rfc(start)} level=info msg="Starting Grafana" '
                 f'version={p.tag} commit=unknown',
                 f'logger=http.server t={_rfc(start)} level=info msg="HTTP Server Listen" '
                 'address=[::]:3000 protocol=http']
    elif style == "dcgm":
        lines = [f'time="{_rfc(start)}" level=info msg="Starting dcgm-exporter"',
                 f'time="{_rfc(start)}" level=info msg="DCGM successfully initialized!"',
                 f'time="{_rfc(start)}" level=info msg="Starting webserver" address=":9400"']
    elif style == "coredns":
        lines = [".:53", f"CoreDNS-{p.tag.lstrip('v')}", "linux/amd64, go1.20.7, ae2bbc2"]
    elif style == "pytorch":
        lines = [f"[rank0]:[{_ts(start, '%Y-%m-%d %H:%M:%S')}] initializing process group "
                 "(backend=nccl, world_size=8)",
                 f"[rank0]:[{_ts(start, '%Y-%m-%d %H:%M:%S')}] loading {ctx.model}: "
                 "Loading checkpoint shards: 100%|##########| 4/4"]
    elif style == "jupyter":
        stamp = _ts(start, "%Y-%m-%d %H:%M:%S.000")
        lines = [f"[I {stamp} ServerApp] Jupyter Server 2.14.2 is running at:",
                 f"[I {stamp} ServerApp] http://{ctx.pod}:8888/lab"]
    elif style in ("uvicorn", "gateway"):
        lines = list(_UVICORN_UP) if style == "uvicorn" else [
            f'{{"level":"info","ts":"{_rfc(start)}","msg":"listening","addr":":8080"}}']
    else:
        lines = [f"{_rfc(start)} INFO starting {ctx.container} ({p.image})",
                 f"{_rfc(start)} INFO listening on :8080"]
    step = max(p.startup_s, 0.0) / max(len(lines), 1)
    return [(start + i * step, text) for i, text in enumerate(lines)]


def tick(ctx: LogContext, t: float, rng: random.Random) -> list[str]:
    """The lines of one steady tick at time ``t`` (at least one)."""
    p, style = ctx.profile, ctx.profile.log_style
    if style in ("vllm", "uvicorn"):
        return _http_tick(ctx, t, rng)
    if style == "tei":
        ms = rng.gauss(p.p50_ms, p.p50_ms / 4)
        return [f'{_rfc(t)}  INFO embed{{total_time="{ms:.1f}ms" queue_time="{ms / 9:.1f}ms"}}: '
                "text_embeddings_router::http::server: router/src/http/server.rs:706: Success"]
    if style == "gateway":
        failed = rng.random() < p.error_ratio
        return [f'{{"level":"{"error" if failed else "info"}","ts":"{_rfc(t)}","msg":"request",'
                f'"method":"POST","path":"/v1/chat/completions","status":{502 if failed else 200},'
                f'"duration_ms":{abs(rng.gauss(p.p50_ms, p.p50_ms)):.0f}}}']
    if style == "prometheus":
        return [f'ts={_rfc(t)} caller=head.go:1355 level=info component=tsdb '
                f'msg="Head GC completed" duration={rng.uniform(2, 9):.3f}ms']
    if style == "grafana":
        return [f'logger=context t={_rfc(t)} level=info msg="Request Completed" method=GET '
                f"path=/api/dashboards/uid/gpu-fleet status=200 time_ms={rng.randrange(4, 60)}"]
    if style == "coredns":
        return [f'[INFO] {_client(rng)} - {rng.randrange(1, 65535)} "A IN '
                f'mistral-7b-chat.serving.svc.cluster.local. udp 57 false 512" NOERROR '
                f"qr,aa,rd 130 0.000{rng.randrange(100, 999)}s"]
    if style == "pytorch":
        step = int((t % 86400) // 10)
        return [f"[rank0]:[{_ts(t, '%Y-%m-%d %H:%M:%S')}] step {step} | loss "
                f"{1.2 + rng.random() / 2:.4f} | lr 1.98e-05 | tokens/s "
                f"{rng.randrange(38000, 44000)}"
                f" | mem {p.gpu_mem_frac * 80:.1f}GiB"]
    if style == "jupyter":
        return [f"[I {_ts(t, '%Y-%m-%d %H:%M:%S.000')} ServerApp] Saving file at "
                "/home/jovyan/work/eval-llama3.ipynb"]
    if style == "dcgm":
        return [f'time="{_rfc(t)}" level=info msg="Collecting metrics" gpus=8']
    return [f"{_rfc(t)} INFO GET /healthz 200 {rng.uniform(0.1, 2):.1f}ms"]


def _http_tick(ctx: LogContext, t: float, rng: random.Random) -> list[str]:
    p = ctx.profile
    path = "/v1/chat/completions" if p.log_style == "vllm" else f"/v1/{ctx.container}"
    lines: list[str] = []
    if p.log_style == "vllm":
        lines.append(
            f"INFO {_ts(t, '%m-%d %H:%M:%S')} metrics.py:351] Avg prompt throughput: "
            f"{p.rps * rng.uniform(40, 60):.1f} tokens/s, Avg generation throughput: "
            f"{p.rps * rng.uniform(80, 110):.1f} tokens/s, Running: {rng.randrange(1, 32)} reqs, "
            f"Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: {p.gpu_util * 60:.1f}%, "
            "CPU KV cache usage: 0.0%."
        )
    for _ in range(min(3, max(1, round(p.rps / 10)))):
        if rng.random() < p.error_ratio:
            lines.append(
                f"ERROR {_ts(t, '%m-%d %H:%M:%S')} serving_chat.py:612] Error in chat completion "
                "stream generator: jinja2.exceptions.TemplateError: Conversation roles must "
                "alternate user/assistant/user/assistant/..."
            )
            lines.append(f'INFO:     {_client(rng)} - "POST {path} HTTP/1.1" 500 '
                         "Internal Server Error")
        else:
            lines.append(f'INFO:     {_client(rng)} - "POST {path} HTTP/1.1" 200 OK')
    return lines


def death(ctx: LogContext, t: float, cause: str) -> list[str]:
    """What the container prints as it dies of ``cause`` (``crashloop``, ``oom``
    or ``killed``). The kernel's OOM killer leaves nothing in the log."""
    if cause == "oom":
        return []
    if cause == "killed":
        return ["INFO:     Shutting down", "INFO:     Finished server process [1]"] if (
            ctx.profile.log_style in ("vllm", "uvicorn")) else []
    module = ctx.container.replace("-", "_")
    return [
        "ERROR:    Traceback (most recent call last):",
        '  File "/usr/local/lib/python3.11/site-packages/starlette/routing.py", line 693, '
        "in lifespan",
        "    async with self.lifespan_context(app) as maybe_state:",
        f'  File "/app/{module}/main.py", line 41, in lifespan',
        "    pipe = load_pipeline(settings.model_id, settings.variant)",
        f'  File "/app/{module}/pipeline.py", line 88, in load_pipeline',
        '    unet = UNet2DConditionModel.from_pretrained(path, subfolder="unet", variant=variant)',
        f"OSError: Error no file named diffusion_pytorch_model.fp16.safetensors found in "
        f"directory /models/{ctx.model}/unet.",
        "",
        "ERROR:    Application startup failed. Exiting.",
    ]
