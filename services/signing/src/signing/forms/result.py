"""The result document (văn bản kết quả giải quyết hồ sơ)."""

from __future__ import annotations

from signing.forms import layout
from signing.forms.catalog import COMMON, RESULT
from signing.forms.dates import vietnamese_datetime
from signing.forms.model import ResultDocument


def render(doc: ResultDocument, verify_url: str) -> bytes:
    """Render the result document; its QR code leads to the verification page."""
    pdf = layout.new_document(title=RESULT["title"], author=doc.agency_name, created=doc.header.issued_at,
                              subject=COMMON["subject"].format(title=RESULT["title"], dossier_code=doc.dossier_code))
    layout.draw_header(pdf, doc.header)
    layout.draw_title(pdf, RESULT["title"], RESULT["subtitle"].format(procedure=doc.procedure_name))
    layout.paragraph(pdf, RESULT["intro"].format(agency=doc.agency_name))
    for label, value in (
        (RESULT["dossier_code"], doc.dossier_code),
        (RESULT["procedure"], doc.procedure_name),
        (RESULT["applicant"], doc.applicant_name),
        (RESULT["agency"], doc.agency_name),
        (RESULT["decided_at"], vietnamese_datetime(doc.decided_at)),
    ):
        layout.field(pdf, label, value)
    layout.paragraph(pdf, RESULT["note"], style="I", size=11, space_before=3.0)
    return layout.finish(pdf, signer_title=RESULT["signer_title"], signer_name="", qr_url=verify_url,
                         qr_caption=COMMON["verify"])
