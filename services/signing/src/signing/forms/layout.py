"""The shared layout of administrative documents (Decree 30/2020 style) on A4, drawn with fpdf2.

Agency block left, national motto right, number and place-date line, title, body, signature block on the
right and a QR code with its caption at the bottom left of the last page (the receipt stacks a second one
above it). Text flows onto further pages,
which carry their number at the top; tables repeat their heading row on each page.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import (
    Align,
    MethodReturnValue,
    TableHeadingsDisplay,
    VAlign,
    WrapMode,
    XPos,
    YPos,
)
from fpdf.fonts import FontFace

from signing.fonts import FONT_FILES
from signing.forms.catalog import COMMON
from signing.forms.dates import in_vietnam, place_and_date
from signing.forms.model import FormHeader

FONT_FAMILY = "DejaVuSerif"
DEBIAN_FONTS = "/usr/share/fonts/truetype/dejavu"
PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
MARGIN_LEFT = 30.0
MARGIN_RIGHT = 20.0
MARGIN_TOP = 20.0
MARGIN_BOTTOM = 20.0
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
HEADER_LEFT_X = MARGIN_LEFT - 10.0
HEADER_LEFT_WIDTH = 70.0
HEADER_RIGHT_X = HEADER_LEFT_X + HEADER_LEFT_WIDTH
HEADER_RIGHT_WIDTH = PAGE_WIDTH - 10.0 - HEADER_RIGHT_X
PAGE_NUMBER_Y = 10.0
BODY_SIZE = 12.0
LINE_HEIGHT = 6.5
SIGNATURE_WIDTH = 80.0
SIGNATURE_GAP = 20.0
# The closing blocks may reach below the bottom margin: nothing follows them.
PAGE_FOOT = PAGE_HEIGHT - 12.0
QR_SIZE = 28.0
QR_CAPTION_WIDTH = 46.0
QR_CLEARANCE = 4.0
# Two codes stacked (the receipt's lookup and rating links) are a little smaller, so that both fit beside the
# signature block under a long body; at 25 mm a rating link's modules are still half a millimetre wide.
STACKED_QR_SIZE = 25.0
QR_GAP = 3.0
# Addresses under QR codes: small enough that a rating link (about 150 characters) stays beside its code.
URL_SIZE = 7.0
URL_LINE_HEIGHT = 3.2
HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))


class FormPdf(FPDF):
    """An A4 portrait document whose pages after the first carry their number, centred at the top."""

    def header(self) -> None:
        if self.page_no() < 2:
            return
        self.set_font(FONT_FAMILY, "", 11)
        self.set_xy(MARGIN_LEFT, PAGE_NUMBER_Y)
        self.cell(CONTENT_WIDTH, 5.0, COMMON["page"].format(page=self.page_no()), align=Align.C)
        self.set_xy(MARGIN_LEFT, MARGIN_TOP)


@lru_cache(maxsize=1)
def font_directory() -> Path:
    """The fonts documents are drawn with: DejaVu Serif from MOTCUA_SIGNING_FONT_DIR (or where Debian's
    fonts-dejavu packages put it), cut once per process to `signing.fonts.SCRIPTS`, in a private directory.

    fpdf2 parses the whole font file for every document and subsets it again when writing one; DejaVu Serif
    carries 3,500 glyphs, of which the scripts documents are written in need half, so each document costs a
    third less CPU (a result, 96 → 64 ms) and memory. A character outside SCRIPTS is drawn as a box, as one
    outside DejaVu is.
    """
    source = Path(os.environ.get("MOTCUA_SIGNING_FONT_DIR") or DEBIAN_FONTS)
    missing = [name for name in FONT_FILES.values() if not (source / name).is_file()]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not found in {source}: install Debian's fonts-dejavu-core and "
                           "fonts-dejavu-extra, or set MOTCUA_SIGNING_FONT_DIR to a directory holding them")
    target = Path(tempfile.mkdtemp(prefix="motcua-fonts-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    # In a child process: subsetting three whole fonts builds about 10 MB of Python objects, and the arenas
    # they filled would stay this long-lived process's after they are freed.
    cut = subprocess.run([sys.executable, "-m", "signing.fonts", str(source), str(target)],
                         capture_output=True, text=True, check=False)
    if cut.returncode != 0:
        raise RuntimeError(f"cannot cut the fonts of {source}: {cut.stderr.strip()[-2000:]}")
    return target


def add_fonts(pdf: FPDF) -> None:
    """Make the regular, bold and italic DejaVu Serif available to a document."""
    fonts = font_directory()
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT_FAMILY, style, str(fonts / name))


def new_document(*, title: str, subject: str, author: str, created: dt.datetime) -> FormPdf:
    """Start a document with fixed metadata, so that the same content always gives the same bytes."""
    pdf = FormPdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(in_vietnam(created))
    pdf.set_producer("motcua")
    pdf.set_creator("motcua signing")
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_author(author)
    pdf.set_lang("vi-VN")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    add_fonts(pdf)
    pdf.add_page()
    return pdf


def open_form(*, title: str, header: FormHeader, dossier_code: str) -> FormPdf:
    """Start one of the dossier's forms: metadata, the national header, the title with the dossier code."""
    pdf = new_document(title=title, author=header.agency_name, created=header.issued_at,
                       subject=COMMON["subject"].format(title=title, dossier_code=dossier_code))
    draw_header(pdf, header)
    draw_title(pdf, title, COMMON["dossier_code"].format(dossier_code=dossier_code))
    return pdf


