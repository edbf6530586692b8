"""Kubernetes resource quantities ("500m", "2", "1Gi", "1e3", "1.5k") as exact numbers.

The grammar is the API's own (``k8s.io/apimachinery/pkg/api/resource``)::

    quantity ::= <signedNumber><suffix>
    suffix   ::= <binarySI> | <decimalSI> | <decimalExponent>
    binarySI ::= Ki | Mi | Gi | Ti | Pi | Ei
    decimalSI ::= n | u | m | "" | k | M | G | T | P | E
    decimalExponent ::= "e" <signedNumber> | "E" <signedNumber>

Values are parsed into ``Fraction`` so that nothing is lost to floating point, and
converted to integers the way the API does it: rounding up (``Value()``,
``MilliValue()``).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 10**3),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
_QUANTITY = re.compile(
    r"""
    (?P<number>[+-]?(?:\d+\.?\d*|\.\d+))        # 1, 1., 1.5, .5 with an optional sign
    (?:
        (?P<binary>Ki|Mi|Gi|Ti|Pi|Ei)
      | [eE](?P<exponent>[+-]?\d+)
      | (?P<decimal>[numkMGTPE]?)
    )
    """,
    re.VERBOSE,
)


def parse_quantity(text: str | int | float) -> Fraction:
    """The exact value of a quantity string (numbers are accepted as they are).

    Raises ``ValueError`` for anything the API would refuse ("1.2.3", "5 Mi",
    "1KB", "", "Gi").
    """
    if isinstance(text, bool):
        raise ValueError(f"not a quantity: {text!r}")
    if isinstance(text, int):
        return Fraction(text)
    if isinstance(text, float):
        return Fraction(str(text))
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise ValueError(f"not a quantity: {text!r}")
    number = Fraction(match["number"])
    if match["binary"]:
        return number * _BINARY[match["binary"]]
    if match["exponent"] is not None:
        return number * Fraction(10) ** int(match["exponent"])
    return number * _DECIMAL[match["decimal"] or ""]


def quantity_value(text: str | int | float) -> int:
    """The quantity as a whole number, rounded up (bytes, GPUs, pods): "1Gi" ->
    1073741824, "1500m" -> 2. Raises ``ValueError`` like ``parse_quantity``."""
    return math.ceil(parse_quantity(text))


def quantity_millis(text: str | int | float) -> int:
    """The quantity in thousandths, rounded up (CPU millicores): "500m" -> 500,
    "2" -> 2000, "0.1" -> 100. Raises ``ValueError`` like ``parse_quantity``."""
    return math.ceil(parse_quantity(text) * 1000)
