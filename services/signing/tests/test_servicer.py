"""Tests of SignPdf over every form: render, sign, store, verify; and bad input as INVALID_ARGUMENT."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from io import BytesIO
from typing import Any

import grpc
import pytest
from cryptography import x509
from google.protobuf.message import Message
from motcua.rpc import error_details
from motcua.v1 import signing_pb2, signing_pb2_grpc
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader
from signing import stamps
from signing.authorisation import Authoriser, parse_service_keys
from signing.keystore import FileKeyStore
from signing.pades import verify_pdf
from signing.pki import PkiPaths
from signing.service import SigningService
from signing.servicer import SigningServicer

from .conftest import AuditRecords, JwtKeys, MemoryRepository, crl_of, serving

FormMessages = Any
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)  # the signers' certificates must be valid then
PUBLIC_URL = "https://motcua.example.vn"
DEFAULT_REASONS = {
    "render": "Phê duyệt kết quả giải quyết hồ sơ",
    "receipt": "Tiếp nhận hồ sơ",
    "supplement_request": "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    "refusal": "Từ chối tiếp nhận giải quyết hồ sơ",
    "apology": "Xin lỗi và hẹn lại ngày trả kết quả",
    "control_sheet": "Xác nhận quá trình giải quyết hồ sơ",
}


@pytest.fixture
def kicks() -> list[tuple[str, Any]]:
    return []


@pytest.fixture
def servicer(audit: AuditRecords, repo: MemoryRepository, kicks: list[tuple[str, Any]], keys: FileKeyStore,
             pki: PkiPaths, roots: list[x509.Certificate], jwt_keys: JwtKeys) -> SigningServicer:
    service = SigningService(repo=repo, kick=lambda collection, key: kicks.append((collection, key)),  # type: ignore[arg-type]
                             keys=keys, revocation=crl_of(pki), authoriser=AUTHORISER, audit=audit,
                             trust_roots=roots, public_url=PUBLIC_URL, clock=lambda: NOW)
    return SigningServicer(service, jwt_keys.verifier)


def form_message(messages: FormMessages, kind: str) -> Message:
    return messages.result() if kind == "render" else getattr(messages, kind)()


Sign = Callable[..., signing_pb2.SignPdfResponse]
AUTHORISER = Authoriser(parse_service_keys("intake:seal,routing:official"))


@pytest.fixture
def sign(stub: signing_pb2_grpc.SigningStub, jwt_keys: JwtKeys) -> Callable[..., signing_pb2.SignPdfResponse]:
    """SignPdf over gRPC as whoever may use the key: the official themself, or a clerk for the seal."""
    def call(**fields: Any) -> signing_pb2.SignPdfResponse:
        caller = jwt_keys.clerk if fields.get("signer") == "seal" else jwt_keys.official
        return stub.SignPdf(signing_pb2.SignPdfRequest(**fields), metadata=caller, timeout=30)
    return call


def signature_reason(pdf: bytes) -> str:
    [embedded] = PdfFileReader(BytesIO(pdf)).embedded_regular_signatures
    return str(embedded.sig_object["/Reason"])


def compact_text(pdf: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages)


@pytest.mark.parametrize("kind", DEFAULT_REASONS)
def test_every_form_is_rendered_signed_and_stored(kind: str, sign: Sign, repo: MemoryRepository,
                                                  kicks: list[tuple[str, Any]], roots: list[x509.Certificate],
                                                  messages: FormMessages) -> None:
    response = sign(**{kind: form_message(messages, kind)}, signer="official", location="Ninh Bình")
    record = repo.records[response.document_id]
    content = repo.contents[response.document_id]
    assert record["dossier_code"] == messages.code
    assert record["sha256"] == response.sha256
    assert response.signed_at.ToDatetime(tzinfo=dt.UTC) == NOW
    assert "Nguyễn Văn An" in response.signer_subject
    assert kicks == [("documents", response.document_id)]
    verification = verify_pdf(content, trust_roots=roots)
    assert verification.valid
    assert [report.signer_common_name for report in verification.signatures] == ["Nguyễn Văn An"]
    assert signature_reason(content) == DEFAULT_REASONS[kind]
    assert messages.code in compact_text(content)


@pytest.mark.parametrize("kind", [kind for kind in DEFAULT_REASONS if kind != "receipt"])
def test_forms_point_their_qr_code_at_their_own_verification_page(kind: str, sign: Sign,
                                                                  repo: MemoryRepository,
                                                                  messages: FormMessages) -> None:
    response = sign(**{kind: form_message(messages, kind)}, signer="official")
    assert f"{PUBLIC_URL}/verify/{response.document_id}" in compact_text(repo.contents[response.document_id])


def test_receipt_points_its_qr_code_at_the_lookup(sign: Sign, repo: MemoryRepository,
                                                 messages: FormMessages) -> None:
    response = sign(receipt=messages.receipt(), signer="official")
    text = compact_text(repo.contents[response.document_id])
    assert messages.receipt().lookup_url in text
    assert "/verify/" not in text


def test_given_reason_and_dossier_code_win(sign: Sign, repo: MemoryRepository,
                                           messages: FormMessages) -> None:
    response = sign(apology=messages.apology(), signer="seal", reason="Xác thực của cơ quan",
                    dossier_code="000.00.12.H56-260217-0099")
    assert signature_reason(repo.contents[response.document_id]) == "Xác thực của cơ quan"
    assert repo.records[response.document_id]["dossier_code"] == "000.00.12.H56-260217-0099"
    assert repo.records[response.document_id]["signer"] == "seal"


def test_bad_form_is_refused_before_anything_is_stored(sign: Sign, repo: MemoryRepository,
                                                       kicks: list[tuple[str, Any]], messages: FormMessages) -> None:
    receipt = messages.receipt()
    receipt.ClearField("dossier_code")
    with pytest.raises(grpc.RpcError) as caught:
        sign(receipt=receipt, signer="official")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert set(error_details(caught.value)["fields"]) == {"receipt.dossier_code"}
    assert repo.records == {}
    assert kicks == []


@pytest.fixture
def stub(servicer: SigningServicer) -> Iterator[signing_pb2_grpc.SigningStub]:
    with serving(servicer) as address, grpc.insecure_channel(address) as channel:
        yield signing_pb2_grpc.SigningStub(channel)


def test_bad_form_over_grpc_is_invalid_argument_with_the_fields(sign: Sign, messages: FormMessages) -> None:
    receipt = messages.receipt()
    receipt.ClearField("appointment_at")
    del receipt.documents[:]
    with pytest.raises(grpc.RpcError) as caught:
        sign(receipt=receipt, signer="official")
    error = caught.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    fields = error_details(error)["fields"]
    assert set(fields) == {"receipt.documents", "receipt.appointment_at"}
    assert fields["receipt.appointment_at"] == "receipt.appointment_at is required"


def test_a_form_signs_over_grpc(sign: Sign, stub: signing_pb2_grpc.SigningStub, repo: MemoryRepository,
                                roots: list[x509.Certificate], messages: FormMessages) -> None:
    response = sign(control_sheet=messages.control_sheet(), signer="official")
    verified = stub.VerifyPdf(signing_pb2.VerifyPdfRequest(document_id=response.document_id), timeout=30)
    assert verified.valid
    assert verify_pdf(repo.contents[response.document_id], trust_roots=roots).valid


def test_a_leader_signs_a_batch_and_each_item_has_its_own_outcome(stub: signing_pb2_grpc.SigningStub,
                                                                  jwt_keys: JwtKeys, repo: MemoryRepository,
                                                                  audit: AuditRecords, roots: list[x509.Certificate],
                                                                  messages: FormMessages) -> None:
    codes = [f"000.00.12.H56-260217-{n:04d}" for n in range(1, 4)]
    items = [signing_pb2.SignPdfRequest(render=messages.result(dossier_code=code), signer="official")
             for code in codes]
    items.insert(1, signing_pb2.SignPdfRequest(document_id="f" * 32, signer="official"))
    batch = stub.SignBatch(signing_pb2.SignBatchRequest(items=items), metadata=jwt_keys.official, timeout=60)
    signed = [result.signed.document_id for result in batch.results]
    assert [bool(document_id) for document_id in signed] == [True, False, True, True]
    missing = batch.results[1]
    assert (missing.error_code, missing.error_reason) == ("NOT_FOUND", "DOCUMENT_NOT_FOUND")
    assert missing.error_message_vi and missing.error_message_en
    assert [repo.records[d]["dossier_code"] for d in signed if d] == codes
    assert [record["document_id"] for record in audit.records] == [d for d in signed if d]
    assert all(verify_pdf(repo.contents[d], trust_roots=roots).valid for d in signed if d)


def test_a_batch_is_signed_only_with_keys_the_caller_may_use(stub: signing_pb2_grpc.SigningStub, jwt_keys: JwtKeys,
                                                            repo: MemoryRepository, messages: FormMessages) -> None:
    items = [signing_pb2.SignPdfRequest(render=messages.result(), signer=signer) for signer in ("official", "seal")]
    batch = stub.SignBatch(signing_pb2.SignBatchRequest(items=items), metadata=jwt_keys.clerk, timeout=60)
    assert [(r.error_code, r.error_reason) for r in batch.results] == [("PERMISSION_DENIED", "NOT_KEY_HOLDER"),
                                                                       ("", "")]
    assert len(repo.records) == 1


@pytest.mark.parametrize("size", [0, 101])
def test_a_batch_holds_one_to_a_hundred_items(size: int, stub: signing_pb2_grpc.SigningStub, jwt_keys: JwtKeys,
                                              repo: MemoryRepository, messages: FormMessages) -> None:
    items = [signing_pb2.SignPdfRequest(render=messages.result(), signer="official")] * size
    with pytest.raises(grpc.RpcError) as caught:
        stub.SignBatch(signing_pb2.SignBatchRequest(items=items), metadata=jwt_keys.official, timeout=60)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert repo.records == {}


@pytest.mark.parametrize(("signer", "box"), [("official", stamps.OFFICIAL_BOX), ("seal", stamps.SEAL_BOX)])
def test_a_visible_signature_is_asked_for_per_request(signer: str, box: tuple[float, ...], sign: Sign,
                                                      repo: MemoryRepository, messages: FormMessages) -> None:
    response = sign(render=messages.result(), signer=signer, visible=True)
    [embedded] = PdfFileReader(BytesIO(repo.contents[response.document_id])).embedded_regular_signatures
    assert [float(v) for v in embedded.sig_field["/Rect"]] == list(box)
    hidden = sign(render=messages.result(), signer=signer)
    [embedded] = PdfFileReader(BytesIO(repo.contents[hidden.document_id])).embedded_regular_signatures
    assert [float(v) for v in embedded.sig_field["/Rect"]] == [0, 0, 0, 0]
