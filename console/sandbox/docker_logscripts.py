"""What the sandbox's local containers print, and how hard they work.

A ``LogScript`` is a deterministic function of time: lines printed at start, one
line every ``period`` seconds while running (``line(index, at)``), lines printed
when stopped. Nothing is generated in the background; the engine asks for the
lines of a time span when a client reads the logs.

The default containers are what an ML engineer has on a GPU dev box: a local vLLM
server, a benchmark hammering it, and a tokenizer check that failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from console.sandbox.docker_format import unit_fraction

Line = tuple[str, str]  # (stream, text)
Timed = tuple[float, str, str]  # (unix seconds, stream, text)
_GIB = 1024**3


@dataclass(frozen=True, slots=True)
class LogScript:
    """A container's behaviour: its log lines, lifetime and resource use."""

    #: The lines printed from a start at the given time: (time, stream, text), in order.
    startup: Callable[[float], tuple[Timed, ...]]
    #: Seconds between periodic lines; 0 for none.
    period: float = 0.0
    line: Callable[[int, float], Line] | None = None
    #: Printed when the container is stopped.
    shutdown: tuple[Line, ...] = ()
    #: Seconds after which the container exits by itself (None: runs until stopped).
    runs_for: float | None = None
    exit_code: int = 0
    #: Mean CPUs used while running, and resident memory.
    cpus: float = 0.1
    memory: int = 64 * 1024**2

    @property
    def ready_after(self) -> float:
        """Seconds from start to the last startup line (periodic lines follow)."""
        lines = self.startup(0.0)
        return lines[-1][0] if lines else 0.0


def _vllm_stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%m-%d %H:%M:%S")


def _vllm_line(index: int, at: float) -> Line:
    noise = unit_fraction("vllm-dev", index)
    if index % 23 == 22:
        return "stderr", (
            f"WARNING {_vllm_stamp(at)} scheduler.py:1481] Sequence group chat-{4000 + index} "
            "is preempted by PreemptionMode.RECOMPUTE mode because there is not enough KV "
            "cache space. This can affect the end-to-end performance."
        )
    if index % 5 == 4:
        return "stdout", (
            f"INFO {_vllm_stamp(at)} metrics.py:349] Avg prompt throughput: "
            f"{600 + 400 * noise:.1f} tokens/s, Avg generation throughput: "
            f"{1100 + 300 * noise:.1f} tokens/s, Running: {4 + int(8 * noise)} reqs, "
            f"Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: {30 + 40 * noise:.1f}%, "
            "CPU KV cache usage: 0.0%."
        )
    return "stdout", (
        f'INFO:     10.0.3.17:{40000 + index % 20000} - "POST /v1/chat/completions HTTP/1.1" 200 OK'
    )


def _vllm_startup(start: float) -> tuple[Timed, ...]:
    model = "mistralai/Mistral-7B-Instruct-v0.3"
    engine = [
        (0.0, "INFO", "api_server.py:528] vLLM API server version 0.6.4"),
        (
            0.1,
            "INFO",
            f"api_server.py:529] args: Namespace(model='{model}', "
            "max_model_len=8192, gpu_memory_utilization=0.9, tensor_parallel_size=1)",
        ),
        (
            6.8,
            "INFO",
            "config.py:350] This model supports multiple tasks: {'generate', "
            "'embedding'}. Defaulting to 'generate'.",
        ),
        (
            7.0,
            "INFO",
            "llm_engine.py:249] Initializing an LLM engine (v0.6.4) with config: "
            f"model='{model}', dtype=torch.bfloat16, max_seq_len=8192, tensor_parallel_size=1",
        ),
        (
            7.2,
            "WARNING",
            "arg_utils.py:1013] The model has a long context length (32768). "
            "Capping max_model_len at 8192.",
        ),
        (12.5, "INFO", f"model_runner.py:1072] Starting to load model {model}..."),
        (29.9, "INFO", "model_runner.py:1077] Loading model weights took 13.5083 GB"),
        (
            31.4,
            "INFO",
            "worker.py:232] Memory profiling results: total_gpu_memory=79.11GiB "
            "initial_memory_usage=14.02GiB peak_torch_memory=15.19GiB",
        ),
        (31.5, "INFO", "gpu_executor.py:113] # GPU blocks: 27432, # CPU blocks: 2048"),
        (36.0, "INFO", "model_runner.py:1400] Capturing cudagraphs for decoding."),
        (49.2, "INFO", "model_runner.py:1518] Graph capturing finished in 13 secs, took 0.42 GiB"),
    ]
    uvicorn = (
        "INFO:     Started server process [1]",
        "INFO:     Waiting for application startup.",
        "INFO:     Application startup complete.",
        "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
    )
    return (
        *(
            (
                start + offset,
                "stderr" if level == "WARNING" else "stdout",
                f"{level} {_vllm_stamp(start + offset)} {text}",
            )
            for offset, level, text in engine
        ),
        *((start + 50.0 + i * 0.1, "stdout", text) for i, text in enumerate(uvicorn)),
    )


