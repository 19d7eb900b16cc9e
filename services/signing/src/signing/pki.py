"""A local PKI for development: root CA -> agency CA -> an official's and an organisation's signing certificates."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    NameOID,
    ObjectIdentifier,
)

PASSPHRASE_ENV = "MOTCUA_SIGNING_KEY_PASSPHRASE"
DEFAULT_PASSPHRASE = "motcua-dev"
DEFAULT_AGENCY = "UBND tỉnh Ninh Bình"
OFFICIAL_NAME = "Nguyễn Văn An"
# The official's personal id (CCCD), written into the certificate's UID as Vietnamese CAs do; it is the
# subject of the official's JWT, which is how signing recognises the certificate's holder.
OFFICIAL_ID = "001080012345"
OFFICIAL_UNIT = "Văn phòng UBND tỉnh"
LOCALITY = "Hoa Lư"
PROVINCE = "Ninh Bình"

ROOT_FILE = "root.pem"
AGENCY_CA_FILE = "agency-ca.pem"
AGENCY_CA_KEY_FILE = "agency-ca-key.pem"
CRL_FILE = "agency-ca.crl"
TSA_FILE = "tsa.pem"
TSA_KEY_FILE = "tsa-key.pem"
OCSP_FILE = "ocsp.pem"
OCSP_KEY_FILE = "ocsp-key.pem"
OFFICIAL_FILE = "official.p12"
SEAL_FILE = "seal.p12"
MANIFEST_FILE = "pki.json"

# RFC 9336 id-kp-documentSigning; cryptography has no constant for it.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
RSA_BITS = 3072
PKCS12_KDF_ROUNDS = 50_000
CLOCK_SKEW = dt.timedelta(minutes=5)
ROOT_LIFETIME = dt.timedelta(days=3650)
CA_LIFETIME = dt.timedelta(days=1825)
SIGNER_LIFETIME = dt.timedelta(days=730)
CRL_LIFETIME = dt.timedelta(days=7)
RESPONDER_LIFETIME = dt.timedelta(days=365)
# Where the agency CA publishes its CRL, written into each signer certificate (CRL distribution point) so
# that verifiers know to check it; locally the PKI process of the stack serves it there.
DEFAULT_CRL_URL = "http://127.0.0.1:9780/crl/agency-ca.crl"
# Where the agency CA's OCSP responder answers, written into each signer certificate (authority information
# access); locally the same PKI process serves it.
DEFAULT_OCSP_URL = "http://127.0.0.1:9780/ocsp"


@dataclass(frozen=True)
class PkiPaths:
    """Where the files of a provisioned local PKI live."""

    directory: Path
    root_cert: Path
    agency_ca_cert: Path
    agency_ca_key: Path
    crl: Path
    tsa_cert: Path
    tsa_key: Path
    ocsp_cert: Path
    ocsp_key: Path
    official_p12: Path
    seal_p12: Path
    manifest: Path

    @classmethod
    def in_directory(cls, directory: Path) -> PkiPaths:
        """Return the standard file layout inside `directory`."""
        return cls(
            directory=directory,
            root_cert=directory / ROOT_FILE,
            agency_ca_cert=directory / AGENCY_CA_FILE,
            agency_ca_key=directory / AGENCY_CA_KEY_FILE,
            crl=directory / CRL_FILE,
            tsa_cert=directory / TSA_FILE,
            tsa_key=directory / TSA_KEY_FILE,
            ocsp_cert=directory / OCSP_FILE,
            ocsp_key=directory / OCSP_KEY_FILE,
            official_p12=directory / OFFICIAL_FILE,
            seal_p12=directory / SEAL_FILE,
            manifest=directory / MANIFEST_FILE,
        )

    def files(self) -> tuple[Path, ...]:
        """Return every file of the PKI, the manifest last."""
        return (self.root_cert, self.agency_ca_cert, self.agency_ca_key, self.crl, self.tsa_cert, self.tsa_key,
                self.ocsp_cert, self.ocsp_key, self.official_p12, self.seal_p12, self.manifest)


@dataclass(frozen=True)
class Issued:
    """A certificate together with its private key."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def provision_local_pki(
    directory: Path,
    *,
    passphrase: str,
    agency_name: str = DEFAULT_AGENCY,
    crl_url: str = DEFAULT_CRL_URL,
    ocsp_url: str = DEFAULT_OCSP_URL,
    overwrite: bool = False,
) -> PkiPaths:
    """Create the development PKI in `directory` unless it is already complete there.

    A PKI made before the OCSP responder existed gets only the responder's certificate and key.
    """
    paths = PkiPaths.in_directory(directory)
    if not overwrite and all(path.is_file() for path in paths.files()):
        return paths
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    responder = (paths.ocsp_cert, paths.ocsp_key)
    if not overwrite and all(path.is_file() for path in paths.files() if path not in responder):
        _write_responder(paths, load_agency_ca(paths, passphrase), passphrase, now)
        return paths
    directory.mkdir(parents=True, exist_ok=True)
    root = _issue_root(now)
    agency_ca = _issue_agency_ca(root, agency_name, now)
    official = _issue_signer(agency_ca, official_subject(agency_name), now, crl_url, ocsp_url)
    seal = _issue_signer(agency_ca, seal_subject(agency_name), now, crl_url, ocsp_url)
    chain = [agency_ca.cert, root.cert]
    _write_atomic(paths.root_cert, root.cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write_atomic(paths.agency_ca_cert, agency_ca.cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write_atomic(paths.agency_ca_key, _encrypted_key(agency_ca.key, passphrase), 0o600)
    _write_atomic(paths.crl, _crl(agency_ca, [], now), 0o644)
    tsa = _issue_tsa(agency_ca, agency_name, now)
    _write_atomic(paths.tsa_cert, tsa.cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write_atomic(paths.tsa_key, _encrypted_key(tsa.key, passphrase), 0o600)
    _write_responder(paths, agency_ca, passphrase, now)
    _write_atomic(paths.official_p12, _pkcs12(b"official", official, chain, passphrase), 0o600)
    _write_atomic(paths.seal_p12, _pkcs12(b"seal", seal, chain, passphrase), 0o600)
    manifest = {
        "root": _describe(root.cert, ROOT_FILE),
        "agency_ca": _describe(agency_ca.cert, AGENCY_CA_FILE),
        "official": _describe(official.cert, OFFICIAL_FILE),
        "seal": _describe(seal.cert, SEAL_FILE),
        "tsa": _describe(tsa.cert, TSA_FILE),
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    _write_atomic(paths.manifest, text.encode("utf-8"), 0o644)
    return paths


def _name(*pairs: tuple[ObjectIdentifier, str]) -> x509.Name:
    """Build a distinguished name; strings are encoded as UTF8String, the country as PrintableString."""
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


def official_subject(agency_name: str) -> x509.Name:
    """Subject of the personal signing certificate of the official."""
    return _name(
        (NameOID.COUNTRY_NAME, "VN"),
        (NameOID.STATE_OR_PROVINCE_NAME, PROVINCE),
        (NameOID.LOCALITY_NAME, LOCALITY),
        (NameOID.ORGANIZATION_NAME, agency_name),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, OFFICIAL_UNIT),
        (NameOID.COMMON_NAME, OFFICIAL_NAME),
        (NameOID.USER_ID, f"CCCD:{OFFICIAL_ID}"),
    )


def seal_subject(agency_name: str) -> x509.Name:
    """Subject of the organisation's seal certificate."""
    return _name(
        (NameOID.COUNTRY_NAME, "VN"),
        (NameOID.STATE_OR_PROVINCE_NAME, PROVINCE),
        (NameOID.LOCALITY_NAME, LOCALITY),
        (NameOID.ORGANIZATION_NAME, agency_name),
        (NameOID.COMMON_NAME, agency_name),
    )


def _issue_root(now: dt.datetime) -> Issued:
    """Create the self-signed root CA."""
    key = _new_key()
    subject = _name(
        (NameOID.COUNTRY_NAME, "VN"),
        (NameOID.ORGANIZATION_NAME, "motcua (môi trường phát triển)"),
        (NameOID.COMMON_NAME, "motcua Root CA phát triển"),
    )
    builder = (
        _builder(subject, subject, key.public_key(), now, ROOT_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
    )
    return Issued(cert=builder.sign(key, hashes.SHA256()), key=key)


def _issue_agency_ca(root: Issued, agency_name: str, now: dt.datetime) -> Issued:
    """Create the agency's intermediate CA, signed by the root."""
    key = _new_key()
    subject = _name(
        (NameOID.COUNTRY_NAME, "VN"),
        (NameOID.STATE_OR_PROVINCE_NAME, PROVINCE),
        (NameOID.ORGANIZATION_NAME, agency_name),
        (NameOID.COMMON_NAME, f"CA ký số {agency_name} (phát triển)"),
    )
    builder = (
        _builder(subject, root.cert.subject, key.public_key(), now, CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(_authority_key_id(root.cert), critical=False)
    )
    return Issued(cert=builder.sign(root.key, hashes.SHA256()), key=key)


def _issue_signer(issuer: Issued, subject: x509.Name, now: dt.datetime, crl_url: str, ocsp_url: str) -> Issued:
    """Create a key and an end-entity certificate for signing documents, signed by `issuer`."""
    key = _new_key()
    cert = issue_signer_certificate(issuer, subject, key.public_key(), now, crl_url=crl_url, ocsp_url=ocsp_url)
    return Issued(cert=cert, key=key)


def issue_signer_certificate(
    issuer: Issued, subject: x509.Name, public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey, now: dt.datetime,
    *, crl_url: str = DEFAULT_CRL_URL, ocsp_url: str = DEFAULT_OCSP_URL,
) -> x509.Certificate:
    """Certify a signing key held elsewhere (e.g. generated inside an HSM) for signing documents."""
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    purposes = x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION])
    builder = (
        _builder(subject, issuer.cert.subject, public_key, now, SIGNER_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(purposes, critical=False)
        .add_extension(_authority_key_id(issuer.cert), critical=False)
        .add_extension(crl_distribution_points(crl_url), critical=False)
        .add_extension(ocsp_access(ocsp_url), critical=False)
    )
    return builder.sign(issuer.key, hashes.SHA256())


def crl_distribution_points(url: str) -> x509.CRLDistributionPoints:
    """The extension naming where the issuer's CRL is published."""
    point = x509.DistributionPoint(full_name=[x509.UniformResourceIdentifier(url)], relative_name=None,
                                   reasons=None, crl_issuer=None)
    return x509.CRLDistributionPoints([point])


def ocsp_access(url: str) -> x509.AuthorityInformationAccess:
    """The extension naming the issuer's OCSP responder."""
    return x509.AuthorityInformationAccess([
        x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(url))])


def _write_responder(paths: PkiPaths, agency_ca: Issued, passphrase: str, now: dt.datetime) -> None:
    """Issue the OCSP responder's certificate and write it with its encrypted key."""
    responder = _issue_responder(agency_ca, now)
    _write_atomic(paths.ocsp_cert, responder.cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write_atomic(paths.ocsp_key, _encrypted_key(responder.key, passphrase), 0o600)


def _issue_responder(issuer: Issued, now: dt.datetime) -> Issued:
    """Create the key and certificate of the agency CA's delegated OCSP responder (RFC 6960, 4.2.2.2).

    id-pkix-ocsp-nocheck tells clients not to check the responder's own status: it lives a year, not the
    signers' two, and a new one is issued with a new key rather than revoked.
    """
    organisation = str(issuer.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value)
    return _issue_service(issuer, organisation, "motcua OCSP trạng thái chứng thư (phát triển)", now,
                          RESPONDER_LIFETIME, ExtendedKeyUsageOID.OCSP_SIGNING, non_repudiation=False,
                          extra=(x509.OCSPNoCheck(),))


def _issue_tsa(issuer: Issued, agency_name: str, now: dt.datetime) -> Issued:
    """Create the key and certificate of the local time-stamping authority (RFC 3161), signed by `issuer`."""
    return _issue_service(issuer, agency_name, "motcua TSA dấu thời gian (phát triển)", now, SIGNER_LIFETIME,
                          ExtendedKeyUsageOID.TIME_STAMPING, non_repudiation=True)


def _issue_service(issuer: Issued, organisation: str, common_name: str, now: dt.datetime, lifetime: dt.timedelta,
                   purpose: ObjectIdentifier, *, non_repudiation: bool,
                   extra: Sequence[x509.ExtensionType] = ()) -> Issued:
    """Create the key and certificate of one of the CA's online services, for one purpose only (critical EKU)."""
    key = _new_key()
    subject = _name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, organisation),
                    (NameOID.COMMON_NAME, common_name))
    usage = x509.KeyUsage(digital_signature=True, content_commitment=non_repudiation, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    builder = (
        _builder(subject, issuer.cert.subject, key.public_key(), now, lifetime)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([purpose]), critical=True)
        .add_extension(_authority_key_id(issuer.cert), critical=False)
    )
    for extension in extra:
        builder = builder.add_extension(extension, critical=False)
    return Issued(cert=builder.sign(issuer.key, hashes.SHA256()), key=key)


def _encrypted_key(key: rsa.RSAPrivateKey, passphrase: str) -> bytes:
    """A private key as encrypted PKCS#8 PEM."""
    encryption = serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def _new_key() -> rsa.RSAPrivateKey:
    """Generate an RSA key of the size the PKI uses."""
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: rsa.RSAPublicKey,
    now: dt.datetime,
    lifetime: dt.timedelta,
) -> x509.CertificateBuilder:
    """Start a certificate with the fields every certificate of this PKI shares."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + lifetime)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _ca_key_usage() -> x509.KeyUsage:
    """Key usage of a certificate authority: sign certificates and CRLs."""
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _authority_key_id(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    """Authority key identifier pointing at the issuer's subject key identifier."""
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _pkcs12(name: bytes, issued: Issued, chain: Sequence[x509.Certificate], passphrase: str) -> bytes:
    """Serialise key, certificate and chain as a PKCS#12 file encrypted with AES-256 and a SHA-256 MAC."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(PKCS12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase.encode("utf-8"))
    )
    return pkcs12.serialize_key_and_certificates(name, issued.key, issued.cert, list(chain), encryption)


def _describe(cert: x509.Certificate, file_name: str) -> dict[str, str]:
    """Summarise a certificate for the manifest."""
    return {
        "file": file_name,
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }


def load_agency_ca(paths: PkiPaths, passphrase: str) -> Issued:
    """Read the agency CA's certificate and decrypt its key, to certify HSM keys or publish a CRL."""
    return _load_issued(paths.agency_ca_cert, paths.agency_ca_key, passphrase)


def load_tsa(paths: PkiPaths, passphrase: str) -> Issued:
    """Read the time-stamping authority's certificate and decrypt its key."""
    return _load_issued(paths.tsa_cert, paths.tsa_key, passphrase)


def load_responder(paths: PkiPaths, passphrase: str) -> Issued:
    """Read the OCSP responder's certificate and decrypt its key."""
    return _load_issued(paths.ocsp_cert, paths.ocsp_key, passphrase)


def _load_issued(cert_file: Path, key_file: Path, passphrase: str) -> Issued:
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    key = serialization.load_pem_private_key(key_file.read_bytes(), passphrase.encode("utf-8"))
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError(f"{key_file.name} does not hold an RSA key")
    return Issued(cert=cert, key=key)


Revocation = tuple[int, dt.datetime, x509.ReasonFlags]


def revoke(paths: PkiPaths, passphrase: str, serial: int, *, now: dt.datetime | None = None,
           reason: x509.ReasonFlags = x509.ReasonFlags.unspecified) -> x509.CertificateRevocationList:
    """Add a certificate serial to the agency CA's CRL and publish the new CRL (thu hồi chứng thư số)."""
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    agency_ca = load_agency_ca(paths, passphrase)
    current = x509.load_der_x509_crl(paths.crl.read_bytes())
    revoked = {entry.serial_number: (entry.serial_number, entry.revocation_date_utc, revocation_reason(entry))
               for entry in current}
    revoked.setdefault(serial, (serial, now, reason))
    der = _crl(agency_ca, sorted(revoked.values()), now)
    _write_atomic(paths.crl, der, 0o644)
    return x509.load_der_x509_crl(der)


def refresh_crl(paths: PkiPaths, passphrase: str, *, now: dt.datetime | None = None) -> bool:
    """Publish the agency CA's CRL again, with the same entries, once half its lifetime has passed.

    A CRL past its nextUpdate proves nothing: the OCSP responder, which answers from it, then says tryLater
    and B-LT signatures cannot be made. `make setup` (and so `make run`) calls this.
    """
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    current = x509.load_der_x509_crl(paths.crl.read_bytes())
    if current.next_update_utc is not None and current.next_update_utc - now > CRL_LIFETIME / 2:
        return False
    entries = [(entry.serial_number, entry.revocation_date_utc, revocation_reason(entry)) for entry in current]
    _write_atomic(paths.crl, _crl(load_agency_ca(paths, passphrase), entries, now), 0o644)
    return True


def revocation_reason(entry: x509.RevokedCertificate) -> x509.ReasonFlags:
    """The reason a CRL entry gives (CRLReason), `unspecified` when it gives none."""
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return x509.ReasonFlags.unspecified


def _crl(issuer: Issued, revoked: Sequence[Revocation], now: dt.datetime) -> bytes:
    """A DER CRL of the issuer listing the revoked serials with their revocation times and reasons."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(now)
        .next_update(now + CRL_LIFETIME)
        .add_extension(_authority_key_id(issuer.cert), critical=False)
    )
    for serial, revoked_at, reason in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(revoked_at)
        if reason != x509.ReasonFlags.unspecified:  # RFC 5280, 5.3.1: an unspecified reason is left out
            entry = entry.add_extension(x509.CRLReason(reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write a file so that readers never see it half written."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(partial, mode)
    os.replace(partial, path)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: provision the development PKI into a directory."""
    parser = argparse.ArgumentParser(prog="python -m signing.pki", description=main.__doc__)
    parser.add_argument("--dir", required=True, type=Path, help="directory for the PKI files")
    parser.add_argument("--agency-name", default=DEFAULT_AGENCY, help="organisation named in the certificates")
    parser.add_argument("--crl-url", default=DEFAULT_CRL_URL, help="CRL distribution point of the signer certificates")
    parser.add_argument("--ocsp-url", default=DEFAULT_OCSP_URL, help="OCSP responder named in the signer certificates")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing PKI")
    parser.add_argument("--revoke", metavar="SERIAL", help="revoke the certificate with this hex serial")
    parser.add_argument("--reason", default=x509.ReasonFlags.unspecified.value,
                        choices=[flag.value for flag in x509.ReasonFlags], help="why, with --revoke (CRLReason)")
    args = parser.parse_args(argv)
    passphrase = os.environ.get(PASSPHRASE_ENV) or DEFAULT_PASSPHRASE
    if args.revoke:
        crl = revoke(PkiPaths.in_directory(args.dir), passphrase, int(args.revoke, 16),
                     reason=x509.ReasonFlags(args.reason))
        print(f"{args.dir / CRL_FILE}: {len(list(crl))} revoked")
        return 0
    paths = provision_local_pki(
        args.dir, passphrase=passphrase, agency_name=args.agency_name, crl_url=args.crl_url,
        ocsp_url=args.ocsp_url, overwrite=args.overwrite,
    )
    refresh_crl(paths, passphrase)
    for path in paths.files():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
