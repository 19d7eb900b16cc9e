"""Tests of SignPdf over every form: render, sign, store, verify; and bad input as INVALID_ARGUMENT."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import grpc
import pytest
from cryptography import x509
from google.protobuf.message import Message
from motcua.errors import Conflict, InvalidInput
from motcua.rpc import build_server, error_details
from motcua.v1 import signing_pb2, signing_pb2_grpc
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader
from signing import forms
from signing.form_requests import form_from_request
from signing.keystore import FileKeyStore
from signing.pades import load_trust_roots, verify_pdf
from signing.pki import PkiPaths, provision_local_pki, revoke
from signing.revocation import CrlFile
from signing.service import SigningService
from signing.servicer import SigningServicer

from .conftest import PASSPHRASE

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


class FakeRepository:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}

    def save_document(self, record: dict[str, Any], content: bytes) -> None:
        self.records[record["_id"]] = record
        self.contents[record["_id"]] = content

    def get_document(self, document_id: str) -> dict[str, Any] | None:
        return self.records.get(document_id)

    def get_content(self, record: dict[str, Any]) -> bytes:
        return self.contents[record["_id"]]


@pytest.fixture
def repo() -> FakeRepository:
    return FakeRepository()


@pytest.fixture
def kicks() -> list[tuple[str, Any]]:
    return []


def crl_of(pki: PkiPaths) -> CrlFile:
    return CrlFile(pki.crl, x509.load_pem_x509_certificate(pki.agency_ca_cert.read_bytes()))


@pytest.fixture
def servicer(repo: FakeRepository, kicks: list[tuple[str, Any]], keys: FileKeyStore, pki: PkiPaths,
             roots: list[x509.Certificate]) -> SigningServicer:
    service = SigningService(repo=repo, kick=lambda collection, key: kicks.append((collection, key)),  # type: ignore[arg-type]
                             keys=keys, revocation=crl_of(pki), trust_roots=roots, public_url=PUBLIC_URL,
                             clock=lambda: NOW)
    return SigningServicer(service)


def form_message(messages: FormMessages, kind: str) -> Message:
    return messages.result() if kind == "render" else getattr(messages, kind)()


def sign(servicer: SigningServicer, **fields: Any) -> signing_pb2.SignPdfResponse:
    return servicer.SignPdf(signing_pb2.SignPdfRequest(**fields), context=None)  # type: ignore[arg-type]


def signature_reason(pdf: bytes) -> str:
    [embedded] = PdfFileReader(BytesIO(pdf)).embedded_regular_signatures
    return str(embedded.sig_object["/Reason"])


def compact_text(pdf: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages)


@pytest.mark.parametrize("kind", DEFAULT_REASONS)
def test_every_form_is_rendered_signed_and_stored(kind: str, servicer: SigningServicer, repo: FakeRepository,
                                                  kicks: list[tuple[str, Any]], roots: list[x509.Certificate],
                                                  messages: FormMessages) -> None:
    response = sign(servicer, **{kind: form_message(messages, kind)}, signer="official", location="Ninh Bình")
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
def test_forms_point_their_qr_code_at_their_own_verification_page(kind: str, servicer: SigningServicer,
                                                                  repo: FakeRepository,
                                                                  messages: FormMessages) -> None:
    response = sign(servicer, **{kind: form_message(messages, kind)}, signer="official")
    assert f"{PUBLIC_URL}/verify/{response.document_id}" in compact_text(repo.contents[response.document_id])


def test_receipt_points_its_qr_code_at_the_lookup(servicer: SigningServicer, repo: FakeRepository,
                                                 messages: FormMessages) -> None:
    response = sign(servicer, receipt=messages.receipt(), signer="official")
    text = compact_text(repo.contents[response.document_id])
    assert messages.receipt().lookup_url in text
    assert "/verify/" not in text


def test_given_reason_and_dossier_code_win(servicer: SigningServicer, repo: FakeRepository,
                                           messages: FormMessages) -> None:
    response = sign(servicer, apology=messages.apology(), signer="seal", reason="Xác thực của cơ quan",
                    dossier_code="000.00.12.H56-260217-0099")
    assert signature_reason(repo.contents[response.document_id]) == "Xác thực của cơ quan"
    assert repo.records[response.document_id]["dossier_code"] == "000.00.12.H56-260217-0099"
    assert repo.records[response.document_id]["signer"] == "seal"


def test_bad_form_is_refused_before_anything_is_stored(servicer: SigningServicer, repo: FakeRepository,
                                                       kicks: list[tuple[str, Any]], messages: FormMessages) -> None:
    receipt = messages.receipt()
    receipt.ClearField("dossier_code")
    with pytest.raises(InvalidInput) as caught:
        sign(servicer, receipt=receipt, signer="official")
    assert [field.pointer for field in caught.value.errors] == ["receipt.dossier_code"]
    assert repo.records == {}
    assert kicks == []


@pytest.fixture
def stub(servicer: SigningServicer) -> Iterator[signing_pb2_grpc.SigningStub]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server, _ = build_server(
        service="signing", port=port, bind_host="127.0.0.1",
        register=[lambda s: signing_pb2_grpc.add_SigningServicer_to_server(servicer, s)],
        service_names=[signing_pb2.DESCRIPTOR.services_by_name["Signing"].full_name])
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield signing_pb2_grpc.SigningStub(channel)
    finally:
        channel.close()
        server.stop(None)


def test_bad_form_over_grpc_is_invalid_argument_with_the_fields(stub: signing_pb2_grpc.SigningStub,
                                                                messages: FormMessages) -> None:
    receipt = messages.receipt()
    receipt.ClearField("appointment_at")
    del receipt.documents[:]
    with pytest.raises(grpc.RpcError) as caught:
        stub.SignPdf(signing_pb2.SignPdfRequest(receipt=receipt, signer="official"), timeout=30)
    error = caught.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    fields = error_details(error)["fields"]
    assert set(fields) == {"receipt.documents", "receipt.appointment_at"}
    assert fields["receipt.appointment_at"] == "receipt.appointment_at is required"


def test_a_form_signs_over_grpc(stub: signing_pb2_grpc.SigningStub, repo: FakeRepository,
                                roots: list[x509.Certificate], messages: FormMessages) -> None:
    response = stub.SignPdf(signing_pb2.SignPdfRequest(control_sheet=messages.control_sheet(), signer="official"),
                            timeout=30)
    verified = stub.VerifyPdf(signing_pb2.VerifyPdfRequest(document_id=response.document_id), timeout=30)
    assert verified.valid
    assert verify_pdf(repo.contents[response.document_id], trust_roots=roots).valid


def test_a_signer_whose_certificate_expired_cannot_sign(repo: FakeRepository, keys: FileKeyStore, pki: PkiPaths,
                                                        roots: list[x509.Certificate], messages: FormMessages) -> None:
    later = keys.not_after()["official"] + dt.timedelta(seconds=1)
    service = SigningService(repo=repo, kick=lambda *_: None, keys=keys, revocation=crl_of(pki), trust_roots=roots,
                             public_url=PUBLIC_URL, clock=lambda: later)
    with pytest.raises(Conflict) as refused:
        service.sign(form=form_from_request(signing_pb2.SignPdfRequest(render=messages.result())), signer="official",
                     reason="", location="")
    assert refused.value.reason == "CERTIFICATE_EXPIRED" and refused.value.grpc_code == grpc.StatusCode.FAILED_PRECONDITION
    assert repo.records == {}


def test_a_revoked_signer_cannot_sign_and_the_others_still_can(repo: FakeRepository, tmp_path: Any,
                                                               messages: FormMessages) -> None:
    own_pki = provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    own_keys = FileKeyStore(own_pki.directory, PASSPHRASE.encode())
    service = SigningService(repo=repo, kick=lambda *_: None, keys=own_keys, revocation=crl_of(own_pki),
                             trust_roots=load_trust_roots(own_pki.root_cert), public_url=PUBLIC_URL, clock=lambda: NOW)
    pdf = forms.render(form_from_request(signing_pb2.SignPdfRequest(render=messages.result())),
                       verify_url=PUBLIC_URL)
    assert service.sign(pdf=pdf, signer="official", reason="", location="")["_id"] in repo.records
    revoke(own_pki, PASSPHRASE, own_keys.signer("official").signing_cert.serial_number)
    with pytest.raises(Conflict) as refused:
        service.sign(pdf=pdf, signer="official", reason="", location="")
    assert refused.value.reason == "CERTIFICATE_REVOKED"
    assert len(repo.records) == 1
    assert service.sign(pdf=pdf, signer="seal", reason="", location="")["_id"] in repo.records
