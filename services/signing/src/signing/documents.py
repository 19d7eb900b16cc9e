"""Rendering of the result document (văn bản kết quả) as a deterministic A4 PDF in Vietnamese."""

from __future__ import annotations

import datetime as dt
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos

FONT_FAMILY = "DejaVuSerif"
FONT_FILES = {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf", "I": "DejaVuSerif-Italic.ttf"}
# Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset needs no tz database.
VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")

TEXT = {
    "motto_country": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "motto_values": "Độc lập - Tự do - Hạnh phúc",
    "title": "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ",
    "subtitle": "Thủ tục hành chính: {procedure}",
    "intro": "{agency} thông báo hồ sơ dưới đây đã được giải quyết xong:",
    "dossier_code": "Mã hồ sơ:",
    "procedure": "Thủ tục:",
    "applicant": "Người nộp hồ sơ:",
    "agency": "Cơ quan giải quyết:",
    "decided_at": "Thời điểm giải quyết:",
    "time": "{hour:02d} giờ {minute:02d} phút, {date}",
    "date": "ngày {day} tháng {month} năm {year}",
    "note": "Văn bản điện tử này được ký số theo quy định của pháp luật về giao dịch điện tử.",
    "verify": "Quét mã QR hoặc truy cập địa chỉ dưới đây để kiểm tra tính xác thực của văn bản:",
    "signer_title": "ĐẠI DIỆN CƠ QUAN GIẢI QUYẾT",
    "signer_hint": "(Ký số)",
    "metadata_subject": "Kết quả giải quyết hồ sơ {dossier_code}",
}

PAGE_FORMAT = "A4"
MARGIN_LEFT = 30.0
MARGIN_RIGHT = 20.0
MARGIN_TOP = 20.0
PAGE_WIDTH = 210.0
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
HEADER_LEFT_WIDTH = 62.0
LABEL_WIDTH = 52.0
LINE_HEIGHT = 6.5
QR_SIZE = 30.0
QR_TOP = 240.0
SIGNATURE_WIDTH = 80.0


@dataclass(frozen=True)
class ResultDocument:
    """What the result document says."""

    dossier_code: str
    procedure_name: str
    applicant_name: str
    agency_name: str
    decided_at: dt.datetime
    verify_url: str


def render_result_document(
    *,
    dossier_code: str,
    procedure_name: str,
    applicant_name: str,
    agency_name: str,
    decided_at: dt.datetime,
    verify_url: str,
) -> bytes:
    """Render the result document; the same arguments always give the same bytes."""
    doc = ResultDocument(
        dossier_code=dossier_code,
        procedure_name=procedure_name,
        applicant_name=applicant_name,
        agency_name=agency_name,
        decided_at=_in_vietnam(decided_at),
        verify_url=verify_url,
    )
    pdf = _new_pdf(doc)
    _draw_header(pdf, doc)
    _draw_body(pdf, doc)
    _draw_signature_area(pdf)
    _draw_verification(pdf, doc)
    return bytes(pdf.output())


def vietnamese_date(day: dt.date) -> str:
    """Format a date as administrative documents do: days below 10 and months below 3 take a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return TEXT["date"].format(day=f"{day.day:02d}", month=month, year=day.year)


def vietnamese_datetime(moment: dt.datetime) -> str:
    """Format a time of day and date in Vietnamese, e.g. '14 giờ 30 phút, ngày 17 tháng 02 năm 2026'."""
    return TEXT["time"].format(hour=moment.hour, minute=moment.minute, date=vietnamese_date(moment.date()))


def _in_vietnam(moment: dt.datetime) -> dt.datetime:
    """Express an aware time in Vietnam's time; a naive one is taken to be Vietnam's time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VIETNAM_TIME)
    return moment.astimezone(VIETNAM_TIME)


