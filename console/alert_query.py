"""An alerting rule's expression as a chart: the measured quantity and its threshold.

``ModelServerHighErrorRate`` is ``<error ratio> > 0.05``; its chart plots the
error ratio with a line at 0.05, over the last hour, for the alert's own series.
The split reads PromQL's top level only (brackets, braces and strings are
skipped), so ``a > 5 or b * 100 > 5`` becomes ``a or b * 100`` with 5, and an
expression it cannot split is charted as it is, without a threshold.
"""

from __future__ import annotations

import re

from console.models import Alert, AlertRule
from console.panels import Panel

_COMPARISON = re.compile(r"==|!=|>=|<=|>|<")
_OPEN, _CLOSE = "([{", ")]}"
_QUOTES = "\"'`"


def _top_level(expr: str) -> list[bool]:
    """For each character of ``expr``: whether it is outside every bracket and string."""
    flags, depth, quote, escaped = [], 0, "", False
    for ch in expr:
        if quote:
            flags.append(False)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
            continue
        if ch in _QUOTES:
            quote = ch
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        flags.append(depth == 0 and not quote and ch not in _CLOSE)
    return flags


def _split_words(expr: str, words: tuple[str, ...]) -> list[str] | None:
    """``expr`` split at top-level ``words[0]``; None if any of ``words[1:]`` is at the
    top level too (a set operation this module does not take apart)."""
    top = _top_level(expr)
    parts, start = [], 0
    for m in re.finditer(r"\b(or|and|unless)\b", expr):
        if not all(top[m.start():m.end()]):
            continue
        if m[1] != words[0]:
            return None
        parts.append(expr[start:m.start()])
        start = m.end()
    parts.append(expr[start:])
    return [p.strip() for p in parts]


def _comparison(expr: str) -> tuple[str, str, float] | None:
    """(left side, operator, number) of ``expr`` when its last top-level operator is a
    comparison against a number (``bool`` allowed), else None."""
    top = _top_level(expr)
    found = [m for m in _COMPARISON.finditer(expr) if all(top[m.start():m.end()])]
    if not found:
        return None
    last = found[-1]
    right = expr[last.end():].strip().removeprefix("bool").strip()
    try:
        return expr[:last.start()].strip(), last[0], float(right)
    except ValueError:
        return None


def split_threshold(expr: str) -> tuple[str, float | None]:
    """The query to chart for an alerting ``expr`` and its threshold.

    Returns ``(left side, number)`` for ``left OP number`` (``OP`` a comparison), and
    for an ``or`` of such comparisons against one number; otherwise ``(expr, None)``.
    """
    parts = _split_words(expr, ("or", "and", "unless"))
    if not parts:
        return expr, None
    found = [_comparison(p) for p in parts]
    if any(f is None for f in found):
        return expr, None
    sides = [f for f in found if f is not None]
    if len({(op, number) for _, op, number in sides}) != 1:
        return expr, None
    return " or ".join(left for left, _, _ in sides), sides[0][2]


def alert_panel(alert: Alert, rule: AlertRule) -> Panel:
    """The chart of ``alert``: its rule's measured quantity with the threshold drawn as
    a line (the whole expression when it has none), for the alert's series only."""
    query, threshold = split_threshold(rule.expr)
    focus = {k: v for k, v in alert.labels.items() if k not in ("alertname", *rule.labels)}
    return Panel(title=f"{alert.name} · {query}", query=query, focus=focus,
                 thresholds=() if threshold is None else (threshold,))
