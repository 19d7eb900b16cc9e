"""The documents signing renders: the result document and the one-stop forms 01–05 (Circular 01/2018/TT-VPCP)."""

from __future__ import annotations

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


def signing_reason(form: Form) -> str:
    """The reason a signature on this form gives when the caller names none, e.g. 'Tiếp nhận hồ sơ'."""
    return FORMS[form.kind]["reason"]
