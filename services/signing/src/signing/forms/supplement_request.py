"""Form 02: the supplement request (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ)."""

from __future__ import annotations

from fpdf.enums import Align

from signing.forms import layout
from signing.forms.catalog import COMMON, SUPPLEMENT_REQUEST
from signing.forms.dates import vietnamese_datetime
from signing.forms.model import SupplementRequest

TEXT = SUPPLEMENT_REQUEST
COLUMN_WIDTHS = (12.0, 64.0, 84.0)
COLUMN_ALIGNS = (Align.C, Align.L, Align.L)


def render(request: SupplementRequest, verify_url: str) -> bytes:
    """Render the supplement request: everything missing or to correct, listed at once."""
    pdf = layout.open_form(title=TEXT["title"], header=request.header, dossier_code=request.dossier_code)
    if request.received_at is None:
        intro = TEXT["intro"].format(unit=request.receiving_unit)
    else:
        intro = TEXT["intro_at"].format(unit=request.receiving_unit, time=vietnamese_datetime(request.received_at))
    layout.paragraph(pdf, intro)
    layout.field(pdf, COMMON["applicant"], request.applicant_name)
    layout.procedure_field(pdf, COMMON["procedure_label"], request.procedure_code, request.procedure_name)
    layout.paragraph(pdf, TEXT["request"], space_before=2.0)
    rows = [(str(number), item.document_name, item.reason) for number, item in enumerate(request.items, start=1)]
    headings = (TEXT["column_number"], TEXT["column_document"], TEXT["column_reason"])
    layout.table(pdf, headings=headings, rows=rows, widths=COLUMN_WIDTHS, aligns=COLUMN_ALIGNS)
    if request.due_at is not None:
        layout.paragraph(pdf, TEXT["due_at"].format(time=vietnamese_datetime(request.due_at)), style="B")
    layout.paragraph(pdf, TEXT["clock"])
    if request.contact_phone:
        layout.paragraph(pdf, TEXT["contact"].format(phone=request.contact_phone))
    return layout.finish(pdf, signer_title=TEXT["signer_title"], signer_name=request.official_name,
                         qr_url=verify_url, qr_caption=COMMON["verify"])
