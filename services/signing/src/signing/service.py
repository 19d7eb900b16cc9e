"""The rules of signing: render, sign with a named key, store by hash, announce; verify anything."""

from __future__ import annotations

import gc
import hashlib
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from motcua import outbox
from motcua.auth import Principal
from motcua.errors import Forbidden, NotFound, invalid
from motcua.events import Event, timestamp
from motcua.topics import DOCUMENT_SIGNED
from motcua.v1 import events_pb2
from pyhanko.sign.signers import Signer

from signing import errors, forms, metrics, pades, stamps
from signing.authorisation import Authoriser
from signing.keystore import OFFICIAL, SEAL, KeyStore, UnknownSigner
from signing.ocsp import OcspClient, OcspUnavailable
from signing.repository import Repository

log = logging.getLogger(__name__)

DOCUMENT_ID = re.compile(r"^[0-9a-f]{32}$")
Kick = Callable[[str, Any], None]
DEFAULT_REASON = "Ký số"


class Audit(Protocol):
    """The append-only log every signature is recorded in."""

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]: ...


class Revocation(Protocol):
    """Where the status of the signers' certificates comes from (the CA's CRL, OCSP)."""

    def is_revoked(self, serial: int) -> bool: ...

    def crls(self) -> list[x509.CertificateRevocationList]: ...


