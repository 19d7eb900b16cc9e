"""Provisioning of a PKCS#11 token: the signers' keys generated inside it, certified by the agency CA.

`python -m signing.hsm --state .data/softhsm --pki .data/pki` sets up a SoftHSM2 token for development
(`make setup` runs it); against a production HSM, `provision_signers` runs the same steps on a token that
the HSM's own tools initialised.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pkcs11
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass

from signing.keystore import AGENCY_CA_LABEL, OFFICIAL, SEAL
from signing.pki import (
    DEFAULT_CRL_URL,
    DEFAULT_OCSP_URL,
    DEFAULT_PASSPHRASE,
    PASSPHRASE_ENV,
    RSA_BITS,
    PkiPaths,
    crl_distribution_points,
    issue_signer_certificate,
    load_agency_ca,
    ocsp_access,
    official_subject,
    seal_subject,
)

PIN_ENV = "MOTCUA_SIGNING_PKCS11_PIN"
SO_PIN_ENV = "MOTCUA_SIGNING_PKCS11_SO_PIN"
DEFAULT_PIN = "motcua-dev-pin"
DEFAULT_TOKEN = "motcua"
CONF_FILE = "softhsm2.conf"
# The PKCS#11 module inside the unpacked SoftHSM2 packages (a link `make setup` makes to the arch's directory).
SOFTHSM_MODULE = "libsofthsm2.so"


def softhsm_config(state_dir: Path) -> Path:
    """Write a SoftHSM2 configuration that keeps its tokens under `state_dir`; return its path."""
    tokens = state_dir / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = state_dir / CONF_FILE
    conf.write_text(f"directories.tokendir = {tokens.resolve()}\nobjectstore.backend = file\nlog.level = ERROR\n"
                    "slots.removable = false\n", encoding="utf-8")
    return conf


def init_softhsm_token(unpacked: Path, conf: Path, *, label: str, pin: str, so_pin: str) -> None:
    """Initialise a SoftHSM2 token named `label` in the next free slot unless one exists."""
    util = [str(unpacked / "usr/bin/softhsm2-util"), "--module", str(unpacked / SOFTHSM_MODULE)]
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    slots = subprocess.run([*util, "--show-slots"], env=env, check=True, capture_output=True, text=True).stdout
    if any(line.split(":", 1)[1].strip() == label for line in slots.splitlines() if line.strip().startswith("Label:")):
        return
    subprocess.run([*util, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", so_pin],
                   env=env, check=True, capture_output=True)


def provision_signers(module: Path, token_label: str, pin: str, pki: PkiPaths, passphrase: str,
                      *, crl_url: str = DEFAULT_CRL_URL, ocsp_url: str = DEFAULT_OCSP_URL,
                      now: dt.datetime | None = None) -> dict[str, x509.Certificate]:
    """Generate the signers' keys in the token unless present and keep their certificates issued by the agency CA."""
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    agency_ca = load_agency_ca(pki, passphrase)
    agency_name = str(agency_ca.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value)
    issued = {}
    with open_session(module, token_label, pin, rw=True) as session:
        _store_certificate(session, AGENCY_CA_LABEL, agency_ca.cert)
        for name, subject in ((OFFICIAL, official_subject(agency_name)), (SEAL, seal_subject(agency_name))):
            public_key = _key_pair(session, name)
            current = _certificate(session, name)
            wanted = (crl_distribution_points(crl_url), ocsp_access(ocsp_url))
            if (current is None or current.subject != subject or _revocation_pointers(current) != wanted
                    or not _certifies(current, public_key, agency_ca.cert, now)):
                current = issue_signer_certificate(agency_ca, subject, public_key, now, crl_url=crl_url,
                                                   ocsp_url=ocsp_url)
                _store_certificate(session, name, current)
            issued[name] = current
    return issued


def open_session(module: Path, token_label: str, pin: str, *, rw: bool = False) -> pkcs11.Session:
    """Open a session logged in as the token's user, or joining the login this process already holds."""
    token = pkcs11.lib(str(module)).get_token(token_label=token_label)
    try:
        return token.open(user_pin=pin, rw=rw)
    except pkcs11.UserAlreadyLoggedIn:
        return token.open(rw=rw)


