"""Kubernetes resource quantities (``500m``, ``64Mi``, ``1.5``, ``2e9``) as numbers.

The scheduler and the QoS rules compare quantities; they work in integer
milli-units so that ``0.1`` CPU and ``100m`` are the same value exactly.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
            "P": Decimal("1e15"), "E": Decimal("1e18")}


@lru_cache(maxsize=4096)
def milli(quantity: str | int | float) -> int:
    """The quantity in thousandths of its base unit, rounded up (as the API
    server rounds ``MilliValue``). Raises ``ValueError`` for a malformed quantity."""
    text = str(quantity).strip()
    suffix = text[-2:] if text[-2:] in _BINARY else ""
    if suffix:
        number, scale = text[:-2], Decimal(_BINARY[suffix])
    elif text and text[-1] in _DECIMAL and not text[-1].isdigit():
        number, scale = text[:-1], _DECIMAL[text[-1]]
    else:
        number, scale = text, Decimal(1)
    try:
        value = Decimal(number) * scale * 1000
    except InvalidOperation as exc:
        raise ValueError(f"quantities must match the regular expression: {text!r}") from exc
    if value < 0 or not value.is_finite():
        raise ValueError(f"quantity must be a finite, non-negative number: {text!r}")
    return int(value.to_integral_value(rounding="ROUND_CEILING"))


def value(quantity: str | int | float) -> int:
    """The quantity in whole base units (bytes, GPUs), rounded up."""
    return -(-milli(quantity) // 1000)
