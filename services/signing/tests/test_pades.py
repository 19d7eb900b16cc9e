"""Tests of PAdES signing and verification."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from signing import stamps
from signing.keystore import FileKeyStore
from signing.pades import (
    InvalidPdf,
    Verification,
    load_trust_roots,
    sign_pdf,
    to_asn1,
    verify_pdf,
    with_pades_attributes,
)
from signing.pki import (
    PkiPaths,
    issue_signer_certificate,
    load_agency_ca,
    official_subject,
    provision_local_pki,
)

PASSPHRASE = "test-passphrase"


@pytest.fixture(scope="module")
def signed_by_official(document: bytes, keys: FileKeyStore) -> bytes:
    return sign_official(document, keys)


@pytest.fixture(scope="module")
def signed_by_both(signed_by_official: bytes, keys: FileKeyStore) -> bytes:
    return sign_pdf(
        signed_by_official,
        signer=keys.signer("seal"),
        field_name="seal",
        reason="Xác thực của cơ quan",
        location="Ninh Bình",
    )


def sign_official(pdf: bytes, keys: FileKeyStore) -> bytes:
    return sign_pdf(
        pdf, signer=keys.signer("official"), field_name="official", reason="Phê duyệt kết quả", location="Ninh Bình"
    )


def message_codes(verification: Verification) -> set[str]:
    codes = {message.code for message in verification.messages}
    for report in verification.signatures:
        codes |= {message.code for message in report.messages}
    return codes


def vietnamese_messages(verification: Verification) -> list[str]:
    return [message.vi for report in verification.signatures for message in report.messages]


def test_signed_document_verifies(signed_by_official: bytes, roots: list[x509.Certificate]) -> None:
    result = verify_pdf(signed_by_official, trust_roots=roots)
    assert result.valid
    [report] = result.signatures
    assert report.field_name == "official"
    assert report.signer_common_name == "Nguyễn Văn An"
    assert "CN=Nguyễn Văn An" in report.signer_subject
    assert report.intact and report.trusted and report.valid
    assert report.modification_level == "NONE"
    assert vietnamese_messages(result) == ["Chữ ký hợp lệ"]
    assert report.messages[0].en == "Signature is valid"
    assert report.signing_time is not None
    assert abs(dt.datetime.now(dt.UTC) - report.signing_time) < dt.timedelta(minutes=5)


def test_signature_is_pades_baseline_with_sha256(signed_by_official: bytes) -> None:
    [embedded] = PdfFileReader(BytesIO(signed_by_official)).embedded_regular_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.signer_info["digest_algorithm"]["algorithm"].native == "sha256"
    signed_attributes = {attr["type"].native for attr in embedded.signer_info["signed_attrs"]}
    assert "signing_certificate_v2" in signed_attributes
    assert "signing_time" not in signed_attributes


def test_signing_appends_an_incremental_update(document: bytes, signed_by_official: bytes) -> None:
    assert signed_by_official.startswith(document)


def test_official_then_seal_signatures_are_both_valid(
    signed_by_both: bytes, roots: list[x509.Certificate]
) -> None:
    result = verify_pdf(signed_by_both, trust_roots=roots)
    assert result.valid
    official, seal = result.signatures
    assert (official.field_name, seal.field_name) == ("official", "seal")
    assert official.signer_common_name == "Nguyễn Văn An"
    assert seal.signer_common_name == "UBND tỉnh Ninh Bình"
    assert official.valid and seal.valid
    assert official.modification_level == "FORM_FILLING"
    assert seal.modification_level == "NONE"


def test_flipped_byte_in_signed_content_is_detected(signed_by_both: bytes, roots: list[x509.Certificate]) -> None:
    position = signed_by_both.index(b"/Producer (motcua)") + len(b"/Producer (")
    tampered = bytearray(signed_by_both)
    tampered[position] ^= 0x01
    result = verify_pdf(bytes(tampered), trust_roots=roots)
    assert not result.valid
    assert all(not report.intact for report in result.signatures)
    assert "not_intact" in message_codes(result)
    assert "Chữ ký không toàn vẹn: nội dung đã ký bị thay đổi" in vietnamese_messages(result)
    assert result.messages[0].vi == "Tài liệu có chữ ký số không hợp lệ"


def test_content_added_after_the_last_signature_is_detected(
    signed_by_official: bytes, roots: list[x509.Certificate]
) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed_by_official))
    extra = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 100 100 50 50 re f"))
    writer.add_stream_to_page(0, extra)
    out = BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue(), trust_roots=roots)
    assert not result.valid
    [report] = result.signatures
    assert report.intact and report.trusted
    assert "Tài liệu đã bị sửa đổi sau khi ký" in vietnamese_messages(result)


def test_signature_from_another_root_is_not_trusted(
    document: bytes, roots: list[x509.Certificate], tmp_path_factory: pytest.TempPathFactory
) -> None:
    stranger_pki = provision_local_pki(tmp_path_factory.mktemp("stranger"), passphrase=PASSPHRASE)
    stranger = FileKeyStore(stranger_pki.directory, PASSPHRASE.encode())
    signed = sign_official(document, stranger)
    result = verify_pdf(signed, trust_roots=roots)
    assert not result.valid
    [report] = result.signatures
    assert report.intact and not report.trusted
    assert "Chứng thư không được tin cậy" in vietnamese_messages(result)
    assert verify_pdf(signed, trust_roots=load_trust_roots(stranger_pki.root_cert)).valid


def test_unsigned_document_is_not_valid(document: bytes, roots: list[x509.Certificate]) -> None:
    result = verify_pdf(document, trust_roots=roots)
    assert not result.valid
    assert result.signatures == ()
    assert [message.vi for message in result.messages] == ["Tài liệu không có chữ ký số"]


@pytest.mark.parametrize("garbage", [b"", b"hello, not a pdf", b"%PDF-1.7\n1 0 obj <<"])
def test_unreadable_pdf_raises_invalid_pdf(
    garbage: bytes, keys: FileKeyStore, roots: list[x509.Certificate]
) -> None:
    with pytest.raises(InvalidPdf):
        verify_pdf(garbage, trust_roots=roots)
    with pytest.raises(InvalidPdf):
        sign_pdf(garbage, signer=keys.signer("official"), field_name="official", reason="r", location="l")


def test_invalid_pdf_is_a_value_error() -> None:
    assert issubclass(InvalidPdf, ValueError)


def test_signing_an_already_signed_field_is_refused(signed_by_official: bytes, keys: FileKeyStore) -> None:
    with pytest.raises(ValueError, match="official"):
        sign_official(signed_by_official, keys)


def test_key_store_refuses_a_wrong_passphrase(pki: PkiPaths) -> None:
    with pytest.raises(ValueError):
        FileKeyStore(pki.directory, b"wrong")


def test_visible_signatures_show_on_the_last_page_and_stay_valid(document: bytes, keys: FileKeyStore,
                                                                 roots: list[x509.Certificate]) -> None:
    at = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)
    official = sign_pdf(document, signer=keys.signer("official"), field_name="official", reason="", location="",
                        appearance=stamps.official_appearance("Nguyễn Văn An", "UBND tỉnh Ninh Bình", at))
    sealed = sign_pdf(official, signer=keys.signer("seal"), field_name="seal", reason="", location="",
                      appearance=stamps.seal_appearance("UBND tỉnh Ninh Bình"))
    assert verify_pdf(sealed, trust_roots=roots).valid
    reader = PdfFileReader(BytesIO(sealed))
    last_page = reader.root["/Pages"]["/Kids"].raw_get(-1)
    widgets = {str(s.sig_field["/T"]): s.sig_field for s in reader.embedded_regular_signatures}
    for name, box in (("official", stamps.OFFICIAL_BOX), ("seal", stamps.SEAL_BOX)):
        widget = widgets[name]
        assert [float(v) for v in widget["/Rect"]] == list(box)
        assert widget.raw_get("/P") == last_page and "/AP" in widget
    seal_left, official_left, official_right = stamps.SEAL_BOX[0], stamps.OFFICIAL_BOX[0], stamps.OFFICIAL_BOX[2]
    overlap = stamps.SEAL_BOX[2] - official_left
    assert seal_left < official_left and 0 < overlap <= (official_right - official_left) / 3


@pytest.mark.parametrize("key", [ec.generate_private_key(ec.SECP256R1()), rsa.generate_private_key(65537, 4096)],
                         ids=["ecdsa-p256", "rsa-4096"])
def test_the_room_reserved_for_the_signature_fits_each_key_type_allowed(
        key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, document: bytes, pki: PkiPaths,
        roots: list[x509.Certificate]) -> None:
    agency_ca = load_agency_ca(pki, PASSPHRASE)
    cert = issue_signer_certificate(agency_ca, official_subject("UBND tỉnh Ninh Bình"), key.public_key(),
                                    dt.datetime.now(dt.UTC))
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    signer = with_pades_attributes(SimpleSigner(
        signing_cert=to_asn1(cert), signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1(agency_ca.cert)])))
    signed = sign_pdf(document, signer=signer, field_name="official", reason="Phê duyệt kết quả", location="Ninh Bình")
    assert verify_pdf(signed, trust_roots=roots).valid
