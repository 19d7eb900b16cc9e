"""Form 04: the apology with a new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả)."""

from __future__ import annotations

from signing.forms import layout
from signing.forms.catalog import APOLOGY, COMMON
from signing.forms.dates import vietnamese_datetime
from signing.forms.model import Apology


def render(apology: Apology, verify_url: str) -> bytes:
    """Render the apology: why the result is late and when it will be returned instead."""
    pdf = layout.open_form(title=APOLOGY["title"], header=apology.header, dossier_code=apology.dossier_code)
    layout.paragraph(pdf, APOLOGY["addressee"].format(applicant=apology.applicant_name), style="B")
    layout.procedure_field(pdf, COMMON["procedure_label"], apology.procedure_code, apology.procedure_name)
    if apology.received_at is not None:
        layout.paragraph(pdf, APOLOGY["received"].format(time=vietnamese_datetime(apology.received_at)))
    layout.paragraph(pdf, APOLOGY["original"].format(time=vietnamese_datetime(apology.original_appointment_at)))
    layout.paragraph(pdf, APOLOGY["delay"].format(agency=apology.deciding_agency))
    layout.field(pdf, APOLOGY["reason_label"], apology.reason)
    new_time = vietnamese_datetime(apology.new_appointment_at)
    layout.paragraph(pdf, APOLOGY["apology"].format(agency=apology.deciding_agency, time=new_time), space_before=1.0)
    layout.paragraph(pdf, APOLOGY["closing"])
    return layout.finish(pdf, signer_title=apology.signer_title or APOLOGY["signer_title"],
                         signer_name=apology.signer_name, qr_url=verify_url, qr_caption=COMMON["verify"])
