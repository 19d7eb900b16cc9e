"""The OCSP client signing uses for B-LT: it takes answers only from a responder the agency CA authorised."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from signing.keystore import FileKeyStore
from signing.ocsp import OcspClient, OcspUnavailable, Responder
from signing.pki import PkiPaths, load_responder, load_tsa

from .conftest import PASSPHRASE, crl_of, free_port


@contextmanager
def answering(responder: Responder) -> Iterator[str]:
    """An HTTP endpoint where `responder` answers OCSP requests: its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = responder.answer(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Type", "application/ocsp-response")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    http = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{http.server_address[1]}/ocsp"
    finally:
        http.shutdown()
        http.server_close()


def signer_cert(keys: FileKeyStore) -> x509.Certificate:
    return x509.load_der_x509_certificate(keys.signer("official").signing_cert.dump())


def test_the_delegated_responder_is_believed(pki: PkiPaths, keys: FileKeyStore) -> None:
    agency_ca = x509.load_pem_x509_certificate(pki.agency_ca_cert.read_bytes())
    with answering(Responder(load_responder(pki, PASSPHRASE), agency_ca, crl_of(pki))) as url:
        status = OcspClient(agency_ca, url=url).status(signer_cert(keys))
    assert not status.revoked and status.next_update is not None and status.this_update < status.next_update


def test_an_answer_signed_by_a_certificate_not_issued_for_ocsp_is_refused(pki: PkiPaths, keys: FileKeyStore) -> None:
    agency_ca = x509.load_pem_x509_certificate(pki.agency_ca_cert.read_bytes())
    # The TSA's certificate is the agency CA's too, but for time-stamping only.
    with answering(Responder(load_tsa(pki, PASSPHRASE), agency_ca, crl_of(pki))) as url, \
            pytest.raises(OcspUnavailable, match="not signed for"):
        OcspClient(agency_ca, url=url).status(signer_cert(keys))


def test_a_certificate_naming_no_responder_and_no_url_configured_is_unavailable(pki: PkiPaths) -> None:
    agency_ca = x509.load_pem_x509_certificate(pki.agency_ca_cert.read_bytes())
    with pytest.raises(OcspUnavailable, match="names no OCSP responder"):
        OcspClient(agency_ca).status(agency_ca)


def test_past_the_crls_next_update_the_responder_says_try_later(pki: PkiPaths, keys: FileKeyStore) -> None:
    agency_ca = x509.load_pem_x509_certificate(pki.agency_ca_cert.read_bytes())
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    responder = Responder(load_responder(pki, PASSPHRASE), agency_ca, crl_of(pki), clock=lambda: later)
    request = ocsp.OCSPRequestBuilder().add_certificate(signer_cert(keys), agency_ca, hashes.SHA256()).build()
    answer = ocsp.load_der_ocsp_response(responder.answer(request.public_bytes(serialization.Encoding.DER)))
    assert answer.response_status == ocsp.OCSPResponseStatus.TRY_LATER
