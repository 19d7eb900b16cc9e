"""Key stores (kho khóa): where signers' private keys live.

A PKCS#11 token (an HSM in production, SoftHSM2 locally) keeps the keys inside the device; encrypted PKCS#12
files are for development only. Both give pyHanko signers loaded once and kept warm for the process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pkcs11
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.pkcs11 import PKCS11Signer
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.pades import to_asn1, with_pades_attributes
from signing.pki import OFFICIAL_FILE, SEAL_FILE

OFFICIAL = "official"
SEAL = "seal"
SIGNERS = (OFFICIAL, SEAL)
# Label of the agency CA certificate stored in the token beside the signers' certificates.
AGENCY_CA_LABEL = "agency-ca"


class UnknownSigner(LookupError):
    """The key store has no signer of that name."""


class KeyStore(Protocol):
    """Where signing keys live: files for development, an HSM or a remote signing service in production."""

    def signer(self, name: str) -> Signer:
        """Return the ready-to-use signer registered under `name`."""
        ...

    def not_after(self) -> dict[str, dt.datetime]:
        """When the certificate of each signer expires."""
        ...


class _Signers:
    """The lookup and expiry report both key stores share."""

    _signers: dict[str, Signer]

    def signer(self, name: str) -> Signer:
        """Return the signer registered under `name` ("official" or "seal")."""
        try:
            return self._signers[name]
        except KeyError:
            raise UnknownSigner(name) from None

    def not_after(self) -> dict[str, dt.datetime]:
        """When the certificate of each signer expires (its notAfter, in UTC)."""
        return {name: signer.signing_cert.not_valid_after for name, signer in self._signers.items()
                if signer.signing_cert is not None}


class FileKeyStore(_Signers):
    """Signers loaded once from the PKCS#12 files of a provisioned PKI directory (development only)."""

    def __init__(self, pki_dir: Path, passphrase: bytes) -> None:
        self._signers = {
            OFFICIAL: _load_pkcs12(pki_dir / OFFICIAL_FILE, passphrase),
            SEAL: _load_pkcs12(pki_dir / SEAL_FILE, passphrase),
        }


class Pkcs11KeyStore(_Signers):
    """Signers whose keys never leave a PKCS#11 token: one logged-in session and the key handles kept warm.

    Each signer's private key and certificate carry its name as label (CKA_LABEL); the agency CA's certificate
    is stored as `agency-ca` and embedded in every signature.
    """

    def __init__(self, module: Path, token_label: str, pin: str, names: Sequence[str] = SIGNERS) -> None:
        self._session = pkcs11.lib(str(module)).get_token(token_label=token_label).open(user_pin=pin)
        self._signers = {}
        for name in names:
            signer = PKCS11Signer(self._session, key_label=name, cert_label=name,
                                  other_certs_to_pull=(AGENCY_CA_LABEL,), bulk_fetch=False)
            signer._load_objects()  # find the certificates and the key handle now, not at the first signature
            self._signers[name] = with_pades_attributes(signer)

    def close(self) -> None:
        """Log out and close the token session."""
        self._session.close()


class _WarmSigner(SimpleSigner):
    """A SimpleSigner that parses its private key once instead of at every signature."""

    def __init__(
        self, cert: asn1_x509.Certificate, key: PrivateKeyTypes, others: Sequence[asn1_x509.Certificate]
    ) -> None:
        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        super().__init__(
            signing_cert=cert,
            signing_key=asn1_keys.PrivateKeyInfo.load(der),
            cert_registry=SimpleCertificateStore.from_certs(others),
        )
        self._private_key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign with the cached key for RSA PKCS#1 v1.5 and ECDSA; defer to pyHanko otherwise."""
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        digest = _HASHES.get(digest_algorithm.lower())
        key = self._private_key
        if digest is not None and mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), digest())
        if digest is not None and mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(digest()))
        return super().sign_raw(data, digest_algorithm)


_HASHES: Mapping[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _load_pkcs12(path: Path, passphrase: bytes) -> Signer:
    """Parse a PKCS#12 file into a warm signer carrying the certificate chain."""
    bundle = pkcs12.load_pkcs12(path.read_bytes(), passphrase)
    if bundle.key is None or bundle.cert is None:
        raise ValueError(f"{path.name} holds no private key and certificate")
    chain = [to_asn1(extra.certificate) for extra in bundle.additional_certs]
    return with_pades_attributes(_WarmSigner(to_asn1(bundle.cert.certificate), bundle.key, chain))
