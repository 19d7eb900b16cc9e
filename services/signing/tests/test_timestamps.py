"""PAdES B-T: each signature timestamped by the local PKI's RFC 3161 authority over HTTP; the timestamp is
checked offline afterwards, and no signature is released when the authority cannot answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import BytesIO

import pytest
from asn1crypto import cms
from cryptography import x509
from motcua.auth import Principal
from motcua.errors import Unavailable
from pyhanko.pdf_utils.reader import PdfFileReader
from signing.authorisation import Authoriser
from signing.keystore import FileKeyStore
from signing.pades import (
    CMS_OVERHEAD,
    TIMESTAMP_MARGIN,
    HttpTimeStamper,
    sign_pdf,
    verify_pdf,
)
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


def test_the_room_for_a_timestamped_signature_is_sized_to_the_authority_s_tokens(
        authority: Server, keys: FileKeyStore, roots: list[x509.Certificate], document: bytes) -> None:
    timestamper = HttpTimeStamper(authority[0])
    for name in ("official", "seal"):  # the second is sized from the token the first one measured
        signed = sign_pdf(document, signer=keys.signer(name), field_name=name, reason="", location="",
                          timestamper=timestamper)
        [embedded] = PdfFileReader(BytesIO(signed)).embedded_regular_signatures
        contents = bytes(embedded.sig_object["/Contents"])
        spare = len(contents) - len(cms.ContentInfo.load(contents, strict=False).dump())
        # Every byte left over is two hex digits each verifier reads; a fixed 8 KB for the token left 4.5 KB.
        assert 0 < spare < CMS_OVERHEAD + TIMESTAMP_MARGIN
        assert verify_pdf(signed, trust_roots=roots).valid


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
