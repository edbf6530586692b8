"""The console's configuration: one TOML file, validated strictly.

Found by ``--config``, then ``$OPSCONSOLE_CONFIG``, then the platform config
directory (``~/.config/opsconsole/config.toml`` on Linux). No file at all is
fine: every field has a default, and with no kubeconfig either the console runs
on the sandbox. Unknown keys are refused, and every error names the file, the key
and what is allowed (``ConfigError``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from console.panels import DEPLOYMENT_PANELS, OVERVIEW_PANELS, Panel
from console.timerange import RangeError, parse_range

ENV_VAR = "OPSCONSOLE_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KubernetesConfig(_Section):
    kubeconfig: Path | None = None
    """Path of the kubeconfig; unset means $KUBECONFIG, then ~/.kube/config."""
    context: str | None = None
    """Context to open; unset means the kubeconfig's current-context."""
    namespace: str | None = None
    """Namespace to open in; unset or "" means all namespaces."""
    read_only_contexts: list[str] = []
    """Contexts in which every mutation is refused, as with --read-only."""
    protected_contexts: list[str] = []
    """Contexts in which a mutation must be confirmed by typing the object's name."""
    request_timeout: Annotated[float, Field(gt=0, le=300)] = 10.0
    """Seconds before an API call is abandoned (0 < t <= 300)."""


class PrometheusConfig(_Section):
    url: str | None = None
    """Base URL of a Prometheus-compatible API (Prometheus, Thanos, Mimir, VictoriaMetrics)."""
    timeout: Annotated[float, Field(gt=0, le=10)] = 10.0
    """Seconds before a query is abandoned (0 < t <= 10); timeouts are never retried."""
    headers: dict[str, SecretStr] = {}
    """Extra HTTP headers, e.g. Authorization; never shown or logged."""
    verify_tls: bool = True
    """Verify the server's TLS certificate."""


class DockerConfig(_Section):
    host: str | None = None
    """Docker endpoint (unix://, tcp://, ssh://); unset: $DOCKER_HOST, then the local socket."""
    timeout: Annotated[float, Field(gt=0, le=300)] = 10.0
    """Seconds before a Docker API call is abandoned."""


class UiConfig(_Section):
    theme: str = "textual-dark"
    """A Textual theme name (textual-dark, textual-light, nord, gruvbox, …)."""
    refresh_seconds: Annotated[float, Field(ge=0.25, le=60)] = 2.0
    """How often polled panels (metrics, GPU) refresh; watched lists update live."""


class SandboxConfig(_Section):
    seed: int = 7
    """Seed of the simulated platform; the same seed gives the same world."""
    pods: Annotated[int, Field(ge=1, le=100_000)] | None = None
    """Grow the world to about this many pods (benchmarks)."""
    nodes: Annotated[int, Field(ge=1, le=10_000)] | None = None
    """Grow the world to this many nodes."""
    speed: Annotated[float, Field(gt=0, le=100)] = 1.0
    """Simulated seconds per real second."""


class AuditConfig(_Section):
    path: Path | None = None
    """Audit log (JSON Lines); unset means the user state directory's opsconsole/audit.jsonl."""


class OperationsConfig(_Section):
    max_replicas: Annotated[int, Field(ge=1, le=10_000)] = 100
    """The largest replica count the scale dialog accepts."""


class MetricsConfig(_Section):
    default_range: str = "1h"
    """The time range charts open with (15m, 1h, 6h, 24h, or any such as 2h or 1h30m)."""
    panels: tuple[Panel, ...] = OVERVIEW_PANELS
    """The panels of the Metrics area ([[metrics.panels]]: title, query, unit, thresholds,
    legend)."""
    deployment_panels: tuple[Panel, ...] = DEPLOYMENT_PANELS
    """The panels `m` opens for a Deployment; $namespace and $deployment are filled in."""

    @field_validator("default_range")
    @classmethod
    def _a_range(cls, value: str) -> str:
        try:
            parse_range(value)
        except RangeError as exc:
            raise ValueError(str(exc)) from None
        return value


