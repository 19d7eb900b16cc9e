"""Visible signatures (chữ ký số hiển thị): the appearance of a signature on the last page.

The official's signature is a box with the signer's name, organisation and time; the organisation's seal
is a red round stamp overlapping the left third of the official's box, as on paper (Decree 30/2020). Each
is drawn with fpdf2 in DejaVu (full Vietnamese coverage) and becomes the signature field's appearance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fpdf import FPDF

from signing.forms.dates import in_vietnam
from signing.forms.layout import FONT_FAMILY, add_fonts

# Boxes in PDF points (x1, y1, x2, y2) from the bottom left of an A4 page.
OFFICIAL_BOX = (340.0, 60.0, 560.0, 130.0)
SEAL_SIZE = 100.0
SEAL_BOX = (OFFICIAL_BOX[0] - SEAL_SIZE / 2, 45.0, OFFICIAL_BOX[0] + SEAL_SIZE / 2, 45.0 + SEAL_SIZE)
RED = (200, 16, 46)
BLUE = (20, 40, 120)
MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class Appearance:
    """Where a visible signature goes (last page, box in points) and what it looks like (a one-page PDF)."""

    box: tuple[float, float, float, float]
    pdf: bytes


def official_appearance(name: str, organisation: str, signed_at: dt.datetime) -> Appearance:
    """A blue box: "Ký bởi" the official, their organisation, and the time in Vietnam."""
    pdf = _canvas(OFFICIAL_BOX)
    width = (OFFICIAL_BOX[2] - OFFICIAL_BOX[0]) * MM_PER_PT
    pdf.set_draw_color(*BLUE)
    pdf.set_text_color(*BLUE)
    pdf.set_line_width(0.4)
    pdf.rect(0.5, 0.5, width - 1, (OFFICIAL_BOX[3] - OFFICIAL_BOX[1]) * MM_PER_PT - 1)
    pdf.set_xy(3, 3)
    lines = (("B", 9, "Ký bởi: " + name), ("", 8, organisation),
             ("", 8, "Thời gian ký: " + in_vietnam(signed_at).strftime("%H:%M %d/%m/%Y")))
    for style, size, text in lines:
        pdf.set_font(FONT_FAMILY, style, size)
        pdf.multi_cell(width - 6, 4.2, text, new_x="LMARGIN", new_y="NEXT")
    return Appearance(OFFICIAL_BOX, bytes(pdf.output()))


def seal_appearance(organisation: str) -> Appearance:
    """A red round seal with the organisation's name."""
    pdf = _canvas(SEAL_BOX)
    size = SEAL_SIZE * MM_PER_PT
    pdf.set_draw_color(*RED)
    pdf.set_text_color(*RED)
    pdf.set_line_width(0.8)
    pdf.ellipse(1, 1, size - 2, size - 2)
    pdf.set_line_width(0.3)
    pdf.ellipse(4, 4, size - 8, size - 8)
    pdf.set_font(FONT_FAMILY, "B", 7)
    pdf.set_xy(6, size / 2 - 6)
    pdf.multi_cell(size - 12, 3.5, organisation.upper(), align="C")
    return Appearance(SEAL_BOX, bytes(pdf.output()))


def _canvas(box: tuple[float, float, float, float]) -> FPDF:
    width, height = (box[2] - box[0]) * MM_PER_PT, (box[3] - box[1]) * MM_PER_PT
    pdf = FPDF(unit="mm", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    add_fonts(pdf)
    pdf.add_page()
    return pdf