def _key_pair(session: pkcs11.Session, label: str) -> rsa.RSAPublicKey:
    """Return the public half of the token's key pair `label`, generating a non-extractable pair if absent."""
    found = list(session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.LABEL: label}))
    if found:
        public = found[0]
    else:
        public, _ = session.generate_keypair(
            KeyType.RSA, RSA_BITS, label=label, id=label.encode(), store=True,
            private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False, Attribute.SIGN: True},
        )
    numbers = rsa.RSAPublicNumbers(int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"),
                                   int.from_bytes(public[Attribute.MODULUS], "big"))
    return numbers.public_key()


def _revocation_pointers(cert: x509.Certificate) -> tuple[x509.ExtensionType | None, ...]:
    """Where the certificate says its status is published: its CRL distribution point and OCSP responder."""
    found: list[x509.ExtensionType | None] = []
    for kind in (x509.CRLDistributionPoints, x509.AuthorityInformationAccess):
        try:
            found.append(cert.extensions.get_extension_for_class(kind).value)
        except x509.ExtensionNotFound:
            found.append(None)
    return tuple(found)


def _certificate(session: pkcs11.Session, label: str) -> x509.Certificate | None:
    found = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: label}))
    return x509.load_der_x509_certificate(found[0][Attribute.VALUE]) if found else None


def _certifies(cert: x509.Certificate, public_key: rsa.RSAPublicKey, issuer: x509.Certificate,
               now: dt.datetime) -> bool:
    """Tell whether `cert` is a current certificate of `public_key` issued by `issuer`."""
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    same_key = cert.public_key().public_bytes(serialization.Encoding.DER, spki) == public_key.public_bytes(
        serialization.Encoding.DER, spki)
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return same_key and cert.not_valid_before_utc <= now < cert.not_valid_after_utc


def _store_certificate(session: pkcs11.Session, label: str, cert: x509.Certificate) -> None:
    """Put `cert` into the token under `label`, replacing a different one stored there."""
    der = cert.public_bytes(serialization.Encoding.DER)
    for existing in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: label}):
        if existing[Attribute.VALUE] == der:
            return
        existing.destroy()
    session.create_object({
        Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
        Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: label.encode(), Attribute.VALUE: der,
        Attribute.SUBJECT: cert.subject.public_bytes(), Attribute.ISSUER: cert.issuer.public_bytes(),
        Attribute.SERIAL_NUMBER: cert.serial_number.to_bytes(20, "big").lstrip(b"\0") or b"\0",
    })


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: initialise the development SoftHSM2 token and provision the signers in it."""
    parser = argparse.ArgumentParser(prog="python -m signing.hsm", description=main.__doc__)
    parser.add_argument("--state", required=True, type=Path, help="directory for the SoftHSM2 configuration and tokens")
    parser.add_argument("--pki", required=True, type=Path, help="directory of the local PKI (agency CA)")
    parser.add_argument("--softhsm", type=Path, default=Path(".cache/softhsm"), help="unpacked SoftHSM2 packages")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="token label")
    args = parser.parse_args(argv)
    pin = os.environ.get(PIN_ENV) or DEFAULT_PIN
    conf = softhsm_config(args.state)
    init_softhsm_token(args.softhsm, conf, label=args.token, pin=pin,
                       so_pin=os.environ.get(SO_PIN_ENV) or DEFAULT_PIN)
    os.environ["SOFTHSM2_CONF"] = str(conf)
    issued = provision_signers(args.softhsm / SOFTHSM_MODULE, args.token, pin, PkiPaths.in_directory(args.pki),
                               os.environ.get(PASSPHRASE_ENV) or DEFAULT_PASSPHRASE)
    for name, cert in issued.items():
        print(f"{name}: serial {cert.serial_number:x}, {cert.subject.rfc4514_string()}")
    print(conf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
