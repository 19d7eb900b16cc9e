"""PAdES B-LT: each signature embeds its signer's OCSP answer and the agency CA's CRL in the document's DSS,
fetched from the local PKI's responder; a revoked signer or a silent responder gets no signature at all."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from motcua.auth import Principal
from motcua.errors import Conflict, DomainError, Unavailable
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import EmbeddedPdfSignature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from signing.authorisation import Authoriser
from signing.contexts import ValidationContexts
from signing.keystore import FileKeyStore
from signing.ocsp import OcspClient
from signing.pades import HttpTimeStamper, load_trust_roots, sign_pdf, verify_pdf
from signing.pki import PkiPaths, provision_local_pki, revoke
from signing.revocation import CrlFile
from signing.service import SigningService

from .conftest import AuditRecords, MemoryRepository, Server, running

PASSPHRASE = "lt-passphrase"
CLERK = Principal(sub="van-thu-1", agency="", department="", roles=frozenset({"seal_clerk"}))
OFFICIAL = Principal(sub="001080012345", agency="", department="", roles=frozenset({"leader"}))


@pytest.fixture
def paths(tmp_path: Path) -> PkiPaths:
    """A PKI of its own: some tests revoke its certificates."""
    return provision_local_pki(tmp_path / "pki", passphrase=PASSPHRASE)


@pytest.fixture
def tsa(paths: PkiPaths) -> Iterator[str]:
    with running(paths, PASSPHRASE) as (base, _):
        yield f"{base}/tsa"


@pytest.fixture
def responder(paths: PkiPaths) -> Iterator[Server]:
    """The OCSP responder, on a server of its own so that it can stop while the TSA answers."""
    with running(paths, PASSPHRASE) as (base, stop):
        yield f"{base}/ocsp", stop


def service_of(paths: PkiPaths, tsa: str, ocsp: str, repo: MemoryRepository, audit: AuditRecords, *,
               crl: Path | None = None, max_age: dt.timedelta = dt.timedelta(minutes=5)) -> SigningService:
    agency_ca = x509.load_pem_x509_certificate(paths.agency_ca_cert.read_bytes())
    return SigningService(
        repo=repo, kick=lambda *_: None, keys=FileKeyStore(paths.directory, PASSPHRASE.encode()),
        revocation=CrlFile(crl or paths.crl, agency_ca), authoriser=Authoriser({}), audit=audit,
        trust_roots=load_trust_roots(paths.root_cert), public_url="https://x.vn",
        timestamper=HttpTimeStamper(tsa, timeout=2), ocsp=OcspClient(agency_ca, url=ocsp, timeout=2, max_age=max_age),
        revocation_max_age=max_age)


def dss_of(pdf: bytes) -> tuple[list[asn1_ocsp.OCSPResponse], int]:
    """The OCSP responses and the number of CRLs in a document's DSS."""
    dss = DocumentSecurityStore.read_dss(PdfFileReader(BytesIO(pdf)))
    responses = [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]
    return responses, len(dss.crls)


def refusal(service: SigningService, repo: MemoryRepository, audit: AuditRecords, document: bytes) -> DomainError:
    """Why the seal may not sign `document`; nothing may be stored or audited."""
    with pytest.raises(DomainError) as refused:
        service.sign(CLERK, pdf=document, signer="seal", reason="", location="")
    assert not repo.records and not audit.records
    return refused.value


def answered_serial(response: asn1_ocsp.OCSPResponse) -> int:
    basic = response["response_bytes"]["response"].parsed["tbs_response_data"]
    return int(basic["responses"][0]["cert_id"]["serial_number"].native)


def test_the_official_and_the_seal_each_embed_their_ocsp_answer_and_both_stay_valid(
        paths: PkiPaths, tsa: str, responder: Server, repo: MemoryRepository, audit: AuditRecords,
        document: bytes) -> None:
    service = service_of(paths, tsa, responder[0], repo, audit)
    first = service.sign(OFFICIAL, pdf=document, signer="official", reason="Phê duyệt", location="Ninh Bình")
    sealed = service.sign(CLERK, document_id=first["_id"], signer="seal", reason="", location="")
    content = repo.contents[sealed["_id"]]
    responses, crls = dss_of(content)
    keys = FileKeyStore(paths.directory, PASSPHRASE.encode())
    serials = {keys.signer(name).signing_cert.serial_number for name in ("official", "seal")}
    # The seal's update adds its answer to the DSS the official's signature left: both are there.
    assert {answered_serial(response) for response in responses} == serials and crls >= 1
    verified = verify_pdf(content, trust_roots=load_trust_roots(paths.root_cert))
    assert verified.valid and [report.valid for report in verified.signatures] == [True, True]
    assert all(report.timestamp is not None for report in verified.signatures)


def test_a_signer_the_responder_says_is_revoked_cannot_sign_and_nothing_is_stored(
        paths: PkiPaths, tsa: str, responder: Server, repo: MemoryRepository, audit: AuditRecords,
        document: bytes, tmp_path: Path) -> None:
    # The service's own CRL copy predates the revocation: only the responder knows of it.
    stale_crl = tmp_path / "stale.crl"
    shutil.copy(paths.crl, stale_crl)
    service = service_of(paths, tsa, responder[0], repo, audit, crl=stale_crl)
    seal = FileKeyStore(paths.directory, PASSPHRASE.encode()).signer("seal").signing_cert
    revoke(paths, PASSPHRASE, seal.serial_number, reason=x509.ReasonFlags.key_compromise)
    error = refusal(service, repo, audit, document)
    assert isinstance(error, Conflict) and error.reason == "CERTIFICATE_REVOKED"