def vllm_dev() -> LogScript:
    """A local vLLM OpenAI-compatible server for Mistral 7B."""
    return LogScript(
        startup=_vllm_startup,
        period=2.0,
        line=_vllm_line,
        shutdown=(
            ("stdout", "INFO:     Shutting down"),
            ("stdout", "INFO:     Waiting for application shutdown."),
            ("stdout", "INFO:     Application shutdown complete."),
            ("stdout", "INFO:     Finished server process [1]"),
        ),
        cpus=1.4,
        memory=int(11.2 * _GIB),
    )


def _relative(*lines: tuple[float, str, str]) -> Callable[[float], tuple[Timed, ...]]:
    """A startup function for lines given as (seconds after start, stream, text)."""
    return lambda start: tuple((start + offset, stream, text) for offset, stream, text in lines)


def _bench_line(index: int, at: float) -> Line:
    sent = 30 + 15 * index
    errors = index // 9
    noise = unit_fraction("llm-bench", index)
    if index % 9 == 8:
        return "stderr", f"WARN request {sent}: upstream timed out after 30.0s (status 504)"
    return "stdout", (
        f"[{index + 1:>6}s] sent={sent} ok={sent - errors} err={errors} "
        f"rps={14 + 2 * noise:.1f} p50={380 + 60 * noise:.0f}ms p95={1250 + 200 * noise:.0f}ms "
        f"p99={1900 + 300 * noise:.0f}ms tok/s={1350 + 150 * noise:.0f}"
    )


def llm_bench() -> LogScript:
    """A load generator pointed at the local vLLM server."""
    return LogScript(
        startup=_relative(
            (0.0, "stdout", "llm-bench 0.3.1"),
            (
                0.2,
                "stdout",
                "target=http://vllm-dev:8000/v1 "
                "model=mistralai/Mistral-7B-Instruct-v0.3 concurrency=16 duration=24h",
            ),
            (0.3, "stdout", "warming up (30 requests)..."),
            (11.7, "stdout", "warm-up done in 11.4s"),
        ),
        period=1.0,
        line=_bench_line,
        shutdown=(("stderr", "interrupted: writing partial report to /results/run.json"),),
        cpus=0.35,
        memory=180 * 1024**2,
    )


def tokenizer_smoke() -> LogScript:
    """A tokenizer round-trip check that fails after a few seconds."""
    trace = (
        "Traceback (most recent call last):",
        '  File "/usr/local/lib/python3.11/runpy.py", line 198, in _run_module_as_main',
        '  File "/app/tokenizer_smoke/__main__.py", line 41, in <module>',
        "    check_round_trip(tok, samples)",
        '  File "/app/tokenizer_smoke/checks.py", line 88, in check_round_trip',
        '    raise AssertionError(f"round-trip mismatch on sample {i}: {text!r} != {back!r}")',
        "AssertionError: round-trip mismatch on sample 1377: '\\xa0café' != ' café'",
    )
    return LogScript(
        startup=_relative(
            (0.0, "stdout", "loading tokenizer from /models/llama3-70b"),
            (1.6, "stdout", "vocab size: 128256"),
            (1.7, "stdout", "round-trip check on 2000 samples..."),
            *((3.9 + i * 0.001, "stderr", text) for i, text in enumerate(trace)),
        ),
        runs_for=4.0,
        exit_code=1,
        cpus=0.9,
        memory=420 * 1024**2,
    )
