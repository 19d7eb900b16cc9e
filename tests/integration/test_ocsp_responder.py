"""The local PKI's OCSP responder (RFC 6960) as the stack runs it: the process `signing.pki_server` serving the
PKI `make setup` made, answering from the agency CA's CRL as `python -m signing.pki --revoke` publishes it."""

from __future__ import annotations

import base64
import datetime as dt
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from signing.pki import (
    DEFAULT_PASSPHRASE,
    PASSPHRASE_ENV,
    PkiPaths,
    issue_signer_certificate,
    load_agency_ca,
)
from signing.pki import official_subject as subject_of

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
PKI = PkiPaths.in_directory(ROOT / ".data/pki")
PASSPHRASE = os.environ.get(PASSPHRASE_ENV) or DEFAULT_PASSPHRASE


@pytest.fixture(scope="module")
def responder(stack) -> str:  # type: ignore[no-untyped-def]
    return f"http://127.0.0.1:{stack.ports.pki}/ocsp"


def agency_ca() -> x509.Certificate:
    return x509.load_pem_x509_certificate(PKI.agency_ca_cert.read_bytes())


def query(cert: x509.Certificate, issuer: x509.Certificate, nonce: bytes = b"") -> ocsp.OCSPRequest:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())
    if nonce:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build()


def post(url: str, request: ocsp.OCSPRequest | bytes) -> ocsp.OCSPResponse:
    body = request if isinstance(request, bytes) else request.public_bytes(serialization.Encoding.DER)
    answer = requests.post(url, data=body, headers={"Content-Type": "application/ocsp-request"}, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/ocsp-response"
    return ocsp.load_der_ocsp_response(answer.content)


def fresh_certificate() -> x509.Certificate:
    """A certificate of the agency CA of its own, so that revoking it leaves the signers' certificates alone."""
    issuer = load_agency_ca(PKI, PASSPHRASE)
    key = x509.load_pem_x509_certificate(PKI.tsa_cert.read_bytes()).public_key()
    return issue_signer_certificate(issuer, subject_of("UBND tỉnh Ninh Bình"), key,  # type: ignore[arg-type]
                                    dt.datetime.now(dt.UTC))


def test_a_signer_in_good_standing_is_good_in_a_signed_answer_echoing_the_nonce(responder: str) -> None:
    _, official, _ = pkcs12.load_key_and_certificates(PKI.official_p12.read_bytes(), PASSPHRASE.encode())
    assert official is not None
    answer = post(responder, query(official, agency_ca(), nonce=b"n-0123456789abcd"))
    assert answer.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD and answer.serial_number == official.serial_number
    assert answer.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"n-0123456789abcd"
    assert answer.next_update_utc is not None and answer.this_update_utc < answer.next_update_utc
    assert abs(answer.this_update_utc - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    # Signed by the delegated responder the agency CA issued for OCSP signing, which clients do not check.
    [signer] = answer.certificates
    signer.verify_directly_issued_by(agency_ca())
    assert x509.oid.ExtendedKeyUsageOID.OCSP_SIGNING in signer.extensions.get_extension_for_class(
        x509.ExtendedKeyUsage).value
    assert signer.extensions.get_extension_for_class(x509.OCSPNoCheck)
    signer.public_key().verify(answer.signature, answer.tbs_response_bytes, padding.PKCS1v15(),  # type: ignore[call-arg]
                               answer.signature_hash_algorithm)  # type: ignore[arg-type]


def test_a_certificate_revoked_with_the_pki_command_is_revoked_with_its_time_and_reason(responder: str) -> None:
    cert = fresh_certificate()
    assert post(responder, query(cert, agency_ca())).certificate_status == ocsp.OCSPCertStatus.GOOD
    subprocess.run([sys.executable, "-m", "signing.pki", "--dir", str(PKI.directory), "--revoke",
                    format(cert.serial_number, "x"), "--reason", "keyCompromise"], check=True, capture_output=True)
    answer = post(responder, query(cert, agency_ca()))
    assert answer.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_reason == x509.ReasonFlags.key_compromise
    assert answer.revocation_time_utc is not None
    assert abs(answer.revocation_time_utc - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    # The GET form of RFC 6960, A.1 gives the same answer.
    encoded = urllib.parse.quote(base64.b64encode(query(cert, agency_ca()).public_bytes(serialization.Encoding.DER)))
    got = requests.get(f"{responder}/{encoded}", timeout=10)
    assert got.headers["Content-Type"] == "application/ocsp-response"
    assert ocsp.load_der_ocsp_response(got.content).certificate_status == ocsp.OCSPCertStatus.REVOKED


def test_a_certificate_of_another_issuer_is_unknown(responder: str) -> None:
    root = x509.load_pem_x509_certificate(PKI.root_cert.read_bytes())
    answer = post(responder, query(agency_ca(), root))  # the agency CA is the root's, not the agency CA's
    assert answer.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status == ocsp.OCSPCertStatus.UNKNOWN


@pytest.mark.parametrize("body", [b"\x30\x03\x02\x01\x01", b"not an OCSP request"])
def test_a_malformed_request_is_answered_malformed_request(responder: str, body: bytes) -> None:
    assert post(responder, body).response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    got = requests.get(f"{responder}/not-base64!", timeout=10)
    assert ocsp.load_der_ocsp_response(got.content).response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    assert requests.get(f"{responder.rsplit('/', 1)[0]}/health", timeout=10).status_code == 200
