"""Form 05: the process control sheet (phiếu kiểm soát quá trình giải quyết hồ sơ)."""

from __future__ import annotations

from fpdf.enums import Align

from signing.forms import layout
from signing.forms.catalog import COMMON, CONTROL_SHEET, HAND_OVER_RESULTS
from signing.forms.dates import short_datetime
from signing.forms.model import ControlSheet, HandOver

TEXT = CONTROL_SHEET
COLUMNS = ("column_number", "column_step", "column_giver", "column_receiver", "column_handed_over_at",
           "column_due_at", "column_result", "column_note")
COLUMN_WIDTHS = (10.0, 24.0, 25.0, 25.0, 20.0, 20.0, 18.0, 18.0)
COLUMN_ALIGNS = (Align.C, Align.L, Align.L, Align.L, Align.C, Align.C, Align.C, Align.L)
TABLE_SIZE = 8.5


def render(sheet: ControlSheet, verify_url: str) -> bytes:
    """Render the control sheet: one table row per hand-over, the heading repeated on every page."""
    pdf = layout.open_form(title=TEXT["title"], header=sheet.header, dossier_code=sheet.dossier_code)
    if sheet.applicant_name:
        layout.field(pdf, TEXT["applicant"], sheet.applicant_name)
    if sheet.procedure_name:
        procedure = sheet.procedure_name
        if sheet.procedure_code:
            procedure = COMMON["procedure"].format(code=sheet.procedure_code, name=sheet.procedure_name)
        layout.field(pdf, TEXT["procedure"], procedure)
    layout.field(pdf, TEXT["deciding_agency"], sheet.deciding_agency)
    if sheet.coordinating_agencies:
        layout.field(pdf, TEXT["coordinating"], "; ".join(sheet.coordinating_agencies))
    rows = [_row(number, hand_over) for number, hand_over in enumerate(sheet.rows, start=1)]
    layout.table(pdf, headings=[TEXT[column] for column in COLUMNS], rows=rows, widths=COLUMN_WIDTHS,
                 aligns=COLUMN_ALIGNS, size=TABLE_SIZE)
    return layout.finish(pdf, signer_title=TEXT["signer_title"], signer_name="", qr_url=verify_url,
                         qr_caption=COMMON["verify"])


def _row(number: int, hand_over: HandOver) -> tuple[str, ...]:
    """The cells of one hand-over."""
    return (
        str(number),
        hand_over.step,
        hand_over.giver,
        hand_over.receiver,
        short_datetime(hand_over.handed_over_at),
        short_datetime(hand_over.due_at) if hand_over.due_at else "",
        HAND_OVER_RESULTS[hand_over.result] if hand_over.result else "",
        hand_over.note,
    )
