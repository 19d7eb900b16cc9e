"""PAdES B-T: each signature timestamped by the local PKI's RFC 3161 authority over HTTP; the timestamp is
checked offline afterwards, and no signature is released when the authority cannot answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from cryptography import x509
from motcua.auth import Principal
from motcua.errors import Unavailable
from signing.authorisation import Authoriser
from signing.keystore import FileKeyStore
from signing.pades import HttpTimeStamper, sign_pdf, verify_pdf
from signing.pki import PkiPaths
from signing.service import SigningService

from .conftest import (
    PASSPHRASE,
    AuditRecords,
    MemoryRepository,
    Server,
    crl_of,
    running,
)


@pytest.fixture
def authority(pki: PkiPaths) -> Iterator[Server]:
    """The PKI server of the session's PKI: its TSA's URL, and how to stop it."""
    with running(pki, PASSPHRASE) as (base, stop):
        yield f"{base}/tsa", stop


def test_a_timestamped_signature_verifies_offline_once_the_authority_is_gone(
        authority: Server, keys: FileKeyStore, roots: list[x509.Certificate], document: bytes) -> None:
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
        authority: Server, audit: AuditRecords, repo: MemoryRepository, keys: FileKeyStore, pki: PkiPaths,
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
