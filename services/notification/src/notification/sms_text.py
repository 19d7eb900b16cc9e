"""SMS text: Vietnamese without diacritics, and how many segments a text costs (GSM-7 or UCS-2).

A text made only of the GSM 03.38 default alphabet (an extension character counts twice) travels as GSM-7:
160 characters in one SMS, 153 per part when concatenated. Any other character, a Vietnamese letter with a
diacritic for one, makes the whole text UCS-2: 70 UTF-16 units in one SMS, 67 per part.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
LIMITS = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


@dataclass(frozen=True)
class SmsCount:
    encoding: str  # GSM-7 or UCS-2
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def without_diacritics(text: str) -> str:
    """Vietnamese letters without their marks (ế -> e, đ -> d, Đ -> D): a text GSM-7 can carry."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def count(text: str) -> SmsCount:
    """The encoding a text needs and the segments it takes."""
    if is_gsm7(text):
        encoding, units = "GSM-7", sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    else:
        encoding, units = "UCS-2", len(text.encode("utf-16-le")) // 2
    single, part = LIMITS[encoding]
    return SmsCount(encoding, units, 1 if units <= single else math.ceil(units / part))
