"""Whether a signer's certificate has been revoked (thu hồi), from the issuing CA's CRL."""

from __future__ import annotations

import threading
from pathlib import Path

from cryptography import x509


class CrlFile:
    """The agency CA's CRL read from a file and read again whenever the file changes.

    The CRL's signature is checked against the CA certificate; a CRL that does not verify is refused.
    """

    def __init__(self, path: Path, issuer: x509.Certificate) -> None:
        self.path = path
        self.issuer = issuer
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._crl: x509.CertificateRevocationList | None = None

    def is_revoked(self, serial: int) -> bool:
        """Tell whether the CA lists `serial` as revoked; no CRL file means nothing is revoked."""
        crl = self._current()
        return crl is not None and crl.get_revoked_certificate_by_serial_number(serial) is not None

    def crls(self) -> list[x509.CertificateRevocationList]:
        """The current CRL, for verification; none while there is no file."""
        crl = self._current()
        return [] if crl is None else [crl]

    def _current(self) -> x509.CertificateRevocationList | None:
        try:
            status = self.path.stat()
        except FileNotFoundError:
            return None
        stamp = (status.st_mtime_ns, status.st_size)
        with self._lock:
            if stamp != self._stamp:
                crl = x509.load_der_x509_crl(self.path.read_bytes())
                if not crl.is_signature_valid(self.issuer.public_key()):  # type: ignore[arg-type]
                    raise ValueError(f"{self.path} is not signed by {self.issuer.subject.rfc4514_string()}")
                self._crl, self._stamp = crl, stamp
            return self._crl
