"""Verification keeps the validation contexts of B-B and B-T signatures only while a new context would answer the
same: per set of certificates signatures carry, until new CRLs, a time the context judges by, or `max_age`."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from motcua.auth import Principal
from motcua.testing import eventually
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.validation import EmbeddedPdfSignature
from pyhanko_certvalidator.registry import SimpleCertificateStore
from signing import contexts
from signing.authorisation import Authoriser
from signing.contexts import ValidationContexts
from signing.keystore import FileKeyStore
from signing.pades import (
    Verifier,
    load_trust_roots,
    sign_pdf,
    to_asn1,
    with_pades_attributes,
)
from signing.pki import (
    SIGNER_LIFETIME,
    PkiPaths,
    issue_signer_certificate,
    load_agency_ca,
    official_subject,
    provision_local_pki,
    revoke,
)
from signing.service import SigningService

from .conftest import PASSPHRASE, AuditRecords, MemoryRepository, crl_of

KEPT = dt.timedelta(minutes=5)
CLERK = Principal(sub="van-thu-1", agency="", department="", roles=frozenset({"seal_clerk"}))


def signature_of(pdf: bytes) -> EmbeddedPdfSignature:
    [embedded] = PdfFileReader(BytesIO(pdf)).embedded_regular_signatures
    return embedded


def signed_by(keys: FileKeyStore, name: str, document: bytes) -> EmbeddedPdfSignature:
    return signature_of(sign_pdf(document, signer=keys.signer(name), field_name=name, reason="", location=""))


class Clock:
    """The time the contexts decide by, set by the test."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_a_kept_context_serves_the_same_signer_s_next_signatures_and_no_other_signer(
        keys: FileKeyStore, roots: list[x509.Certificate], pki: PkiPaths, document: bytes) -> None:
    kept = ValidationContexts(roots, max_age=KEPT)
    crls = crl_of(pki).crls()
    first, second = signed_by(keys, "official", document), signed_by(keys, "official", document)
    with kept.current(first, crls) as one:
        pass
    with kept.current(second, crls) as again:
        assert again is one
    with kept.current(signed_by(keys, "seal", document), crls) as seal:
        assert seal is not one
    with kept.current(first, crls) as busy, kept.current(second, crls) as meanwhile:
        assert busy is one and meanwhile is not one  # one verification at a time per context
    none_kept = ValidationContexts(roots, max_age=dt.timedelta(0))
    with none_kept.current(first, crls) as a, none_kept.current(first, crls) as b:
        pass
    assert a is not b


def test_a_kept_context_is_dropped_at_the_first_time_it_judges_by_and_after_its_uses(
        keys: FileKeyStore, roots: list[x509.Certificate], pki: PkiPaths, document: bytes) -> None:
    [crl] = crl_of(pki).crls()
    assert crl.next_update_utc is not None
    signer_expiry = keys.signer("official").signing_cert.not_valid_after
    embedded = signed_by(keys, "official", document)
    for edge in (crl.next_update_utc, signer_expiry):
        clock = Clock(edge - dt.timedelta(minutes=1))
        kept = ValidationContexts(roots, max_age=dt.timedelta(days=3650), clock=clock)
        with kept.current(embedded, [crl]) as before:
            pass
        # pyHanko allows a second either way: the answer may change from a second before the time.
        clock.now = edge - contexts.TOLERANCE - dt.timedelta(microseconds=1)
        with kept.current(embedded, [crl]) as just_before:
            assert just_before is before
        clock.now = edge - contexts.TOLERANCE
        with kept.current(embedded, [crl]) as after:
            assert after is not before
    kept = ValidationContexts(roots, max_age=KEPT)
    with kept.current(embedded, [crl]) as first:
        pass
    for _ in range(contexts.USES - 1):
        with kept.current(embedded, [crl]) as same:
            assert same is first
    with kept.current(embedded, [crl]) as fresh:
        assert fresh is not first


@pytest.fixture
def own_pki(tmp_path: Path) -> PkiPaths:
    """A PKI of its own: the test revokes its seal."""
    return provision_local_pki(tmp_path / "pki", passphrase=PASSPHRASE)


def test_a_signer_revoked_after_a_verification_is_reported_revoked_at_the_next_one(
        own_pki: PkiPaths, repo: MemoryRepository, audit: AuditRecords, document: bytes) -> None:
    keys = FileKeyStore(own_pki.directory, PASSPHRASE.encode())
    service = SigningService(repo=repo, kick=lambda *_: None, keys=keys, revocation=crl_of(own_pki),
                             authoriser=Authoriser({}), audit=audit, trust_roots=load_trust_roots(own_pki.root_cert),
                             public_url="https://motcua.example.vn", revocation_max_age=KEPT)
    document_id = service.sign(CLERK, pdf=document, signer="seal", reason="", location="")["_id"]
    assert service.verify(document_id=document_id).valid
    assert service.verify(document_id=document_id).valid  # now from the context kept
    revoke(own_pki, PASSPHRASE, keys.signer("seal").signing_cert.serial_number)
    [report] = service.verify(document_id=document_id).signatures
    assert (report.valid, [message.code for message in report.messages]) == (False, ["revoked"])


def test_a_kept_context_does_not_outlive_the_signer_s_certificate(
        pki: PkiPaths, roots: list[x509.Certificate], document: bytes) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    runs_out = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    cert = issue_signer_certificate(load_agency_ca(pki, PASSPHRASE), official_subject("UBND tỉnh Ninh Bình"),
                                    key.public_key(), runs_out - SIGNER_LIFETIME)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    signer = with_pades_attributes(SimpleSigner(
        signing_cert=to_asn1(cert), signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1(load_agency_ca(pki, PASSPHRASE).cert)])))
    signed = sign_pdf(document, signer=signer, field_name="official", reason="", location="")
    verifier = Verifier(roots, max_age=KEPT)
    assert verifier.verify(signed).valid

    def judged_invalid() -> object:
        report = verifier.verify(signed).signatures[0]
        return None if report.valid else report

    report = eventually(judged_invalid, 15, interval=0.2, what="the signature judged invalid")
    assert [message.code for message in report.messages] == ["expired"]
    assert dt.datetime.now(dt.UTC) > runs_out

