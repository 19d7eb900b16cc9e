"""Form 01: the receipt with appointment (giấy tiếp nhận hồ sơ và hẹn trả kết quả)."""

from __future__ import annotations

from fpdf.enums import Align

from signing.forms import layout
from signing.forms.catalog import CHANNELS, COMMON, RECEIPT
from signing.forms.dates import vietnamese_datetime
from signing.forms.model import Receipt

COLUMN_WIDTHS = (12.0, 84.0, 16.0, 48.0)
COLUMN_ALIGNS = (Align.C, Align.L, Align.C, Align.L)


def render(receipt: Receipt, verify_url: str) -> bytes:
    """Render the receipt; its QR code leads to the dossier lookup, not to the verification page, and a second
    one, above it, to the rating page when the receipt has a rating link."""
    pdf = layout.open_form(title=RECEIPT["title"], header=receipt.header, dossier_code=receipt.dossier_code)
    layout.paragraph(pdf, RECEIPT["intro"].format(unit=receipt.receiving_unit))
    layout.field(pdf, RECEIPT["applicant"], receipt.applicant_name)
    if receipt.applicant_phone:
        layout.field(pdf, RECEIPT["phone"], receipt.applicant_phone)
    if receipt.applicant_address:
        layout.field(pdf, RECEIPT["address"], receipt.applicant_address)
    procedure = COMMON["procedure"].format(code=receipt.procedure_code, name=receipt.procedure_name)
    layout.field(pdf, RECEIPT["procedure"], procedure)
    if receipt.channel is not None:
        layout.field(pdf, RECEIPT["channel"], CHANNELS[receipt.channel])
    _draw_documents(pdf, receipt)
    layout.paragraph(pdf, RECEIPT["received_at"].format(time=vietnamese_datetime(receipt.received_at)))
    layout.paragraph(pdf, RECEIPT["appointment_at"].format(time=vietnamese_datetime(receipt.appointment_at)),
                     style="B")
    layout.paragraph(pdf, RECEIPT["lookup_hint"], style="I", size=11)
    return layout.finish(pdf, signer_title=RECEIPT["signer_title"], signer_name=receipt.clerk_name,
                         qr_url=receipt.lookup_url, qr_caption=COMMON["lookup"],
                         upper_qr=(receipt.rating_url, RECEIPT["rating"]) if receipt.rating_url else None)


def _draw_documents(pdf: layout.FormPdf, receipt: Receipt) -> None:
    """Draw the table of documents received, then how many there are and how many were reused."""
    layout.paragraph(pdf, RECEIPT["documents"], style="B", space_before=2.0)
    rows = [
        (str(number), document.name, str(document.copies) if document.copies else COMMON["no_value"],
         RECEIPT["reused"] if document.reused else "")
        for number, document in enumerate(receipt.documents, start=1)
    ]
    headings = (RECEIPT["column_number"], RECEIPT["column_name"], RECEIPT["column_copies"], RECEIPT["column_note"])
    layout.table(pdf, headings=headings, rows=rows, widths=COLUMN_WIDTHS, aligns=COLUMN_ALIGNS)
    reused = sum(1 for document in receipt.documents if document.reused)
    count = len(receipt.documents)
    summary = RECEIPT["count_reused"].format(count=count, reused=reused) if reused else RECEIPT["count"].format(
        count=count)
    layout.paragraph(pdf, summary)
