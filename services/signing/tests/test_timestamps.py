"""PAdES B-T: each signature timestamped by the local PKI's RFC 3161 authority over HTTP; the timestamp is
checked offline afterwards, and no signature is released when the authority cannot answer."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from io import BytesIO

import pytest
from asn1crypto import cms, tsp
from cryptography import x509
from motcua.auth import Principal
from motcua.errors import Unavailable
from pyhanko.pdf_utils.reader import PdfFileReader
from signing import pki_server
from signing.authorisation import Authoriser
from signing.keystore import FileKeyStore
from signing.pades import (
    CMS_OVERHEAD,
    TIMESTAMP_MARGIN,
    HttpTimeStamper,
    sign_pdf,
    to_asn1,
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
    free_port,
    running,
)

CLERK = Principal(sub="van-thu-1", agency="", department="", roles=frozenset({"seal_clerk"}))


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
    assert service.sign(CLERK, pdf=document, signer="seal", reason="", location="")["_id"] in repo.records
    stop()
    with pytest.raises(Unavailable) as refused:
        service.sign(CLERK, pdf=document, signer="seal", reason="", location="")
    assert refused.value.reason == "TIMESTAMP_UNAVAILABLE"
    assert len(repo.records) == 1 and len(audit.records) == 1


def _service(repo: MemoryRepository, audit: AuditRecords, keys: FileKeyStore, pki: PkiPaths,
             roots: list[x509.Certificate], timestamper: HttpTimeStamper) -> SigningService:
    return SigningService(repo=repo, kick=lambda *_: None, keys=keys, revocation=crl_of(pki),
                          authoriser=Authoriser({}), audit=audit, trust_roots=roots, public_url="https://x.vn",
                          timestamper=timestamper)


def _spare(signed: bytes) -> int:
    """Bytes of the signature's room its CMS leaves unused."""
    [embedded] = PdfFileReader(BytesIO(signed)).embedded_regular_signatures
    contents = bytes(embedded.sig_object["/Contents"])
    return len(contents) - len(cms.ContentInfo.load(contents, strict=False).dump())


def test_signing_makes_room_for_an_authority_whose_tokens_grew_and_keeps_it(
        pki: PkiPaths, audit: AuditRecords, repo: MemoryRepository, keys: FileKeyStore,
        roots: list[x509.Certificate], document: bytes, caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    timestamper = HttpTimeStamper(f"http://127.0.0.1:{port}/tsa", timeout=5)
    service = _service(repo, audit, keys, pki, roots, timestamper)
    with running(pki, PASSPHRASE, port):
        first = service.sign(CLERK, pdf=document, signer="seal", reason="", location="")
    room = timestamper.token_room()
    # The authority comes back sending its whole chain: each token carries the root's certificate too, 1.2 KB
    # more than the room its first token measured.
    with running(pki, PASSPHRASE, port, full_chain=True), caplog.at_level(logging.WARNING, "signing.pades"):
        grown = service.sign(CLERK, pdf=document, signer="seal", reason="", location="")
        after = service.sign(CLERK, pdf=document, signer="seal", reason="", location="")
    learned = (f"a timestamp from {timestamper.url} did not fit the room reserved for it: "
               f"{timestamper.token_room()} bytes reserved for its tokens from now on; signing again")
    # Once: the third signature fitted at the first try.
    assert [record.getMessage() for record in caplog.records if "did not fit" in record.getMessage()] == [learned]
    assert timestamper.token_room() > room + TIMESTAMP_MARGIN
    assert [record["document_id"] for record in audit.records] == [first["_id"], grown["_id"], after["_id"]]
    for record in (first, grown, after):
        signed = repo.contents[record["_id"]]
        verified = verify_pdf(signed, trust_roots=roots)
        assert verified.valid and verified.signatures[0].timestamp is not None
        assert 0 < _spare(signed) < CMS_OVERHEAD + TIMESTAMP_MARGIN
    [embedded] = PdfFileReader(BytesIO(repo.contents[after["_id"]])).embedded_regular_signatures
    [token] = embedded.signer_info["unsigned_attrs"][0]["values"]
    assert x509.load_pem_x509_certificate(pki.root_cert.read_bytes()).subject.rfc4514_string() in {
        x509.load_der_x509_certificate(cert.chosen.dump()).subject.rfc4514_string()
        for cert in token["content"]["certificates"]}


class LengtheningChain(HttpTimeStamper):
    """The local TSA, asked in this process, whose every token carries one certificate more than the one before:
    no room made for the last token is enough for the next."""

    def __init__(self, pki: PkiPaths) -> None:
        super().__init__("local TSA")
        self.authority = pki_server.authority(pki, PASSPHRASE)
        self.more = [to_asn1(x509.load_pem_x509_certificate(path.read_bytes()))
                     for path in (pki.root_cert, pki.ocsp_cert, pki.tsa_cert)]
        self.tokens = 0

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        self.authority.certs_to_embed.extend(self.more[self.tokens:self.tokens + 1])
        self.tokens += 1
        return await self.authority.async_request_tsa_response(req)


def test_a_signature_that_still_does_not_fit_is_refused_clearly_and_nothing_is_stored(
        pki: PkiPaths, audit: AuditRecords, repo: MemoryRepository, keys: FileKeyStore,
        roots: list[x509.Certificate], document: bytes) -> None:
    timestamper = LengtheningChain(pki)
    service = _service(repo, audit, keys, pki, roots, timestamper)
    with pytest.raises(Unavailable) as refused:
        service.sign(CLERK, pdf=document, signer="seal", reason="", location="")
    assert refused.value.reason == "SIGNATURE_TOO_LARGE" and refused.value.detail_vi
    assert timestamper.tokens == 3  # the room's first token, then one for each of the two tries
    assert not repo.records and not audit.records
