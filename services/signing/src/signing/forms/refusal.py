"""Form 03: the refusal (phiếu từ chối tiếp nhận giải quyết hồ sơ)."""

from __future__ import annotations

from signing.forms import layout
from signing.forms.catalog import COMMON, REFUSAL
from signing.forms.dates import vietnamese_datetime
from signing.forms.model import Refusal


def render(refusal: Refusal, verify_url: str) -> bytes:
    """Render the refusal with its numbered reasons."""
    pdf = layout.open_form(title=REFUSAL["title"], header=refusal.header, dossier_code=refusal.dossier_code)
    if refusal.received_at is None:
        intro = REFUSAL["intro"].format(unit=refusal.receiving_unit)
    else:
        intro = REFUSAL["intro_at"].format(unit=refusal.receiving_unit, time=vietnamese_datetime(refusal.received_at))
    layout.paragraph(pdf, intro)
    layout.field(pdf, COMMON["applicant"], refusal.applicant_name)
    layout.procedure_field(pdf, COMMON["procedure_label"], refusal.procedure_code, refusal.procedure_name)
    layout.paragraph(pdf, REFUSAL["decision"].format(unit=refusal.receiving_unit), space_before=2.0)
    layout.numbered(pdf, refusal.reasons)
    layout.paragraph(pdf, REFUSAL["closing"], space_before=2.0)
    return layout.finish(pdf, signer_title=REFUSAL["signer_title"], signer_name=refusal.official_name,
                         qr_url=verify_url, qr_caption=COMMON["verify"])