class Config(_Section):
    """The whole configuration file."""

    kubernetes: KubernetesConfig = KubernetesConfig()
    prometheus: PrometheusConfig = PrometheusConfig()
    docker: DockerConfig = DockerConfig()
    ui: UiConfig = UiConfig()
    metrics: MetricsConfig = MetricsConfig()
    keymap: dict[str, str] = {}
    """Binding id -> keys (comma-separated), e.g. quit = "ctrl+q"."""
    sandbox: SandboxConfig = SandboxConfig()
    audit: AuditConfig = AuditConfig()
    operations: OperationsConfig = OperationsConfig()
    source: Path | None = Field(default=None, exclude=True)
    """The file this was read from (None for defaults)."""


class ConfigError(Exception):
    """A configuration that cannot be used: names the file, the key and the fix.

    ``key`` and ``message`` describe the first problem; ``problems`` holds every
    (key, message) found, and ``str()`` lists them one per line.
    """

    def __init__(
        self,
        path: Path | None,
        key: str,
        message: str,
        more: list[tuple[str, str]] | None = None,
    ) -> None:
        self.path = path
        self.key = key
        self.message = message
        self.problems = [(key, message), *(more or [])]
        where = str(path) if path else "<defaults>"
        super().__init__(
            "\n".join(f"{where}: {k}: {m}" if k else f"{where}: {m}" for k, m in self.problems)
        )


def default_path() -> Path:
    """The platform config directory's config.toml (it may not exist)."""
    from platformdirs import user_config_path

    return user_config_path("opsconsole") / "config.toml"


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The config file to read: ``explicit``, then $OPSCONSOLE_CONFIG, then the default
    path if it exists. Raises ``ConfigError`` when an explicitly named file is missing."""
    for candidate, origin in ((explicit, "--config"), (os.environ.get(ENV_VAR), ENV_VAR)):
        if candidate:
            path = Path(candidate).expanduser()
            if not path.is_file():
                raise ConfigError(path, "", f"no such file (named by {origin})")
            return path
    path = default_path()
    return path if path.is_file() else None


def load_config(path: Path | None) -> Config:
    """Read and validate ``path`` (defaults when None). Raises ``ConfigError``."""
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(path, "", f"cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "", "is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"is not valid TOML: {exc}") from exc
    return parse_config(raw, path)


def parse_config(raw: dict[str, Any], path: Path | None = None) -> Config:
    """Validate an already-parsed TOML document. Raises ``ConfigError`` for the first problem."""
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            problems.append((key, _explain(err, key)))
        raise ConfigError(path, *problems[0], more=problems[1:]) from None
    keymap_problem = _check_keymap(config.keymap)
    if keymap_problem:
        raise ConfigError(path, f"keymap.{keymap_problem[0]}", keymap_problem[1])
    return config.model_copy(update={"source": path})


def _explain(err: Any, key: str) -> str:
    kind = err["type"]
    section = key.rsplit(".", 1)[0]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(key)
        return f"unknown key; allowed here: {', '.join(allowed)}" if allowed else "unknown key"
    given = err.get("input")
    shown = f" (got {given!r})" if given is not None and not isinstance(given, dict) else ""
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{err['msg'].lower()}{shown}"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{err['msg'].lower()}{shown}"
    return f"{err['msg']}{shown} (see config.example.toml, section [{section}])"


def _allowed_keys(key: str) -> list[str]:
    model: type[BaseModel] = Config
    for part in key.split(".")[:-1]:
        field = model.model_fields.get(part)
        ann = field.annotation if field else None
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return []
        model = ann
    return [name for name in model.model_fields if name != "source"]


def _check_keymap(keymap: dict[str, str]) -> tuple[str, str] | None:
    for binding_id, keys in keymap.items():
        parts = [k.strip() for k in keys.split(",")]
        if not keys.strip() or any(not p or " " in p for p in parts):
            return binding_id, (
                f"{keys!r} is not a key list; use key names separated by commas, "
                'e.g. "ctrl+q,f10"'
            )
    return None


def describe(config: Config) -> str:
    """The resolved configuration as TOML-like text, secrets masked (for check-config)."""
    lines = [f"# resolved from {config.source or 'defaults (no config file)'}"]
    data = config.model_dump(mode="json", exclude={"source"})
    for section, values in data.items():
        if isinstance(values, dict):
            lines.append(f"\n[{section}]")
            for k, v in values.items():
                if section == "prometheus" and k == "headers":
                    v = {name: "********" for name in v}
                lines.append(f"# {k} is unset" if v is None else f"{k} = {_toml_value(v)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)
