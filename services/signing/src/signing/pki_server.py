"""The local PKI's online services for development and tests: the agency CA's CRL, its OCSP responder and an
RFC 3161 time-stamping authority (TSA), over HTTP, from the files of a provisioned PKI directory.

`python -m signing.pki_server --dir .data/pki --port 9780` (`make run` and the tests start it):
`GET /crl/agency-ca.crl` serves the current CRL, `POST /ocsp` (`application/ocsp-request`) and
`GET /ocsp/<base64 request>` answer with `application/ocsp-response` (RFC 6960), `POST /tsa` answers
`application/timestamp-query` with `application/timestamp-reply`, `GET /health` says it is up. In production
the CA, its responder and the TSA are the certification authority's own services.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import datetime
import hashlib
import os
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.sign.general import (
    as_signing_certificate,
    get_pyca_cryptography_hash,
    simple_cms_attribute,
)
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from signing.ocsp import REQUEST_TYPE, RESPONSE_TYPE, Responder
from signing.pades import to_asn1
from signing.pki import (
    DEFAULT_PASSPHRASE,
    PASSPHRASE_ENV,
    PkiPaths,
    load_responder,
    load_tsa,
)
from signing.revocation import CrlFile

MAX_QUERY_BYTES = 64 * 1024


class LocalTimeStamper(DummyTimeStamper):
    """pyHanko's in-process TSA with its key parsed and its signing-certificate attribute built once.

    pyHanko's own parses the key and builds the attribute for every token, and asn1crypto serialises the
    attribute anew at every dump: 145 ms of CPU a token, a third of a core under `make bench`'s receipts.
    """

    def __init__(self, tsa_cert: asn1_x509.Certificate, tsa_key: RSAPrivateKey,
                 certs_to_embed: list[asn1_x509.Certificate]) -> None:
        der = tsa_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        super().__init__(tsa_cert=tsa_cert, tsa_key=asn1_keys.PrivateKeyInfo.load(der), certs_to_embed=certs_to_embed)
        self._key = tsa_key
        self._signing_certificate = simple_cms_attribute(
            "signing_certificate", tsp.SigningCertificate.load(as_signing_certificate(tsa_cert).dump()))

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str,
                       dt: datetime.datetime) -> tuple[bytes, cms.CMSAttributes]:
        digest = get_pyca_cryptography_hash(md_algorithm)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            self._signing_certificate,
            simple_cms_attribute("message_digest", hashlib.new(digest.name, tst_info_data).digest()),
        ])
        return self._key.sign(signed_attrs.dump(), PKCS1v15(), digest), signed_attrs


def authority(paths: PkiPaths, passphrase: str, *, full_chain: bool = False) -> LocalTimeStamper:
    """The PKI's time-stamping authority, signing each request with the TSA key; its tokens carry the agency CA's
    certificate, and with `full_chain` the root's as well (as TSAs that send their whole chain do)."""
    tsa = load_tsa(paths, passphrase)
    if not isinstance(tsa.key, RSAPrivateKey):
        raise TypeError("the local TSA signs with RSA only")
    chain = [paths.agency_ca_cert, *([paths.root_cert] if full_chain else [])]
    return LocalTimeStamper(to_asn1(tsa.cert), tsa.key,
                            [to_asn1(x509.load_pem_x509_certificate(path.read_bytes())) for path in chain])


def responder(paths: PkiPaths, passphrase: str) -> Responder:
    """The agency CA's OCSP responder, answering from the CA's CRL with the delegated responder key."""
    agency_ca = x509.load_pem_x509_certificate(paths.agency_ca_cert.read_bytes())
    return Responder(load_responder(paths, passphrase), agency_ca, CrlFile(paths.crl, agency_ca))


def server(paths: PkiPaths, passphrase: str, port: int, host: str = "127.0.0.1", *,
           full_chain: bool = False) -> ThreadingHTTPServer:
    """An HTTP server of the CRL, the OCSP responder and the TSA; call serve_forever() on it."""
    tsa = authority(paths, passphrase, full_chain=full_chain)
    ocsp = responder(paths, passphrase)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/crl/agency-ca.crl":
                self._answer(200, "application/pkix-crl", paths.crl.read_bytes())
            elif self.path.startswith("/ocsp/"):
                # RFC 6960, A.1: the DER request in base64, URL-encoded, as the last part of the path.
                try:
                    request = base64.b64decode(urllib.parse.unquote(self.path[len("/ocsp/"):]), validate=True)
                except (binascii.Error, ValueError):
                    request = b""
                self._answer(200, RESPONSE_TYPE, ocsp.answer(request))
            elif self.path == "/health":
                self._answer(200, "text/plain", b"ok")
            else:
                self._answer(404, "text/plain", b"not found")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            kind = (self.path, self.headers.get("Content-Type"))
            if kind not in (("/tsa", "application/timestamp-query"), ("/ocsp", REQUEST_TYPE)):
                return self._answer(404, "text/plain",
                                    b"POST application/timestamp-query to /tsa or application/ocsp-request to /ocsp")
            if not 0 < length <= MAX_QUERY_BYTES:
                return self._answer(400, "text/plain", b"bad length")
            if self.path == "/ocsp":
                return self._answer(200, RESPONSE_TYPE, ocsp.answer(self.rfile.read(length)))
            try:
                query = tsp.TimeStampReq.load(self.rfile.read(length))
                reply = asyncio.run(tsa.async_request_tsa_response(query)).dump()
            except (ValueError, TypeError, KeyError) as error:
                return self._answer(400, "text/plain", f"bad timestamp query: {error}".encode())
            self._answer(200, "application/timestamp-reply", reply)

        def _answer(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the stack keeps each process's output, and every request would fill it."""

    return ThreadingHTTPServer((host, port), Handler)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m signing.pki_server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, required=True, help="the provisioned PKI directory")
    parser.add_argument("--port", type=int, default=9780)
    parser.add_argument("--full-chain", action="store_true",
                        help="timestamp tokens carry the root CA's certificate too, not only the agency CA's")
    args = parser.parse_args()
    passphrase = os.environ.get(PASSPHRASE_ENV) or DEFAULT_PASSPHRASE
    server(PkiPaths.in_directory(args.dir), passphrase, args.port, full_chain=args.full_chain).serve_forever()


if __name__ == "__main__":
    main()
