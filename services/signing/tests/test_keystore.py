"""Tests of the PKCS#11 key store on a real SoftHSM2 token: keys made and kept inside, certified by the agency CA."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pkcs11 import Attribute, ObjectClass
from signing.hsm import open_session, provision_signers
from signing.keystore import Pkcs11KeyStore, UnknownSigner
from signing.ocsp import responder_url
from signing.pades import sign_pdf, verify_pdf
from signing.pki import PkiPaths, provision_local_pki

from .conftest import PASSPHRASE, Token


def test_a_document_signed_in_the_token_verifies(hsm_keys: Pkcs11KeyStore, token: Token, pki: PkiPaths,
                                                  roots: list[x509.Certificate], document: bytes) -> None:
    signed = sign_pdf(document, signer=hsm_keys.signer("official"), field_name="official", reason="Phê duyệt",
                      location="Ninh Bình")
    sealed = sign_pdf(signed, signer=hsm_keys.signer("seal"), field_name="seal", reason="Đóng dấu",
                      location="Ninh Bình")
    result = verify_pdf(sealed, trust_roots=roots)
    assert result.valid, result
    assert [report.signer_common_name for report in result.signatures] == ["Nguyễn Văn An", "UBND tỉnh Ninh Bình"]
    official = token.certificates["official"]
    official.verify_directly_issued_by(x509.load_pem_x509_certificate(pki.agency_ca_cert.read_bytes()))
    assert hsm_keys.signer("official").signing_cert.dump() == official.public_bytes(Encoding.DER)


def test_private_keys_cannot_leave_the_token(token: Token) -> None:
    with open_session(token.module, token.label, token.pin) as session:
        keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
        assert sorted(key[Attribute.LABEL] for key in keys) == ["official", "seal"]
        for key in keys:
            assert key[Attribute.SENSITIVE] and not key[Attribute.EXTRACTABLE]


def test_provisioning_again_keeps_keys_and_certificates(token: Token, pki: PkiPaths) -> None:
    again = provision_signers(token.module, token.label, token.pin, pki, PASSPHRASE)
    assert {name: cert.serial_number for name, cert in again.items()} == {
        name: cert.serial_number for name, cert in token.certificates.items()}


def test_a_new_agency_ca_certifies_the_same_keys_again(token: Token, pki: PkiPaths, tmp_path: Path) -> None:
    other_pki = provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    try:
        moved = provision_signers(token.module, token.label, token.pin, other_pki, PASSPHRASE)
        other_ca = x509.load_pem_x509_certificate(other_pki.agency_ca_cert.read_bytes())
        for name, cert in moved.items():
            cert.verify_directly_issued_by(other_ca)
            assert cert.public_key().public_numbers() == token.certificates[name].public_key().public_numbers()
    finally:
        provision_signers(token.module, token.label, token.pin, pki, PASSPHRASE)


def test_an_expired_certificate_is_replaced(token: Token, pki: PkiPaths) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=800)
    renewed = provision_signers(token.module, token.label, token.pin, pki, PASSPHRASE, now=later)
    try:
        assert renewed["seal"].serial_number != token.certificates["seal"].serial_number
        assert renewed["seal"].not_valid_after_utc > later
    finally:
        provision_signers(token.module, token.label, token.pin, pki, PASSPHRASE)


def test_a_certificate_naming_another_ocsp_responder_is_certified_again(token: Token, pki: PkiPaths) -> None:
    # As after an upgrade from certificates that named no responder: the same keys get ones that do.
    moved = provision_signers(token.module, token.label, token.pin, pki, PASSPHRASE, ocsp_url="https://ocsp.ca.vn")
    try:
        for name, cert in moved.items():
            assert responder_url(cert) == "https://ocsp.ca.vn" != responder_url(token.certificates[name])
            assert cert.public_key().public_numbers() == token.certificates[name].public_key().public_numbers()
    finally:
        provision_signers(token.module, token.label, token.pin, pki, PASSPHRASE)


@pytest.mark.parametrize("store", ["keys", "hsm_keys"])
def test_each_store_keeps_one_warm_signer_per_key(store: str, request: pytest.FixtureRequest) -> None:
    keys = request.getfixturevalue(store)
    assert keys.signer("seal") is keys.signer("seal")
    assert keys.signer("seal") is not keys.signer("official")
    with pytest.raises(UnknownSigner):
        keys.signer("director")


def test_a_wrong_pin_is_refused(token: Token) -> None:
    # In a process of its own: this one is logged in already, and a PKCS#11 login is per process.
    code = ("import sys, pkcs11; from signing.keystore import Pkcs11KeyStore\n"
            "try: Pkcs11KeyStore(sys.argv[1], sys.argv[2], 'not-the-pin')\n"
            "except pkcs11.PinIncorrect: sys.exit(3)")
    run = subprocess.run([sys.executable, "-c", code, str(token.module), token.label], check=False, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 3, run.stderr
