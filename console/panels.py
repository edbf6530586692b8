"""Metrics panels: a named PromQL query with its unit, thresholds and legend, the
built-in panel sets, and what a chart makes of a query's answer.

The per-deployment set is written with ``$namespace`` and ``$deployment``
placeholders (as Grafana writes dashboard variables) and filled in for one
Deployment by ``for_deployment``; the metric names are those the sandbox serves
and real exporters use (``model_requests_total``, DCGM's ``DCGM_FI_DEV_*``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from console.models import QueryResult, Series
from console.units import Unit


class Panel(BaseModel):
    """One chart: a PromQL range query and how to show its series."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    """Shown above the chart."""
    query: str
    """A PromQL expression returning an instant vector; $namespace and $deployment are
    filled in for per-deployment panels."""
    unit: Unit = ""
    """How values are written: "req/s", "ratio" (0-1 as %), "%", "s", "bytes" or ""."""
    thresholds: tuple[float, ...] = ()
    """Values drawn as horizontal lines (e.g. an alert's threshold)."""
    legend: str = ""
    """Series name template, e.g. "{{pod}} {{code}}"; "" names a series by its labels."""
    focus: dict[str, str] = {}
    """Show only the series agreeing with these labels (an alert's); {} shows all."""


_SELECTOR = 'namespace="$namespace", deployment="$deployment"'
_GPU_SELECTOR = 'namespace="$namespace", pod=~"$deployment-[a-z0-9]+-[a-z0-9]+"'
_BUCKETS = f"sum by (le) (rate(model_request_duration_seconds_bucket{{{_SELECTOR}}}[5m]))"

#: Panels opened with ``m`` on a Deployment.
DEPLOYMENT_PANELS: tuple[Panel, ...] = (
    Panel(title="Requests/s", unit="req/s", legend="{{code}}",
          query=f"sum by (code) (rate(model_requests_total{{{_SELECTOR}}}[5m]))"),
    Panel(title="Error ratio (5xx)", unit="ratio", thresholds=(0.05,), legend="5xx",
          query=f'sum(rate(model_requests_total{{{_SELECTOR}, code=~"5.."}}[5m])) / '
                f"sum(rate(model_requests_total{{{_SELECTOR}}}[5m]))"),
    Panel(title="Latency p50", unit="s", legend="p50",
          query=f"histogram_quantile(0.5, {_BUCKETS})"),
    Panel(title="Latency p99", unit="s", thresholds=(2.5,), legend="p99",
          query=f"histogram_quantile(0.99, {_BUCKETS})"),
    Panel(title="GPU utilisation", unit="%", legend="{{pod}}",
          query=f"avg by (pod) (DCGM_FI_DEV_GPU_UTIL{{{_GPU_SELECTOR}}}) or "
                f"avg by (pod) (DCGM_FI_PROF_GR_ENGINE_ACTIVE{{{_GPU_SELECTOR}}}) * 100"),
    Panel(title="GPU memory used", unit="bytes", legend="{{pod}}",
          query=f"sum by (pod) (DCGM_FI_DEV_FB_USED{{{_GPU_SELECTOR}}}) * 1048576"),
)

#: Panels the Metrics area opens with: the platform at a glance.
OVERVIEW_PANELS: tuple[Panel, ...] = (
    Panel(title="Requests/s by deployment", unit="req/s", legend="{{deployment}}",
          query="sum by (deployment) (rate(model_requests_total[5m]))"),
    Panel(title="Error ratio by deployment", unit="ratio", thresholds=(0.05,),
          legend="{{deployment}}",
          query='sum by (deployment) (rate(model_requests_total{code=~"5.."}[5m])) / '
                "sum by (deployment) (rate(model_requests_total[5m]))"),
    Panel(title="Latency p99 by deployment", unit="s", thresholds=(2.5,), legend="{{deployment}}",
          query="histogram_quantile(0.99, sum by (deployment, le) "
                "(rate(model_request_duration_seconds_bucket[5m])))"),
    Panel(title="GPU utilisation by node", unit="%", legend="{{Hostname}}",
          query="avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)"),
    Panel(title="GPU memory used by node", unit="bytes", legend="{{Hostname}}",
          query="sum by (Hostname) (DCGM_FI_DEV_FB_USED) * 1048576"),
    Panel(title="Container CPU by namespace", legend="{{namespace}}",
          query="sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))"),
)


def _label_value(text: str) -> str:
    """``text`` escaped for a double-quoted PromQL label value."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _regex_value(text: str) -> str:
    """``text`` matched literally by an RE2 regex inside a double-quoted PromQL
    string (each metacharacter behind a backslash, itself escaped)."""
    return _label_value(re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", text))


def for_deployment(panels: Iterable[Panel], namespace: str, deployment: str) -> list[Panel]:
    """``panels`` with ``$namespace``/``$deployment`` (or ``${…}``) replaced by the
    Deployment's (escaped for a label value, and for a regex where the template
    puts one), titled with the Deployment's name."""
    values = {"namespace": _label_value(namespace), "deployment": _label_value(deployment)}
    regex_safe = {"namespace": _regex_value(namespace), "deployment": _regex_value(deployment)}

    def fill(query: str) -> str:
        def one(m: re.Match[str]) -> str:
            name = m[1] or m[2]
            # Inside a regex matcher when the string it sits in was opened by =~ or !~.
            opened = query.rfind('"', 0, m.start())
            in_regex = query[max(0, opened - 2):opened] in ("=~", "!~")
            return regex_safe[name] if in_regex else values[name]

        return re.sub(r"\$\{(namespace|deployment)\}|\$(namespace|deployment)\b", one, query)

    return [p.model_copy(update={"query": fill(p.query), "title": f"{p.title} · {deployment}"})
            for p in panels]