def test_a_silent_responder_gives_unavailable_and_nothing_is_stored(
        paths: PkiPaths, tsa: str, responder: Server, repo: MemoryRepository, audit: AuditRecords,
        document: bytes) -> None:
    url, stop = responder
    stop()
    error = refusal(service_of(paths, tsa, url, repo, audit), repo, audit, document)
    assert isinstance(error, Unavailable) and error.reason == "REVOCATION_UNAVAILABLE"


def test_a_fresh_answer_is_reused_until_its_bounded_age_is_reached(
        paths: PkiPaths, tsa: str, responder: Server, repo: MemoryRepository, audit: AuditRecords,
        document: bytes) -> None:
    url, stop = responder
    kept = service_of(paths, tsa, url, repo, audit)
    not_kept = service_of(paths, tsa, url, repo, audit, max_age=dt.timedelta(0))
    kept.sign(CLERK, pdf=document, signer="seal", reason="", location="")
    not_kept.sign(CLERK, pdf=document, signer="seal", reason="", location="")
    stop()
    # With the responder gone the answer kept still serves; the one kept for no time does not.
    assert kept.sign(CLERK, pdf=document, signer="seal", reason="", location="")["_id"] in repo.records
    with pytest.raises(Unavailable):
        not_kept.sign(CLERK, pdf=document, signer="seal", reason="", location="")
    assert len(repo.records) == 3


def test_a_signer_revoked_after_signing_leaves_b_lt_valid_and_b_b_invalid(
        paths: PkiPaths, tsa: str, responder: Server, repo: MemoryRepository, audit: AuditRecords,
        document: bytes) -> None:
    service = service_of(paths, tsa, responder[0], repo, audit)
    long_term = repo.contents[service.sign(CLERK, pdf=document, signer="seal", reason="", location="")["_id"]]
    seal = FileKeyStore(paths.directory, PASSPHRASE.encode()).signer("seal")
    basic = sign_pdf(document, signer=seal, field_name="seal", reason="", location="")
    timestamped = sign_pdf(document, signer=seal, field_name="seal", reason="", location="",
                           timestamper=HttpTimeStamper(tsa))
    crl = revoke(paths, PASSPHRASE, seal.signing_cert.serial_number, reason=x509.ReasonFlags.key_compromise)
    roots = load_trust_roots(paths.root_cert)
    [lt] = verify_pdf(long_term, trust_roots=roots, crls=[crl]).signatures
    assert (lt.level, lt.valid, lt.timestamp is not None) == ("B-LT", True, True)
    for content, level in ((basic, "B-B"), (timestamped, "B-T")):
        [report] = verify_pdf(content, trust_roots=roots, crls=[crl]).signatures
        assert (report.level, report.valid, [m.code for m in report.messages]) == (level, False, ["revoked"])



def test_b_lt_signatures_share_a_kept_context_only_between_the_times_it_judges_by(
        paths: PkiPaths, tsa: str, responder: Server, repo: MemoryRepository, audit: AuditRecords,
        document: bytes) -> None:
    service = service_of(paths, tsa, responder[0], repo, audit)
    first, second = (repo.contents[service.sign(CLERK, pdf=document, signer="seal", reason="", location="")["_id"]]
                     for _ in range(2))
    reports = [service.verify(pdf=content).signatures[0] for content in (first, second)]
    assert [(report.level, report.valid) for report in reports] == [("B-LT", True), ("B-LT", True)]
    (one, one_dss), (two, two_dss) = signature_and_dss(first), signature_and_dss(second)
    [response], _ = dss_of(first)
    single = response.basic_ocsp_response["tbs_response_data"]["responses"][0]
    this_update, next_update = single["this_update"].native, single["next_update"].native
    kept = ValidationContexts(load_trust_roots(paths.root_cert), max_age=dt.timedelta(minutes=5))
    within = this_update + dt.timedelta(seconds=10)  # moments the answer's window holds, a minute apart
    with kept.long_term(one, one_dss, within) as context:
        pass
    # The second signature carries the same certificates, and its DSS the same OCSP answer and CRL.
    with kept.long_term(two, two_dss, within + dt.timedelta(minutes=1)) as same:
        assert same is context
    # Not across the answer's thisUpdate or nextUpdate, nor further than max_age from the moment it was built for.
    for moment in (this_update - dt.timedelta(seconds=2), next_update + dt.timedelta(seconds=2),
                   within + dt.timedelta(minutes=6)):
        with kept.long_term(two, two_dss, within) as before:
            pass
        with kept.long_term(two, two_dss, moment) as other:
            assert other is not before


def signature_and_dss(pdf: bytes) -> tuple[EmbeddedPdfSignature, DocumentSecurityStore]:
    reader = PdfFileReader(BytesIO(pdf))
    [embedded] = reader.embedded_regular_signatures
    return embedded, DocumentSecurityStore.read_dss(reader)