class SigningService:
    def __init__(self, *, repo: Repository, kick: Kick, keys: KeyStore, revocation: Revocation,
                 authoriser: Authoriser, audit: Audit, trust_roots: Sequence[x509.Certificate], public_url: str,
                 timestamper: pades.HttpTimeStamper | None = None, ocsp: OcspClient | None = None, concurrency: int = 2,
                 revocation_max_age: timedelta = timedelta(0),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        # Rendering, signing and verifying are Python work under the GIL: more at once than the CPUs only
        # adds each one's working set (fonts, PDF objects, CMS) to the peak memory, never throughput.
        self._work = threading.BoundedSemaphore(concurrency)
        self.kick = kick
        self.keys = keys
        self.revocation = revocation
        self.authoriser = authoriser
        self.audit = audit
        self.timestamper = timestamper
        # With an OCSP client, signatures are B-LT: each embeds its signer's OCSP answer and the CA's CRL.
        self.ocsp = ocsp
        # Per signer, the revocation data last embedded: kept while the OCSP answer and the CRL are the same.
        self._long_term: dict[str, pades.RevocationData] = {}
        self.trust_roots = list(trust_roots)
        # Verification keeps validation contexts no longer than signing keeps OCSP answers.
        self.verifier = pades.Verifier(self.trust_roots, max_age=revocation_max_age)
        self.public_url = public_url
        self.clock = clock

    @contextmanager
    def _working(self) -> Iterator[None]:
        """Hold one of the permits for a rendering, signature or verification; collect its garbage as it ends.

        A document's parsed fonts and PDF objects, and a CMS's certificates, are reference cycles: left to the
        cyclic collector they pile up over several documents before a full collection frees them, and the
        memory they held stays the process's (the start's objects are frozen, so a collection walks little).
        """
        with self._work:
            try:
                yield
            finally:
                gc.collect()

    def verify_url(self, document_id: str) -> str:
        return f"{self.public_url}/verify/{document_id}"

    def sign(self, principal: Principal, *, pdf: bytes | None = None, document_id: str = "",
             form: forms.Form | None = None, signer: str, reason: str, location: str,
             dossier_code: str = "", origin: str = "", visible: bool = False) -> dict[str, Any]:
        """Sign a given PDF, a stored document or a freshly rendered form for `principal`; store and announce it."""
        signer = signer or OFFICIAL
        try:
            key = self.keys.signer(signer)
        except UnknownSigner:
            raise invalid("signer", f"Không có khóa ký '{signer}'", f"no signing key named {signer!r}") from None
        try:
            self.authoriser.check(principal, signer, key.signing_cert)
        except Forbidden:
            metrics.signatures.labels(signer, "forbidden").inc()
            raise
        self._check_usable(signer, key)
        revocation = self._revocation_data(signer, key)
        new_id = uuid.uuid4().hex
        if form is None and document_id:
            pdf = self.content(document_id)
        if form is None and not pdf:
            raise invalid("source", "Cần tài liệu PDF để ký", "give pdf bytes, a document_id or a form to render")
        if form is not None:
            dossier_code = dossier_code or form.dossier_code
            reason = reason or forms.signing_reason(form)
        try:
            with self._working():
                content = forms.render(form, verify_url=self.verify_url(new_id)) if form is not None else pdf
                signed = pades.sign_pdf(content, signer=key, field_name=f"Sig-{signer}-{new_id[:8]}",
                                        reason=reason or DEFAULT_REASON, location=location or "",
                                        timestamper=self.timestamper, revocation=revocation,
                                        appearance=self._appearance(signer, key) if visible else None)
        except pades.InvalidPdf as error:
            metrics.signatures.labels(signer, "invalid_pdf").inc()
            raise invalid("pdf", "Tệp không phải PDF hợp lệ", f"not a valid PDF: {error}") from None
        except pades.TimestampUnavailable as error:
            metrics.signatures.labels(signer, "timestamp_unavailable").inc()
            raise errors.timestamp_unavailable(str(error)) from None
        except pades.RevocationUnavailable as error:
            metrics.signatures.labels(signer, "revocation_unavailable").inc()
            raise errors.revocation_unavailable(str(error)) from None
        except pades.SignatureTooLarge as error:
            metrics.signatures.labels(signer, "too_large").inc()
            log.error("signature by %r refused: %s", signer, error)
            raise errors.signature_too_large(str(error)) from None
        return self._store(new_id, signed, key, dossier_code, signer, principal, origin)

    def _appearance(self, name: str, key: Signer) -> stamps.Appearance:
        """The seal's red stamp for the organisation's key, the signer's box for a personal one."""
        subject = key.signing_cert.subject.native
        organisation = str(subject.get("organization_name", ""))
        if name == SEAL:
            return stamps.seal_appearance(organisation)
        return stamps.official_appearance(str(subject.get("common_name", "")), organisation, self.clock())

    def _check_usable(self, name: str, key: Signer) -> None:
        """Refuse a signer whose certificate is expired, not yet valid or revoked."""
        cert = key.signing_cert
        if not cert.not_valid_before <= self.clock() <= cert.not_valid_after:
            metrics.signatures.labels(name, "certificate_expired").inc()
            raise errors.certificate_expired(name, cert.not_valid_before, cert.not_valid_after)
        if self.revocation.is_revoked(cert.serial_number):
            metrics.signatures.labels(name, "certificate_revoked").inc()
            raise errors.certificate_revoked(name, cert.serial_number)

    def _revocation_data(self, name: str, key: Signer) -> pades.RevocationData | None:
        """For B-LT: the signer's OCSP answer (refusing a revoked signer) and the CA's CRL, to embed."""
        if self.ocsp is None:
            return None
        cert = x509.load_der_x509_certificate(key.signing_cert.dump())
        try:
            status = self.ocsp.status(cert)
        except OcspUnavailable as error:
            metrics.signatures.labels(name, "revocation_unavailable").inc()
            raise errors.revocation_unavailable(str(error)) from None
        if status.revoked:
            metrics.signatures.labels(name, "certificate_revoked").inc()
            raise errors.certificate_revoked(name, cert.serial_number)
        crls = tuple(crl.public_bytes(Encoding.DER) for crl in self.revocation.crls())
        data = self._long_term.get(name)
        if data is None or data.ocsps != (status.der,) or data.crls != crls:
            data = self._long_term[name] = pades.RevocationData(trust_roots=tuple(self.trust_roots),
                                                                ocsps=(status.der,), crls=crls)
        return data

    def verify(self, *, pdf: bytes | None = None, document_id: str = "") -> pades.Verification:
        content = self.content(document_id) if document_id else (pdf or b"")
        if not content:
            raise invalid("source", "Cần tài liệu PDF để kiểm tra", "give pdf bytes or a document_id")
        try:
            with self._working():
                result = self.verifier.verify(content, self.revocation.crls())
        except pades.InvalidPdf as error:
            raise invalid("pdf", "Tệp không phải PDF hợp lệ", f"not a valid PDF: {error}") from None
        metrics.verifications.labels("valid" if result.valid else "invalid").inc()
        return result

    def document(self, document_id: str) -> dict[str, Any]:
        record = self.repo.get_document(document_id) if DOCUMENT_ID.match(document_id) else None
        if record is None:
            raise NotFound(detail=f"no signed document {document_id}",
                           detail_vi=f"Không tìm thấy tài liệu {document_id}", reason="DOCUMENT_NOT_FOUND")
        return record

    def content(self, document_id: str) -> bytes:
        return self.repo.get_content(self.document(document_id))

    def _store(self, document_id: str, signed: bytes, key: Any, dossier_code: str, signer: str,
               principal: Principal, origin: str) -> dict[str, Any]:
        """Record the signature in the audit chain, then store and announce the document."""
        now = self.clock()
        sha256 = hashlib.sha256(signed).hexdigest()
        subject = key.signing_cert.subject.human_friendly
        serial = format(key.signing_cert.serial_number, "x")
        # The audit entry comes first: no signed document leaves without its record.
        self.audit.append({"at": now.isoformat(timespec="milliseconds"), "actor": principal.sub,
                           "roles": ",".join(sorted(principal.roles)), "origin": origin, "signer": signer,
                           "certificate_serial": serial, "document_id": document_id, "document_sha256": sha256})
        event = Event.new(DOCUMENT_SIGNED, events_pb2.DocumentSigned(
            document_id=document_id, sha256=sha256, dossier_code=dossier_code, signer_subject=subject,
            certificate_serial=serial, signed_at=timestamp(now)), subject=dossier_code or document_id, source="signing")
        record = {"_id": document_id, "sha256": sha256, "dossier_code": dossier_code, "signer": signer,
                  "signer_subject": subject, "certificate_serial": serial, "signed_at": now, "size": len(signed)}
        self.repo.save_document(outbox.with_outbox(record, event), signed)
        metrics.signatures.labels(signer, "signed").inc()
        self.kick("documents", document_id)
        return record
