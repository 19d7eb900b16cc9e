"""Who may sign: the holder of a personal key, the clerks for the seal, services with a delegation; and
no signer whose certificate is expired or revoked. Nothing is stored when a signature is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from motcua.auth import Principal
from motcua.errors import Conflict, Forbidden
from motcua.rpc import channel, error_details
from motcua.v1 import signing_pb2, signing_pb2_grpc
from signing.authorisation import holder_ids, parse_service_keys
from signing.keystore import FileKeyStore
from signing.pades import load_trust_roots
from signing.pki import OFFICIAL_ID, PkiPaths, provision_local_pki, revoke
from signing.service import SigningService
from signing.servicer import SigningServicer

from .conftest import (
    AUTHORISER,
    PASSPHRASE,
    PUBLIC_URL,
    AuditRecords,
    JwtKeys,
    MemoryRepository,
    crl_of,
    serving,
)

OFFICIAL = Principal(sub=OFFICIAL_ID, agency="000.00.12.H56", department="", roles=frozenset({"leader"}))
OTHER_LEADER = Principal(sub="001085099999", agency="000.00.12.H56", department="", roles=frozenset({"leader"}))
CLERK = Principal(sub="van-thu-1", agency="000.00.12.H56", department="", roles=frozenset({"seal_clerk"}))


def service_principal(name: str) -> Principal:
    return Principal(sub=name, agency="", department="", roles=frozenset({"service"}))


@pytest.mark.parametrize(("principal", "signer"), [
    (OFFICIAL, "official"), (CLERK, "seal"), (service_principal("intake"), "seal"),
    (service_principal("routing"), "official"),
])
def test_those_entitled_sign_and_each_signature_is_audited(principal: Principal, signer: str,
                                                           service: SigningService, repo: MemoryRepository,
                                                           audit: AuditRecords, document: bytes) -> None:
    record = service.sign(principal, pdf=document, signer=signer, reason="", location="", origin="ipv4:10.1.2.3:4")
    assert repo.records[record["_id"]]["signer"] == signer
    assert audit.records == [{
        "at": record["signed_at"].isoformat(timespec="milliseconds"), "actor": principal.sub,
        "roles": ",".join(sorted(principal.roles)), "origin": "ipv4:10.1.2.3:4", "signer": signer,
        "certificate_serial": record["certificate_serial"], "document_id": record["_id"],
        "document_sha256": record["sha256"]}]


@pytest.mark.parametrize(("principal", "signer", "reason"), [
    (OTHER_LEADER, "official", "NOT_KEY_HOLDER"),
    (CLERK, "official", "NOT_KEY_HOLDER"),
    (OFFICIAL, "seal", "SEAL_CLERK_REQUIRED"),
    (service_principal("intake"), "official", "NOT_DELEGATED"),
    (service_principal("notification"), "seal", "NOT_DELEGATED"),
])
def test_the_others_are_refused_and_nothing_is_stored(principal: Principal, signer: str, reason: str,
                                                      service: SigningService, repo: MemoryRepository,
                                                      audit: AuditRecords, document: bytes) -> None:
    with pytest.raises(Forbidden) as refused:
        service.sign(principal, pdf=document, signer=signer, reason="", location="")
    assert refused.value.reason == reason and refused.value.detail_vi
    assert repo.records == {} and audit.records == []


def test_the_holder_is_read_from_the_certificates_uid(keys: FileKeyStore) -> None:
    assert holder_ids(keys.signer("official").signing_cert) == {f"CCCD:{OFFICIAL_ID}", OFFICIAL_ID}
    assert holder_ids(keys.signer("seal").signing_cert) == set()


def test_a_bad_delegation_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="service:key"):
        parse_service_keys("intake=seal")


def test_a_signer_whose_certificate_expired_cannot_sign(audit: AuditRecords, repo: MemoryRepository,
                                                        keys: FileKeyStore, pki: PkiPaths,
                                                        roots: list[x509.Certificate], document: bytes) -> None:
    later = keys.not_after()["official"] + dt.timedelta(seconds=1)
    service = SigningService(repo=repo, kick=lambda *_: None, keys=keys, revocation=crl_of(pki), authoriser=AUTHORISER,
                             audit=audit, trust_roots=roots, public_url=PUBLIC_URL, clock=lambda: later)
    with pytest.raises(Conflict) as refused:
        service.sign(OFFICIAL, pdf=document, signer="official", reason="", location="")
    assert refused.value.reason == "CERTIFICATE_EXPIRED"
    assert refused.value.grpc_code == grpc.StatusCode.FAILED_PRECONDITION
    assert repo.records == {}


def test_a_revoked_signer_cannot_sign_and_the_others_still_can(audit: AuditRecords, repo: MemoryRepository,
                                                               tmp_path: Path, document: bytes) -> None:
    own_pki = provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    own_keys = FileKeyStore(own_pki.directory, PASSPHRASE.encode())
    service = SigningService(repo=repo, kick=lambda *_: None, keys=own_keys, revocation=crl_of(own_pki),
                             authoriser=AUTHORISER, audit=audit, trust_roots=load_trust_roots(own_pki.root_cert),
                             public_url=PUBLIC_URL)
    signed = service.sign(OFFICIAL, pdf=document, signer="official", reason="", location="")["_id"]
    assert service.verify(document_id=signed).valid
    revoke(own_pki, PASSPHRASE, own_keys.signer("official").signing_cert.serial_number)
    with pytest.raises(Conflict) as refused:
        service.sign(OFFICIAL, pdf=document, signer="official", reason="", location="")
    assert refused.value.reason == "CERTIFICATE_REVOKED"
    assert len(repo.records) == 1
    sealed = service.sign(CLERK, pdf=document, signer="seal", reason="", location="")["_id"]
    assert service.verify(document_id=sealed).valid
    # A B-B signature carries no proof that it was made before the revocation: it no longer verifies.
    after = service.verify(document_id=signed)
    assert not after.valid and [m.code for m in after.signatures[0].messages] == ["revoked"]


@pytest.fixture
def address(service: SigningService, jwt_keys: JwtKeys) -> Iterator[str]:
    with serving(SigningServicer(service, jwt_keys.verifier)) as bound:
        yield bound


@pytest.fixture
def stub(address: str) -> Iterator[signing_pb2_grpc.SigningStub]:
    peer = channel(address)
    try:
        yield signing_pb2_grpc.SigningStub(peer)
    finally:
        peer.close()


def test_over_grpc_a_call_without_a_token_is_unauthenticated(stub: signing_pb2_grpc.SigningStub,
                                                             document: bytes) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.SignPdf(signing_pb2.SignPdfRequest(pdf=document, signer="seal"), timeout=30)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]
    assert error_details(caught.value)["reason"] == "TOKEN_MISSING"


def test_over_grpc_a_refusal_is_permission_denied_with_its_reason(stub: signing_pb2_grpc.SigningStub,
                                                                   jwt_keys: JwtKeys, document: bytes) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.SignPdf(signing_pb2.SignPdfRequest(pdf=document, signer="seal"), metadata=jwt_keys.official, timeout=30)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED  # type: ignore[attr-defined]
    assert error_details(caught.value)["reason"] == "SEAL_CLERK_REQUIRED"


def test_a_service_channel_presents_its_token_file_read_again_when_renewed(address: str, jwt_keys: JwtKeys,
                                                                          tmp_path: Path, document: bytes) -> None:
    def write_token(sub: str) -> None:
        token_file.write_text(jwt_keys.metadata(sub, "service")[0][1].removeprefix("Bearer "), encoding="utf-8")

    token_file = tmp_path / "token"
    write_token("intake")
    peer = channel(address, token_file=token_file)
    try:
        stub = signing_pb2_grpc.SigningStub(peer)
        assert stub.SignPdf(signing_pb2.SignPdfRequest(pdf=document, signer="seal"), timeout=30).document_id
        write_token("notification")
        with pytest.raises(grpc.RpcError) as caught:
            stub.SignPdf(signing_pb2.SignPdfRequest(pdf=document, signer="seal"), timeout=30)
        assert error_details(caught.value)["reason"] == "NOT_DELEGATED"
    finally:
        peer.close()
