"""Signing on the real stack, its keys in the SoftHSM2 token `make setup` provisions and its signatures
timestamped by the local PKI's authority: signed documents verify for anyone (gRPC, the public page, an
upload) and poppler's pdfsig judges their integrity as signing does."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import requests
from motcua.events import timestamp
from motcua.rpc import error_details
from motcua.v1 import signing_pb2, signing_pb2_grpc
from signing.pki import OFFICIAL_ID

from tests.factories import bearer

pytestmark = pytest.mark.stack


def metadata(*args: str) -> list[tuple[str, str]]:
    return [("authorization", bearer(*args)["Authorization"])]


OFFICIAL = ("--role", "leader", "--sub", OFFICIAL_ID)
CLERK = ("--role", "seal_clerk", "--sub", "van-thu-1")


@pytest.fixture(scope="module")
def signing(stack) -> Iterator[tuple[signing_pb2_grpc.SigningStub, str]]:  # type: ignore[no-untyped-def]
    with stack.serving("esign", "signing"), grpc.insecure_channel(f"127.0.0.1:{stack.ports.grpc['signing']}") as ch:
        yield signing_pb2_grpc.SigningStub(ch), f"http://127.0.0.1:{stack.ports.http['signing']}"


@pytest.fixture(scope="module")
def signed(signing) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A result document signed by the official, then sealed by a clerk: ids of both versions."""
    stub, _ = signing
    result = signing_pb2.ResultDocument(
        dossier_code="000.00.12.H56-261121-0001", procedure_name="Đăng ký khai sinh",
        applicant_name="Trần Thị Bích Ngọc", agency_name="UBND tỉnh Ninh Bình",
        decided_at=timestamp(dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)))
    official = stub.SignPdf(signing_pb2.SignPdfRequest(render=result, signer="official", location="Ninh Bình"),
                            metadata=metadata(*OFFICIAL), timeout=60)
    sealed = stub.SignPdf(signing_pb2.SignPdfRequest(document_id=official.document_id, signer="seal"),
                          metadata=metadata(*CLERK), timeout=60)
    return {"official": official.document_id, "sealed": sealed.document_id}


def download(base: str, document_id: str) -> bytes:
    response = requests.get(f"{base}/api/v1/documents/{document_id}", timeout=30)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    return response.content


def pdfsig(content: bytes, tmp_path: Path) -> list[str]:
    """poppler's verdict on each signature's integrity (its certificate check needs an NSS database: skipped)."""
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True, timeout=60, check=False)
    return re.findall(r"Signature Validation: (.+?)\.?$", out.stdout, flags=re.MULTILINE)


def test_one_hsm_signature_verifies_everywhere_and_pdfsig_agrees(signing, signed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    stub, base = signing
    verified = stub.VerifyPdf(signing_pb2.VerifyPdfRequest(document_id=signed["official"]), timeout=30)
    assert verified.valid and len(verified.signatures) == 1
    assert f"UID=CCCD:{OFFICIAL_ID}" in verified.signatures[0].signer_subject and verified.signatures[0].trusted
    # The stack's signing has the local PKI's time-stamping authority and OCSP responder: PAdES B-LT.
    assert verified.signatures[0].HasField("timestamped_at") and verified.signatures[0].level == "B-LT"
    assert pdfsig(download(base, signed["official"]), tmp_path) == ["Signature is Valid"]
    page = requests.get(f"{base}/verify/{signed['official']}", timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Hợp lệ" in page.text and "(Valid)" in page.text and "Nguyễn Văn An" in page.text
    as_json = requests.get(f"{base}/verify/{signed['official']}", headers={"Accept": "application/json"}, timeout=30)
    assert as_json.json()["valid"] is True and as_json.json()["signatures"][0]["common_name"] == "Nguyễn Văn An"
    assert as_json.json()["signatures"][0]["timestamp"] is not None and as_json.json()["signatures"][0]["level"] == "B-LT"
    assert "PAdES B-LT" in page.text


def test_the_official_and_the_seal_are_both_valid_and_pdfsig_agrees(signing, signed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    stub, base = signing
    verified = stub.VerifyPdf(signing_pb2.VerifyPdfRequest(document_id=signed["sealed"]), timeout=30)
    assert verified.valid
    assert ["Nguyễn Văn An" in s.signer_subject for s in verified.signatures] == [True, False]
    assert all(s.intact and s.trusted and s.level == "B-LT" for s in verified.signatures)
    # pdfsig agrees on a B-LT document: the seal's signature and both DSS updates leave the official's intact.
    assert pdfsig(download(base, signed["sealed"]), tmp_path) == ["Signature is Valid", "Signature is Valid"]


def test_one_flipped_byte_is_invalid_for_the_upload_api_and_for_pdfsig(signing, signed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, base = signing
    content = bytearray(download(base, signed["sealed"]))
    position = content.index(b"stream") + 40  # inside the first page's content, covered by both signatures
    content[position] ^= 0x01
    uploaded = requests.post(f"{base}/api/v1/verify", files={"file": ("ket-qua.pdf", bytes(content))}, timeout=30)
    assert uploaded.status_code == 200
    report = uploaded.json()
    assert report["valid"] is False
    assert [s["intact"] for s in report["signatures"]] == [False, False]
    assert report["signatures"][0]["messages"][0]["en"].startswith("Signature integrity check failed")
    assert pdfsig(bytes(content), tmp_path) == ["Digest Mismatch", "Digest Mismatch"]


def test_signing_refuses_callers_who_may_not_use_the_key(signing) -> None:  # type: ignore[no-untyped-def]
    stub, _ = signing
    request = signing_pb2.SignPdfRequest(render=signing_pb2.ResultDocument(
        dossier_code="000.00.12.H56-261121-0002", procedure_name="Đăng ký khai sinh", applicant_name="Lê Văn Hùng",
        agency_name="UBND tỉnh Ninh Bình", decided_at=timestamp(dt.datetime(2026, 11, 21, tzinfo=dt.UTC))),
        signer="official")
    with pytest.raises(grpc.RpcError) as anonymous:
        stub.SignPdf(request, timeout=30)
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]
    with pytest.raises(grpc.RpcError) as other_leader:
        stub.SignPdf(request, metadata=metadata("--role", "leader", "--sub", "001085099999"), timeout=30)
    assert other_leader.value.code() == grpc.StatusCode.PERMISSION_DENIED  # type: ignore[attr-defined]
    assert error_details(other_leader.value)["reason"] == "NOT_KEY_HOLDER"