_TEMPLATE = re.compile(r"\{\{\s*\.?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def series_name(template: str, labels: dict[str, str], fallback: str) -> str:
    """A series' legend name: ``template`` with ``{{label}}`` filled in, or, with no
    template, its labels as ``{k="v", …}`` (``fallback`` when it has none)."""
    if template:
        return _TEMPLATE.sub(lambda m: labels.get(m[1], ""), template).strip() or fallback
    shown = {k: v for k, v in labels.items() if k != "__name__"}
    if not shown:
        return labels.get("__name__") or fallback
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(shown.items()))
    return f"{labels.get('__name__', '')}{{{inner}}}"


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One line of a chart: its legend name and its points."""

    name: str
    points: tuple[tuple[float, float], ...]

    @property
    def last(self) -> float | None:
        """The newest value, or None for a series without points."""
        return self.points[-1][1] if self.points else None


def chart_series(panel: Panel, result: QueryResult) -> list[ChartSeries]:
    """The lines a chart of ``panel`` draws for ``result`` (those of its ``focus``, if
    any agree with it), sorted by name."""
    shown = only_matching(result.series, panel.focus) if panel.focus else result.series
    lines = [ChartSeries(series_name(panel.legend, s.labels, panel.title), s.points)
             for s in shown]
    return sorted(lines, key=lambda line: line.name)


def digest(result: QueryResult) -> int:
    """A fingerprint of ``result``'s series and warnings: equal fingerprints mean a
    chart has nothing new to draw."""
    return hash((result.warnings, tuple((tuple(sorted(s.labels.items())), s.points)
                                        for s in result.series)))


def value_at(points: Sequence[tuple[float, float]], t: float) -> float | None:
    """The value a series had at ``t``: its last point at or before ``t`` (None when
    it had none yet)."""
    found = None
    for when, value in points:
        if when > t:
            break
        found = value
    return found


def only_matching(series: Iterable[Series], labels: dict[str, str]) -> list[Series]:
    """The series whose every label agrees with ``labels`` where both have it (an
    alert's series among its expression's), or all of them if none does."""
    chosen = [s for s in series
              if all(labels.get(k, v) == v for k, v in s.labels.items() if k != "__name__")]
    return chosen or list(series)
