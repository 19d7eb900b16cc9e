"""Tests of the development PKI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from signing.pki import (
    DOCUMENT_SIGNING,
    PASSPHRASE_ENV,
    PkiPaths,
    issue_signer_certificate,
    load_agency_ca,
    main,
    provision_local_pki,
    refresh_crl,
    revocation_reason,
    revoke,
    seal_subject,
)

PASSPHRASE = "test-passphrase"
AGENCY = "UBND tỉnh Ninh Bình"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiPaths:
    return provision_local_pki(tmp_path_factory.mktemp("pki"), passphrase=PASSPHRASE, agency_name=AGENCY)


def load_bundle(path: Path, passphrase: str = PASSPHRASE) -> pkcs12.PKCS12KeyAndCertificates:
    return pkcs12.load_pkcs12(path.read_bytes(), passphrase.encode())


def leaf(path: Path) -> x509.Certificate:
    cert = load_bundle(path).cert
    assert cert is not None
    return cert.certificate


def common_name(cert: x509.Certificate) -> str:
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def test_provisioning_writes_every_file(pki: PkiPaths) -> None:
    assert [path.name for path in pki.files()] == [
        "root.pem",
        "agency-ca.pem",
        "agency-ca-key.pem",
        "agency-ca.crl",
        "tsa.pem",
        "tsa-key.pem",
        "ocsp.pem",
        "ocsp-key.pem",
        "official.p12",
        "seal.p12",
        "pki.json",
    ]
    assert all(path.is_file() for path in pki.files())
    assert pki.official_p12.stat().st_mode & 0o077 == 0
    assert pki.agency_ca_key.stat().st_mode & 0o077 == 0


def test_agency_ca_key_is_encrypted_and_matches_its_certificate(pki: PkiPaths) -> None:
    assert b"ENCRYPTED PRIVATE KEY" in pki.agency_ca_key.read_bytes()
    with pytest.raises((ValueError, TypeError)):
        load_agency_ca(pki, "wrong")
    agency_ca = load_agency_ca(pki, PASSPHRASE)
    assert agency_ca.key.public_key().public_numbers() == agency_ca.cert.public_key().public_numbers()


def test_an_external_key_is_certified_by_the_agency_ca(pki: PkiPaths) -> None:
    agency_ca = load_agency_ca(pki, PASSPHRASE)
    held_elsewhere = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    cert = issue_signer_certificate(agency_ca, seal_subject(AGENCY), held_elsewhere, dt.datetime.now(dt.UTC))
    cert.verify_directly_issued_by(agency_ca.cert)
    assert cert.public_key().public_numbers() == held_elsewhere.public_numbers()
    assert common_name(cert) == AGENCY


def test_the_crl_starts_empty_and_lists_what_is_revoked(tmp_path: Path) -> None:
    paths = provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    agency_ca = x509.load_pem_x509_certificate(paths.agency_ca_cert.read_bytes())
    empty = x509.load_der_x509_crl(paths.crl.read_bytes())
    assert len(list(empty)) == 0 and empty.is_signature_valid(agency_ca.public_key())
    serial = leaf(paths.official_p12).serial_number
    revoke(paths, PASSPHRASE, serial)
    revoke(paths, PASSPHRASE, serial)
    crl = x509.load_der_x509_crl(paths.crl.read_bytes())
    assert crl.is_signature_valid(agency_ca.public_key())
    assert [entry.serial_number for entry in crl] == [serial]
    assert crl.get_revoked_certificate_by_serial_number(leaf(paths.seal_p12).serial_number) is None


def test_chain_runs_from_signers_through_agency_ca_to_root(pki: PkiPaths) -> None:
    root = x509.load_pem_x509_certificate(pki.root_cert.read_bytes())
    agency_ca = x509.load_pem_x509_certificate(pki.agency_ca_cert.read_bytes())
    root.verify_directly_issued_by(root)
    agency_ca.verify_directly_issued_by(root)
    leaf(pki.official_p12).verify_directly_issued_by(agency_ca)
    leaf(pki.seal_p12).verify_directly_issued_by(agency_ca)
    with pytest.raises((ValueError, InvalidSignature)):
        leaf(pki.official_p12).verify_directly_issued_by(root)


def test_pkcs12_carries_key_and_chain(pki: PkiPaths) -> None:
    bundle = load_bundle(pki.official_p12)
    assert isinstance(bundle.key, rsa.RSAPrivateKey)
    assert bundle.key.key_size >= 3072
    chain = [extra.certificate for extra in bundle.additional_certs]
    assert {common_name(cert) for cert in chain} == {
        "motcua Root CA phát triển",
        f"CA ký số {AGENCY} (phát triển)",
    }


def test_pkcs12_refuses_a_wrong_passphrase(pki: PkiPaths) -> None:
    with pytest.raises(ValueError):
        load_bundle(pki.seal_p12, "wrong")


def test_vietnamese_subject_round_trips_as_utf8(pki: PkiPaths) -> None:
    official = leaf(pki.official_p12)
    assert common_name(official) == "Nguyễn Văn An"
    assert official.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == AGENCY
    assert official.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    assert "Nguyễn Văn An".encode() in official.tbs_certificate_bytes
    assert common_name(leaf(pki.seal_p12)) == AGENCY


def test_signer_certificates_are_for_non_repudiation(pki: PkiPaths) -> None:
    for path in (pki.official_p12, pki.seal_p12):
        cert = leaf(path)
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
        assert usage.critical
        assert usage.value.digital_signature and usage.value.content_commitment
        assert not usage.value.key_cert_sign
        purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert DOCUMENT_SIGNING in purposes
        assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)


def test_ca_certificates_constrain_the_path(pki: PkiPaths) -> None:
    root = x509.load_pem_x509_certificate(pki.root_cert.read_bytes())
    agency_ca = x509.load_pem_x509_certificate(pki.agency_ca_cert.read_bytes())
    constraints = agency_ca.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca and constraints.path_length == 0
    assert agency_ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    root_ski = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    agency_aki = agency_ca.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert agency_aki.key_identifier == root_ski


def test_manifest_describes_the_certificates(pki: PkiPaths) -> None:
    manifest = json.loads(pki.manifest.read_text(encoding="utf-8"))
    official = leaf(pki.official_p12)
    assert manifest["official"]["serial"] == format(official.serial_number, "x")
    assert "CN=Nguyễn Văn An" in manifest["official"]["subject"]
    assert manifest["official"]["not_after"] == official.not_valid_after_utc.isoformat()
    assert set(manifest) == {"root", "agency_ca", "official", "seal", "tsa"}


def test_provisioning_twice_keeps_the_existing_pki(tmp_path: Path) -> None:
    first = provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    before = {path: path.read_bytes() for path in first.files()}
    second = provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    assert second == first
    assert {path: path.read_bytes() for path in second.files()} == before


def test_overwrite_replaces_the_pki(tmp_path: Path) -> None:
    paths = provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    before = paths.root_cert.read_bytes()
    provision_local_pki(tmp_path, passphrase=PASSPHRASE, overwrite=True)
    assert paths.root_cert.read_bytes() != before


def test_incomplete_pki_is_provisioned_again(tmp_path: Path) -> None:
    paths = provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    before = paths.root_cert.read_bytes()
    paths.seal_p12.unlink()
    provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    assert paths.seal_p12.is_file()
    assert paths.root_cert.read_bytes() != before


def test_cli_takes_the_passphrase_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, "from-env")
    assert main(["--dir", str(tmp_path)]) == 0
    assert load_bundle(tmp_path / "official.p12", "from-env").key is not None
    assert str(tmp_path / "pki.json") in capsys.readouterr().out


def test_cli_revokes_a_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert main(["--dir", str(tmp_path)]) == 0
    serial = leaf(tmp_path / "official.p12").serial_number
    assert main(["--dir", str(tmp_path), "--revoke", format(serial, "x")]) == 0
    crl = x509.load_der_x509_crl((tmp_path / "agency-ca.crl").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(serial) is not None
    assert "1 revoked" in capsys.readouterr().out


def test_a_pki_made_before_the_ocsp_responder_gets_only_the_responder(tmp_path: Path) -> None:
    paths = provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    agency_ca = paths.agency_ca_cert.read_bytes()
    paths.ocsp_cert.unlink()
    paths.ocsp_key.unlink()
    provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    assert paths.agency_ca_cert.read_bytes() == agency_ca
    responder = x509.load_pem_x509_certificate(paths.ocsp_cert.read_bytes())
    responder.verify_directly_issued_by(x509.load_pem_x509_certificate(agency_ca))
    assert x509.oid.ExtendedKeyUsageOID.OCSP_SIGNING in responder.extensions.get_extension_for_class(
        x509.ExtendedKeyUsage).value
    assert responder.extensions.get_extension_for_class(x509.OCSPNoCheck)


def test_signer_certificates_name_the_crl_and_the_ocsp_responder(pki: PkiPaths) -> None:
    access = leaf(pki.official_p12).extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert [(entry.access_method, entry.access_location.value) for entry in access] == [
        (x509.oid.AuthorityInformationAccessOID.OCSP, "http://127.0.0.1:9780/ocsp")]


def test_the_crl_is_published_again_with_its_entries_once_half_its_lifetime_has_passed(tmp_path: Path) -> None:
    paths = provision_local_pki(tmp_path, passphrase=PASSPHRASE)
    revoke(paths, PASSPHRASE, 0xABC, reason=x509.ReasonFlags.key_compromise)
    now = dt.datetime.now(dt.UTC)
    assert not refresh_crl(paths, PASSPHRASE, now=now)
    later = now + dt.timedelta(days=6)
    assert refresh_crl(paths, PASSPHRASE, now=later)
    crl = x509.load_der_x509_crl(paths.crl.read_bytes())
    assert crl.next_update_utc is not None and crl.next_update_utc > later + dt.timedelta(days=6)
    [entry] = list(crl)
    assert entry.serial_number == 0xABC and revocation_reason(entry) == x509.ReasonFlags.key_compromise
