"""What a rendering, signature or verification leaves behind: no garbage waiting for the cyclic collector.

A document's parsed fonts (fontTools) and its PDF (fpdf2, pyHanko) are reference cycles; the service collects
them as each piece of work ends, so a replica's memory holds the working sets of the documents in hand, not of
the many a full collection would otherwise wait for.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator

import pytest
from fontTools.ttLib import TTFont
from fpdf import FPDF
from pyhanko.pdf_utils.reader import PdfFileReader
from signing import forms
from signing.service import SigningService

from .conftest import PUBLIC_URL
from .test_authorisation import OFFICIAL

DECIDED = dt.datetime(2026, 11, 20, 9, 30)
RESULT = forms.ResultDocument(header=forms.FormHeader(agency_name="UBND tỉnh Ninh Bình", issued_at=DECIDED),
                              dossier_code="000.00.12.H56-261120-0001", procedure_name="Đăng ký khai sinh",
                              applicant_name="Trần Thị Bích Ngọc", agency_name="UBND tỉnh Ninh Bình",
                              decided_at=DECIDED)
LEFT_BEHIND = (FPDF, TTFont, PdfFileReader)


@pytest.fixture
def collector_off() -> Iterator[Callable[[], dict[str, int]]]:
    """Automatic collection off, the heap clean: yields a count of the documents' objects still in the heap."""
    gc.collect()
    gc.disable()
    try:
        yield lambda: {kind.__name__: sum(isinstance(o, kind) for o in gc.get_objects()) for kind in LEFT_BEHIND}
    finally:
        gc.enable()


def test_a_rendered_form_left_alone_is_garbage_only_a_collection_frees(
        collector_off: Callable[[], dict[str, int]]) -> None:
    forms.render(RESULT, verify_url=f"{PUBLIC_URL}/verify/x")
    assert collector_off()["FPDF"] == 1 and collector_off()["TTFont"] >= 3


def test_signing_and_verifying_leave_no_document_for_the_collector(
        service: SigningService, collector_off: Callable[[], dict[str, int]]) -> None:
    record = service.sign(OFFICIAL, form=RESULT, signer="official", reason="", location="", visible=True)
    assert collector_off() == {"FPDF": 0, "TTFont": 0, "PdfFileReader": 0}
    assert service.verify(document_id=record["_id"]).valid
    assert collector_off() == {"FPDF": 0, "TTFont": 0, "PdfFileReader": 0}
