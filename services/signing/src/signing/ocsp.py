"""OCSP (RFC 6960): the local PKI's responder, and the client signing asks before a B-LT signature.

The responder answers for certificates of the agency CA from the CA's current CRL, signed by a delegated
responder certificate (extended key usage OCSPSigning). The client checks each answer (signature, responder
authorised by the CA, the certificate asked about, the nonce) and keeps it until its nextUpdate or a bounded
age, whichever comes first, so that signing does not go to the responder for every signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from signing.pki import Issued, revocation_reason
from signing.revocation import CrlFile

# How long the local responder's answers are good for (nextUpdate − thisUpdate).
RESPONSE_LIFETIME = dt.timedelta(hours=1)
REQUEST_TYPE = "application/ocsp-request"
RESPONSE_TYPE = "application/ocsp-response"
Clock = Callable[[], dt.datetime]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _key_bits(cert: x509.Certificate) -> bytes:
    """The subjectPublicKey bits of a certificate, which an OCSP CertID hashes (issuerKeyHash)."""
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return bytes(asn1_keys.PublicKeyInfo.load(spki)["public_key"].contents[1:])


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    return hashlib.new(algorithm.name, data).digest()


class Responder:
    """The agency CA's OCSP responder, answering from the CA's CRL file (read again when it changes)."""

    def __init__(self, responder: Issued, issuer: x509.Certificate, crl: CrlFile, *, clock: Clock = _now) -> None:
        self.responder = responder
        self.issuer = issuer
        self.crl = crl
        self.clock = clock
        self._issuer_name_der = issuer.subject.public_bytes()
        self._issuer_key_bits = _key_bits(issuer)

    def answer(self, der: bytes) -> bytes:
        """Answer a DER OCSP request with a DER OCSP response; what does not parse is malformedRequest."""
        try:
            request = ocsp.load_der_ocsp_request(der)
            algorithm = request.hash_algorithm
            nonce = _nonce(request.extensions)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
        crls = self.crl.crls()
        now = self.clock()
        if not crls or (crls[0].next_update_utc or now) < now:  # no CRL, or one past its nextUpdate
            return _unsuccessful(ocsp.OCSPResponseStatus.TRY_LATER)
        ours = (request.issuer_name_hash == _digest(algorithm, self._issuer_name_der)
                and request.issuer_key_hash == _digest(algorithm, self._issuer_key_bits))
        status, revoked_at, reason = ocsp.OCSPCertStatus.UNKNOWN, None, None
        if ours:
            entry = crls[0].get_revoked_certificate_by_serial_number(request.serial_number)
            status = ocsp.OCSPCertStatus.GOOD if entry is None else ocsp.OCSPCertStatus.REVOKED
            if entry is not None:
                revoked_at, reason = entry.revocation_date_utc, revocation_reason(entry)
        next_update = min(now + RESPONSE_LIFETIME, crls[0].next_update_utc or now + RESPONSE_LIFETIME)
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(issuer_name_hash=request.issuer_name_hash, issuer_key_hash=request.issuer_key_hash,
                                  serial_number=request.serial_number, algorithm=algorithm, cert_status=status,
                                  this_update=now, next_update=next_update, revocation_time=revoked_at,
                                  revocation_reason=reason)
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.responder.cert)
            .certificates([self.responder.cert])
        )
        if nonce is not None:
            builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
        response = builder.sign(self.responder.key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)


def _nonce(extensions: x509.Extensions) -> bytes | None:
    try:
        return extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        return None


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(serialization.Encoding.DER)


class OcspUnavailable(RuntimeError):
    """The responder did not give a usable answer about a certificate."""


@dataclass(frozen=True)
class Status:
    """A checked OCSP answer about one certificate, with the DER to embed in a document."""

    der: bytes = field(repr=False)
    status: ocsp.OCSPCertStatus
    revoked_at: dt.datetime | None
    this_update: dt.datetime
    next_update: dt.datetime | None
    fetched_at: dt.datetime

    @property
    def revoked(self) -> bool:
        return self.status == ocsp.OCSPCertStatus.REVOKED


class OcspClient:
    """Asks the responder about certificates of one issuer, keeping each answer while it is fresh.

    An answer is reused until its nextUpdate or until `max_age` has passed since it was fetched, whichever is
    first. The responder is the one configured (`url`), else the one the certificate names (AIA).
    """

    def __init__(self, issuer: x509.Certificate, *, url: str | None = None, timeout: float = 5.0,
                 max_age: dt.timedelta = dt.timedelta(minutes=5), clock: Clock = _now) -> None:
        self.issuer = issuer
        self.url = url
        self.timeout = timeout
        self.max_age = max_age
        self.clock = clock
        self._lock = threading.Lock()
        self._answers: dict[int, Status] = {}

    def status(self, cert: x509.Certificate) -> Status:
        """The certificate's status, fresh as configured; OcspUnavailable when it cannot be had."""
        now = self.clock()
        with self._lock:
            known = self._answers.get(cert.serial_number)
        if known is not None and now - known.fetched_at < self.max_age and (
                known.next_update is None or now < known.next_update):
            return known
        fresh = self._fetch(cert, now)
        with self._lock:
            self._answers[cert.serial_number] = fresh
        return fresh

    def _fetch(self, cert: x509.Certificate, now: dt.datetime) -> Status:
        url = self.url or responder_url(cert)
        if not url:
            raise OcspUnavailable(f"certificate {cert.serial_number:x} names no OCSP responder")
        nonce = os.urandom(16)
        request = (ocsp.OCSPRequestBuilder().add_certificate(cert, self.issuer, hashes.SHA256())
                   .add_extension(x509.OCSPNonce(nonce), critical=False).build())
        query = urllib.request.Request(url, data=request.public_bytes(serialization.Encoding.DER), method="POST",
                                       headers={"Content-Type": REQUEST_TYPE})
        try:
            with urllib.request.urlopen(query, timeout=self.timeout) as answer:
                der = answer.read()
        except OSError as error:
            raise OcspUnavailable(f"the OCSP responder {url} is unreachable: {error}") from error
        try:
            response = ocsp.load_der_ocsp_response(der)
            self._check(response, request, nonce, url)
            return Status(der=der, status=response.certificate_status, revoked_at=response.revocation_time_utc,
                          this_update=response.this_update_utc, next_update=response.next_update_utc, fetched_at=now)
        except (ValueError, UnsupportedAlgorithm) as error:  # not OCSP, or not one answer about one certificate
            raise OcspUnavailable(f"{url} did not answer with a usable OCSP response: {error}") from error

    def _check(self, response: ocsp.OCSPResponse, request: ocsp.OCSPRequest, nonce: bytes, url: str) -> None:
        """Refuse an answer that is unsuccessful, about another certificate, replayed or not the CA's."""
        if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            raise OcspUnavailable(f"{url} answered {response.response_status.name}")
        if (response.serial_number, response.issuer_key_hash) != (request.serial_number, request.issuer_key_hash):
            raise OcspUnavailable(f"{url} answered about another certificate")
        if _nonce(response.extensions) != nonce:
            raise OcspUnavailable(f"{url} did not echo the request's nonce")
        signer = self._authorised_signer(response)
        if signer is None:
            raise OcspUnavailable(f"{url} answered with a response not signed for {self.issuer.subject.rfc4514_string()}")
        try:
            _verify(signer, response.signature, response.tbs_response_bytes, response.signature_hash_algorithm)
        except (InvalidSignature, TypeError) as error:
            raise OcspUnavailable(f"{url} answered with a response whose signature does not verify") from error

    def _authorised_signer(self, response: ocsp.OCSPResponse) -> x509.Certificate | None:
        """The CA itself, or a responder certificate it issued for OCSPSigning (RFC 6960, 4.2.2.2)."""
        for cert in (self.issuer, *response.certificates):
            if cert == self.issuer:
                if _responder_id_matches(response, cert):
                    return cert
                continue
            try:
                cert.verify_directly_issued_by(self.issuer)
                purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
                continue
            if ExtendedKeyUsageOID.OCSP_SIGNING in purposes and _responder_id_matches(response, cert):
                return cert
        return None


def _responder_id_matches(response: ocsp.OCSPResponse, cert: x509.Certificate) -> bool:
    if response.responder_name is not None:
        return response.responder_name == cert.subject
    return response.responder_key_hash == hashlib.sha1(_key_bits(cert)).digest()


def _verify(cert: x509.Certificate, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm | None) -> None:
    key = cert.public_key()
    if algorithm is None:
        raise TypeError("no signature hash algorithm")
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), algorithm)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(algorithm))
    else:
        raise TypeError(f"responder key of type {type(key).__name__} is not supported")


def responder_url(cert: x509.Certificate) -> str | None:
    """The OCSP responder a certificate names in its authority information access, if any."""
    try:
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return None
    for description in access:
        if description.access_method == AuthorityInformationAccessOID.OCSP:
            return str(description.access_location.value)
    return None
