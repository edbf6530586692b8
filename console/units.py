"""Numbers as a metrics panel shows them: by unit, short, and never misleading.

``format_value(0.0523, "ratio")`` is ``"5.23%"``, ``format_value(0.25, "s")`` is
``"250 ms"``, ``format_value(3.2e9, "bytes")`` is ``"2.98 GiB"``. NaN and infinities
are written as Prometheus writes them.
"""

from __future__ import annotations

import math
from typing import Literal, get_args

#: The units a panel's values can be in: requests per second, a 0-1 ratio shown as
#: a percentage, a 0-100 percentage, seconds, bytes, or a plain number ("").
Unit = Literal["", "req/s", "ratio", "%", "s", "bytes"]
UNITS: tuple[str, ...] = get_args(Unit)

_SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))
_IEC = ((2**50, "PiB"), (2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB"))
_SUBSECOND = ((1e-3, 1e3, "ms"), (1e-6, 1e6, "µs"), (1e-9, 1e9, "ns"))


def _digits(value: float) -> str:
    """``value`` with three significant digits, without a trailing ``.0``."""
    text = f"{value:.3g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def _si(value: float) -> str:
    magnitude = abs(value)
    for factor, prefix in _SI:
        if magnitude >= factor:
            return f"{_digits(value / factor)}{prefix}"
    return _digits(value)


def format_value(value: float, unit: Unit | str = "") -> str:
    """``value`` in ``unit``: three significant digits and a scaled suffix.

    Returns ``"NaN"``, ``"+Inf"`` or ``"-Inf"`` for those values whatever the unit;
    an unknown unit is appended after a plain number.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if unit == "req/s":
        return f"{_si(value)} req/s"
    if unit == "ratio":
        return f"{_digits(value * 100)}%"
    if unit == "%":
        return f"{_digits(value)}%"
    if unit == "s":
        return _seconds(value)
    if unit == "bytes":
        return _bytes(value)
    return f"{_si(value)} {unit}" if unit else _si(value)


def _seconds(value: float) -> str:
    magnitude = abs(value)
    if magnitude == 0 or magnitude >= 1:
        return f"{_digits(value)} s"
    for floor, scale, suffix in _SUBSECOND:
        if magnitude >= floor:
            return f"{_digits(value * scale)} {suffix}"
    return f"{_digits(value * 1e9)} ns"


def _bytes(value: float) -> str:
    magnitude = abs(value)
    for factor, suffix in _IEC:
        if magnitude >= factor:
            return f"{_digits(value / factor)} {suffix}"
    return f"{_digits(value)} B"
