"""PAdES B-T: each signature timestamped by the local PKI's RFC 3161 authority over HTTP; the timestamp is
checked offline afterwards, and no signature is released when the authority cannot answer."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from cryptography import x509
from motcua.auth import Principal
from motcua.errors import Unavailable
from signing.authorisation import Authoriser
from signing.keystore import FileKeyStore
from signing.pades import HttpTimeStamper, sign_pdf, verify_pdf
from signing.pki import PkiPaths
from signing.pki_server import server
from signing.service import SigningService

from .conftest import PASSPHRASE, AuditRecords, MemoryRepository, crl_of

Authority = tuple[str, Callable[[], None]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def authority(pki: PkiPaths) -> Iterator[Authority]:
    """The PKI server of the session's PKI: its TSA's URL, and how to stop it."""
    http = server(pki, PASSPHRASE, free_port())
    threading.Thread(target=http.serve_forever, daemon=True).start()
    stopped = threading.Event()

    def stop() -> None:
        if not stopped.is_set():
            stopped.set()
            http.shutdown()
            http.server_close()

    try:
        yield f"http://127.0.0.1:{http.server_address[1]}/tsa", stop
    finally:
        stop()


def test_a_timestamped_signature_verifies_offline_once_the_authority_is_gone(
        authority: Authority, keys: FileKeyStore, roots: list[x509.Certificate], document: bytes) -> None:
    url, stop = authority
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    signed = sign_pdf(document, signer=keys.signer("official"), field_name="official", reason="Phê duyệt",
                      location="Ninh Bình", timestamper=HttpTimeStamper(url))
    stop()
    verified = verify_pdf(signed, trust_roots=roots)
    [report] = verified.signatures
    assert verified.valid and report.timestamp is not None
    assert before <= report.timestamp <= dt.datetime.now(dt.UTC)


def test_a_signature_without_the_authority_has_no_timestamp(keys: FileKeyStore, roots: list[x509.Certificate],
                                                            document: bytes) -> None:
    signed = sign_pdf(document, signer=keys.signer("seal"), field_name="seal", reason="", location="")
    [report] = verify_pdf(signed, trust_roots=roots).signatures
    assert report.valid and report.timestamp is None


def test_an_unreachable_authority_refuses_the_signature_and_stores_nothing(
        authority: Authority, audit: AuditRecords, repo: MemoryRepository, keys: FileKeyStore, pki: PkiPaths,
        roots: list[x509.Certificate], document: bytes) -> None:
    url, stop = authority
    service = SigningService(repo=repo, kick=lambda *_: None, keys=keys, revocation=crl_of(pki),
                             authoriser=Authoriser({}), audit=audit, trust_roots=roots, public_url="https://x.vn",
                             timestamper=HttpTimeStamper(url, timeout=2))
    clerk = Principal(sub="van-thu-1", agency="", department="", roles=frozenset({"seal_clerk"}))
    assert service.sign(clerk, pdf=document, signer="seal", reason="", location="")["_id"] in repo.records
    stop()
    with pytest.raises(Unavailable) as refused:
        service.sign(clerk, pdf=document, signer="seal", reason="", location="")
    assert refused.value.reason == "TIMESTAMP_UNAVAILABLE"
    assert len(repo.records) == 1 and len(audit.records) == 1