def procedure_field(pdf: FPDF, label: str, code: str, name: str) -> None:
    """The procedure a dossier asks for: "code - name" when the code is known, the name alone otherwise."""
    field(pdf, label, COMMON["procedure"].format(code=code, name=name) if code else name)


def draw_header(pdf: FPDF, header: FormHeader) -> None:
    """Draw the issuing agency and number on the left, the motto and the place-date line on the right."""
    pdf.set_xy(HEADER_LEFT_X, MARGIN_TOP)
    if header.parent_agency_name:
        pdf.set_font(FONT_FAMILY, "", 11)
        pdf.multi_cell(HEADER_LEFT_WIDTH, 5.5, header.parent_agency_name.upper(), align=Align.C,
                       new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(HEADER_LEFT_WIDTH, 5.5, header.agency_name.upper(), align=Align.C,
                   new_x=XPos.LEFT, new_y=YPos.NEXT)
    left_bottom = pdf.get_y() + 1.0
    _rule(pdf, HEADER_LEFT_X + HEADER_LEFT_WIDTH / 2, left_bottom, 22.0)
    pdf.set_xy(HEADER_RIGHT_X, MARGIN_TOP)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.cell(HEADER_RIGHT_WIDTH, 5.5, COMMON["motto_country"], align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.cell(HEADER_RIGHT_WIDTH, 6.0, COMMON["motto_values"], align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    right_bottom = pdf.get_y() + 0.5
    _rule(pdf, HEADER_RIGHT_X + HEADER_RIGHT_WIDTH / 2, right_bottom, pdf.get_string_width(COMMON["motto_values"]))
    line_y = max(left_bottom, right_bottom) + 3.0
    if header.document_number:
        pdf.set_xy(HEADER_LEFT_X, line_y)
        pdf.set_font(FONT_FAMILY, "", 12)
        pdf.multi_cell(HEADER_LEFT_WIDTH, 6.0, COMMON["number"].format(number=header.document_number),
                       align=Align.C)
    pdf.set_xy(HEADER_RIGHT_X, line_y)
    pdf.set_font(FONT_FAMILY, "I", 12)
    pdf.multi_cell(HEADER_RIGHT_WIDTH, 6.0, place_and_date(header.place_name, header.issued_at), align=Align.C)
    pdf.set_xy(MARGIN_LEFT, max(pdf.get_y(), line_y + 6.0))


def _rule(pdf: FPDF, centre_x: float, y: float, width: float) -> None:
    """Draw the short rule that sits under a header line."""
    pdf.set_line_width(0.3)
    pdf.line(centre_x - width / 2, y, centre_x + width / 2, y)


def draw_title(pdf: FPDF, title: str, *lines: str) -> None:
    """Draw the document's title, centred, then its sub-lines (such as the dossier code)."""
    pdf.set_xy(MARGIN_LEFT, pdf.get_y() + 10.0)
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.multi_cell(CONTENT_WIDTH, 7.5, title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "I", BODY_SIZE)
    for line in lines:
        pdf.multi_cell(CONTENT_WIDTH, LINE_HEIGHT, line, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(pdf.get_y() + 6.0)


def paragraph(pdf: FPDF, text: str, *, style: str = "", size: float = BODY_SIZE, space_before: float = 0.0,
              align: Align = Align.J) -> None:
    """Draw a paragraph across the content width; long text wraps and flows onto the next page."""
    pdf.set_xy(MARGIN_LEFT, pdf.get_y() + space_before)
    pdf.set_font(FONT_FAMILY, style, size)
    pdf.multi_cell(CONTENT_WIDTH, LINE_HEIGHT, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(pdf.get_y() + 1.0)


def field(pdf: FPDF, label: str, value: str) -> None:
    """Draw a bold label followed by its value on the same line; the value wraps to the margin."""
    pdf.set_x(MARGIN_LEFT)
    pdf.set_font(FONT_FAMILY, "B", BODY_SIZE)
    pdf.write(LINE_HEIGHT, f"{label} ")
    pdf.set_font(FONT_FAMILY, "", BODY_SIZE)
    pdf.write(LINE_HEIGHT, value)
    pdf.ln(LINE_HEIGHT + 1.0)


def numbered(pdf: FPDF, items: Sequence[str], *, indent: float = 8.0) -> None:
    """Draw a numbered list with a hanging indent."""
    pdf.set_font(FONT_FAMILY, "", BODY_SIZE)
    for number, text in enumerate(items, start=1):
        if pdf.will_page_break(LINE_HEIGHT):
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_xy(MARGIN_LEFT, top)
        pdf.cell(indent, LINE_HEIGHT, f"{number}.")
        pdf.set_xy(MARGIN_LEFT + indent, top)
        pdf.multi_cell(CONTENT_WIDTH - indent, LINE_HEIGHT, text, align=Align.J, new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        pdf.set_y(pdf.get_y() + 1.0)


def table(pdf: FPDF, *, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
          aligns: Sequence[Align], size: float = 10.0) -> None:
    """Draw a bordered table over the content width; rows that do not fit go on, under a repeated heading."""
    line_height = size * 0.47
    pdf.set_font(FONT_FAMILY, "", size)
    pdf.set_xy(MARGIN_LEFT, pdf.get_y() + 1.0)
    with pdf.table(width=CONTENT_WIDTH, col_widths=tuple(widths), text_align=tuple(aligns), align=Align.L,
                   v_align=VAlign.M, line_height=line_height, padding=(1.0, 1.0), headings_style=HEADINGS,
                   repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE) as grid:
        heading = grid.row()
        for text in headings:
            heading.cell(text, align=Align.C)
        for values in rows:
            row = grid.row()
            for text in values:
                row.cell(text)
    pdf.set_xy(MARGIN_LEFT, pdf.get_y() + 3.0)


def finish(pdf: FPDF, *, signer_title: str, signer_name: str, qr_url: str, qr_caption: str,
           upper_qr: tuple[str, str] | None = None) -> bytes:
    """Draw the signature block on the right and the QR code at the bottom left; return the PDF's bytes.

    `upper_qr` (address, caption) is a second QR code drawn above the first, in the same column. All go on the
    page where the body ends if the body leaves room for them, else on a page of their own.
    """
    codes = [(qr_url, qr_caption), *([upper_qr] if upper_qr else [])]
    size = STACKED_QR_SIZE if upper_qr else QR_SIZE
    tops = []
    bottom = PAGE_FOOT
    for url, caption in codes:
        tops.append(bottom - max(size, _caption_height(pdf, url, caption)))
        bottom = tops[-1] - QR_GAP
    signature_height = _signature_height(pdf, signer_title, signer_name)
    top = pdf.get_y() + 4.0
    if pdf.get_y() > tops[-1] - QR_CLEARANCE or top + signature_height > PAGE_FOOT:
        pdf.add_page()
        top = pdf.get_y()
    pdf.set_auto_page_break(False)
    _draw_signature(pdf, top, signer_title, signer_name)
    for (url, caption), qr_top in zip(codes, tops, strict=True):
        _draw_verification(pdf, qr_top, url, caption, size)
    return bytes(pdf.output())


def _signature_height(pdf: FPDF, title: str, name: str) -> float:
    """The height of the signature block: title, hint, room for the signature images, name."""
    pdf.set_font(FONT_FAMILY, "B", BODY_SIZE)
    lines = _line_count(pdf, SIGNATURE_WIDTH, title)
    return 6.0 * lines + 6.0 + (SIGNATURE_GAP + 6.0 if name else 0.0)


def _caption_height(pdf: FPDF, url: str, caption: str) -> float:
    """The height of the QR code's caption and the address printed under it."""
    pdf.set_font(FONT_FAMILY, "I", 9)
    caption_lines = _line_count(pdf, QR_CAPTION_WIDTH, caption)
    pdf.set_font(FONT_FAMILY, "", URL_SIZE)
    url_lines = _line_count(pdf, QR_CAPTION_WIDTH, url, wrapmode=WrapMode.CHAR)
    return 4.5 * caption_lines + URL_LINE_HEIGHT * url_lines + 1.0


def _line_count(pdf: FPDF, width: float, text: str, wrapmode: WrapMode = WrapMode.WORD) -> int:
    """How many lines `text` takes in the current font when wrapped to `width`."""
    lines = pdf.multi_cell(width, 5.0, text, wrapmode=wrapmode, dry_run=True, output=MethodReturnValue.LINES)
    assert isinstance(lines, list)
    return len(lines)


def _draw_signature(pdf: FPDF, top: float, title: str, name: str) -> None:
    """Draw where the official's and the organisation's digital signatures belong, with the signer's name."""
    x = MARGIN_LEFT + CONTENT_WIDTH - SIGNATURE_WIDTH
    pdf.set_xy(x, top)
    pdf.set_font(FONT_FAMILY, "B", BODY_SIZE)
    pdf.multi_cell(SIGNATURE_WIDTH, 6.0, title, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "I", 11)
    pdf.cell(SIGNATURE_WIDTH, 6.0, COMMON["signed_hint"], align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    if name:
        pdf.set_xy(x, pdf.get_y() + SIGNATURE_GAP)
        pdf.set_font(FONT_FAMILY, "B", BODY_SIZE)
        pdf.cell(SIGNATURE_WIDTH, 6.0, name, align=Align.C)


def _draw_verification(pdf: FPDF, top: float, url: str, caption: str, size: float) -> None:
    """Draw the QR code of an address at the bottom left, with its caption and the address beside it."""
    _draw_qr(pdf, url, MARGIN_LEFT, top, size)
    pdf.set_xy(MARGIN_LEFT + QR_SIZE + 4.0, top)
    pdf.set_font(FONT_FAMILY, "I", 9)
    pdf.multi_cell(QR_CAPTION_WIDTH, 4.5, caption, align=Align.L, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", URL_SIZE)
    pdf.multi_cell(QR_CAPTION_WIDTH, URL_LINE_HEIGHT, url, align=Align.L, wrapmode=WrapMode.CHAR)


def _draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    """Draw a QR code as filled vector rectangles, one per run of dark modules in a row."""
    qr = segno.make(data, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(border=0)]
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(rows):
        for start, length in _dark_runs(row):
            pdf.rect(x + start * module, y + row_index * module, length * module, module, style="F")


def _dark_runs(row: list[int]) -> list[tuple[int, int]]:
    """Return (start, length) of each run of dark modules in a row."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, dark in enumerate([*row, 0]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs
