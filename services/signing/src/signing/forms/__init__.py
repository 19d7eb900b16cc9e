"""The documents signing renders: the result document and the one-stop forms 01–05 (Circular 01/2018/TT-VPCP)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from signing.forms import (
    apology,
    control_sheet,
    receipt,
    refusal,
    result,
    supplement_request,
)
from signing.forms.catalog import FORMS
from signing.forms.model import (
    Apology,
    Channel,
    ControlSheet,
    Form,
    FormHeader,
    HandOver,
    HandOverResult,
    Receipt,
    ReceivedDocument,
    Refusal,
    ResultDocument,
    SupplementItem,
    SupplementRequest,
)

__all__ = [
    "Apology",
    "Channel",
    "ControlSheet",
    "Form",
    "FormHeader",
    "HandOver",
    "HandOverResult",
    "Receipt",
    "ReceivedDocument",
    "Refusal",
    "ResultDocument",
    "SupplementItem",
    "SupplementRequest",
    "render",
    "signing_reason",
    "warm_up",
]

_RENDERERS: Mapping[str, Callable[[Any, str], bytes]] = {
    "result": result.render,
    "receipt": receipt.render,
    "supplement_request": supplement_request.render,
    "refusal": refusal.render,
    "apology": apology.render,
    "control_sheet": control_sheet.render,
}


def render(form: Form, *, verify_url: str) -> bytes:
    """Render a form as a PDF; the same form and address always give the same bytes."""
    return _RENDERERS[form.kind](form, verify_url)


def warm_up() -> None:
    """Render one document in the calling thread before any other thread renders.

    fontTools builds its table of Unicode ranges on first use, without a lock: two threads subsetting a font
    for the first time at once can read it half built and fail with IndexError. Rendering once at start
    builds it (and parses the fonts) before the gRPC threads run.
    """
    header = FormHeader(agency_name="Ủy ban nhân dân", issued_at=dt.datetime(2026, 1, 1))
    render(ResultDocument(header=header, dossier_code="warm-up", procedure_name="Khởi động",
                          applicant_name="Công dân", agency_name="Ủy ban nhân dân", decided_at=header.issued_at),
           verify_url="https://localhost/verify/warm-up")


def signing_reason(form: Form) -> str:
    """The reason a signature on this form gives when the caller names none, e.g. 'Tiếp nhận hồ sơ'."""
    return FORMS[form.kind]["reason"]
