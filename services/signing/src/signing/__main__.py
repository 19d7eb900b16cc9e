"""`python -m signing [all|serve]`: builds signing from its settings and runs it."""

from __future__ import annotations

import datetime as dt
import sys

from cryptography import x509
from motcua.platform import GrpcService, Platform, Process, run_service
from motcua.v1 import signing_pb2, signing_pb2_grpc

from signing import forms, metrics, pades
from signing.app import create_app
from signing.audit import AuditLog
from signing.authorisation import Authoriser
from signing.keystore import FileKeyStore, KeyStore, Pkcs11KeyStore
from signing.ocsp import OcspClient
from signing.pki import AGENCY_CA_FILE, CRL_FILE
from signing.repository import INDEXES, OUTBOX_COLLECTIONS, Repository
from signing.revocation import CrlFile
from signing.service import SigningService
from signing.servicer import SigningServicer
from signing.settings import B_LT, Settings


def build(settings: Settings, platform: Platform) -> Process:
    platform.ensure_indexes(INDEXES, OUTBOX_COLLECTIONS)
    forms.warm_up()
    repo = Repository(platform.db)
    relay = platform.relay([repo.documents])
    keys = open_key_store(settings)
    metrics.report_certificate_expiry(keys.not_after())
    agency_ca = x509.load_pem_x509_certificate((settings.pki_dir / AGENCY_CA_FILE).read_bytes())
    revocation = CrlFile(settings.pki_dir / CRL_FILE, agency_ca)
    ocsp = None
    revocation_max_age = dt.timedelta(seconds=settings.revocation_max_age)
    if settings.level == B_LT:
        pades.quiet_prefetched_revocation()
        ocsp = OcspClient(agency_ca, url=settings.ocsp_url, max_age=revocation_max_age)
    service = SigningService(repo=repo, kick=relay.kick, keys=keys, revocation=revocation,
                             authoriser=Authoriser(settings.service_keys), audit=AuditLog(repo.audit),
                             trust_roots=pades.load_trust_roots(settings.trust_roots), public_url=settings.public_url,
                             timestamper=pades.HttpTimeStamper(settings.tsa_url) if settings.tsa_url else None,
                             ocsp=ocsp, revocation_max_age=revocation_max_age,
                             concurrency=settings.concurrency)
    servicer = SigningServicer(service, platform.tokens())
    return Process(
        platform=platform,
        app=create_app(service=service, readiness=platform.readiness),
        grpc_services=[GrpcService(lambda s: signing_pb2_grpc.add_SigningServicer_to_server(servicer, s),
                                   signing_pb2.DESCRIPTOR.services_by_name["Signing"].full_name)],
        relay=relay,
    )


def open_key_store(settings: Settings) -> KeyStore:
    """Open the configured key store; its signers stay loaded for the life of the process."""
    if settings.pkcs11_module is not None:
        return Pkcs11KeyStore(settings.pkcs11_module, settings.pkcs11_label, settings.pkcs11_pin)
    return FileKeyStore(settings.pki_dir, settings.passphrase)


def main() -> None:
    run_service("signing", Settings.from_env, build, sys.argv[1:])


if __name__ == "__main__":
    main()