@lru_cache(maxsize=1)
def font_directory() -> Path:
    """Locate the DejaVu fonts shipped in matplotlib's data files, without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / "mpl-data" / "fonts" / "ttf"
        if all((candidate / name).is_file() for name in FONT_FILES.values()):
            return candidate
    raise RuntimeError("DejaVu fonts not found: the matplotlib package must be installed")


def _new_pdf(doc: ResultDocument) -> FPDF:
    """Create a one-page A4 document with fixed metadata and the embedded Vietnamese font."""
    pdf = FPDF(orientation="portrait", unit="mm", format=PAGE_FORMAT)
    pdf.set_creation_date(doc.decided_at)
    pdf.set_producer("motcua")
    pdf.set_creator("motcua signing")
    pdf.set_title(TEXT["title"])
    pdf.set_subject(TEXT["metadata_subject"].format(dossier_code=doc.dossier_code))
    pdf.set_author(doc.agency_name)
    pdf.set_lang("vi-VN")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(False)
    fonts = font_directory()
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT_FAMILY, style, str(fonts / name))
    pdf.add_page()
    return pdf


def _draw_header(pdf: FPDF, doc: ResultDocument) -> None:
    """Draw the issuing agency on the left and the national motto on the right."""
    right_x = MARGIN_LEFT + HEADER_LEFT_WIDTH
    right_width = CONTENT_WIDTH - HEADER_LEFT_WIDTH + 10.0
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.set_xy(MARGIN_LEFT - 10.0, MARGIN_TOP)
    pdf.multi_cell(HEADER_LEFT_WIDTH, 5.5, doc.agency_name.upper(), align=Align.C)
    agency_bottom = pdf.get_y()
    _underline(pdf, MARGIN_LEFT - 10.0 + HEADER_LEFT_WIDTH / 2, agency_bottom + 1.0, 20.0)
    pdf.set_xy(right_x, MARGIN_TOP)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.cell(right_width, 5.5, TEXT["motto_country"], align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.cell(right_width, 6.0, TEXT["motto_values"], align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    _underline(pdf, right_x + right_width / 2, pdf.get_y() + 0.5, pdf.get_string_width(TEXT["motto_values"]))
    pdf.set_xy(right_x, max(pdf.get_y(), agency_bottom) + 5.0)
    pdf.set_font(FONT_FAMILY, "I", 12)
    pdf.cell(right_width, 6.0, vietnamese_date(doc.decided_at.date()), align=Align.C)


def _underline(pdf: FPDF, centre_x: float, y: float, width: float) -> None:
    """Draw the short rule that sits under a header line."""
    pdf.set_line_width(0.3)
    pdf.line(centre_x - width / 2, y, centre_x + width / 2, y)


def _draw_body(pdf: FPDF, doc: ResultDocument) -> None:
    """Draw the title and the facts of the decided dossier."""
    pdf.set_xy(MARGIN_LEFT, 62.0)
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.multi_cell(CONTENT_WIDTH, 7.5, TEXT["title"], align=Align.C, new_x=XPos.LMARGIN)
    pdf.set_font(FONT_FAMILY, "I", 12)
    subtitle = TEXT["subtitle"].format(procedure=doc.procedure_name)
    pdf.multi_cell(CONTENT_WIDTH, 6.5, subtitle, align=Align.C, new_x=XPos.LMARGIN)
    pdf.set_y(pdf.get_y() + 8.0)
    pdf.set_font(FONT_FAMILY, "", 12)
    intro = TEXT["intro"].format(agency=doc.agency_name)
    pdf.multi_cell(CONTENT_WIDTH, LINE_HEIGHT, intro, align=Align.J, new_x=XPos.LMARGIN)
    pdf.set_y(pdf.get_y() + 3.0)
    rows = (
        (TEXT["dossier_code"], doc.dossier_code),
        (TEXT["procedure"], doc.procedure_name),
        (TEXT["applicant"], doc.applicant_name),
        (TEXT["agency"], doc.agency_name),
        (TEXT["decided_at"], vietnamese_datetime(doc.decided_at)),
    )
    for label, value in rows:
        _draw_row(pdf, label, value)
    pdf.set_y(pdf.get_y() + 4.0)
    pdf.set_font(FONT_FAMILY, "I", 11)
    pdf.multi_cell(CONTENT_WIDTH, LINE_HEIGHT, TEXT["note"], align=Align.J, new_x=XPos.LMARGIN)


def _draw_row(pdf: FPDF, label: str, value: str) -> None:
    """Draw one labelled fact; long values wrap inside their column."""
    top = pdf.get_y()
    pdf.set_xy(MARGIN_LEFT, top)
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.cell(LABEL_WIDTH, LINE_HEIGHT, label)
    pdf.set_xy(MARGIN_LEFT + LABEL_WIDTH, top)
    pdf.set_font(FONT_FAMILY, "", 12)
    pdf.multi_cell(CONTENT_WIDTH - LABEL_WIDTH, LINE_HEIGHT, value, align=Align.L)
    pdf.set_y(max(pdf.get_y(), top + LINE_HEIGHT) + 1.0)


def _draw_verification(pdf: FPDF, doc: ResultDocument) -> None:
    """Draw the QR code of the verification address with its caption."""
    _draw_qr(pdf, doc.verify_url, MARGIN_LEFT, QR_TOP, QR_SIZE)
    caption_x = MARGIN_LEFT + QR_SIZE + 4.0
    caption_width = CONTENT_WIDTH - QR_SIZE - 4.0
    pdf.set_xy(caption_x, QR_TOP + 1.0)
    pdf.set_font(FONT_FAMILY, "I", 9)
    pdf.multi_cell(caption_width, 4.5, TEXT["verify"], align=Align.L, new_x=XPos.LEFT)
    pdf.set_font(FONT_FAMILY, "", 8)
    pdf.multi_cell(caption_width, 4.0, doc.verify_url, align=Align.L, wrapmode=WrapMode.CHAR)


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


def _draw_signature_area(pdf: FPDF) -> None:
    """Draw, under the body, the place where the official's and the organisation's signatures belong."""
    area_x = MARGIN_LEFT + CONTENT_WIDTH - SIGNATURE_WIDTH
    pdf.set_xy(area_x, pdf.get_y() + 10.0)
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.cell(SIGNATURE_WIDTH, 6.0, TEXT["signer_title"], align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "I", 11)
    pdf.cell(SIGNATURE_WIDTH, 6.0, TEXT["signer_hint"], align=Align.C)
