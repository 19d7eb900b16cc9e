"""PAdES signing (ký số) and verification of PDF documents on pyHanko.

Verification never fetches anything. A B-LT signature (timestamped, its signer's OCSP answer or CRL in the
document's DSS) is judged with the DSS's data as of its timestamp, so a certificate revoked after signing
leaves it valid. Any other signature is checked against the CRLs given (the agency CA's current one), in
soft-fail mode: a certificate that a given CRL lists is refused, even for signatures made before the
revocation (nothing proves when they were made), and one no CRL covers is judged by its chain alone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import tempfile
import threading
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import cms, tsp
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.content import ImportedPdfPage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESSubIndic
from pyhanko.sign.attributes import CMSAttributeProvider, SignedAttributeProviderSpec
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import SigningError, as_signing_certificate_v2
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, Signer
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from signing.contexts import ValidationContexts
from signing.stamps import Appearance

DIGEST_ALGORITHM = "sha256"
# PAdES baseline levels (ETSI EN 319 142-1).
B_B = "B-B"
B_T = "B-T"
B_LT = "B-LT"
# pyHanko builds each CMS from the signer's asn1crypto certificate objects, which cache their encoding lazily
# and are not safe to encode from two threads at once: 1 of 640 concurrent signatures failed with
# "UTF8String value must be a unicode string, not NoneType". The signature itself is milliseconds of work
# under the GIL, so the gRPC workers take turns for it; rendering stays concurrent.
_SIGNING = threading.Lock()
# Bytes of a CMS signature beyond its certificates, its signature value and the signer's issuer and serial (named
# twice: as the signer's identifier and in signing-certificate-v2): the algorithms, content type, message digest
# and structure (254 for ours), with room to spare. Every byte reserved is two hex digits that each verifier reads.
CMS_OVERHEAD = 384
# Bytes beyond the size of the TSA's first token for the tokens that follow: their serial number, time and nonce
# differ in length by a few bytes (ours: 3,704 or 3,705 bytes).
TIMESTAMP_MARGIN = 512
# How pyHanko 0.38 (PreparedByteRangeDigest.fill_reserved_region) words a SigningError for a CMS larger than its room.
_DOES_NOT_FIT = "Final ByteRange payload larger than expected"

# (Vietnamese, English); Vietnamese is shown first.
MESSAGES: Mapping[str, tuple[str, str]] = {
    "valid": ("Chữ ký hợp lệ", "Signature is valid"),
    "not_intact": (
        "Chữ ký không toàn vẹn: nội dung đã ký bị thay đổi",
        "Signature integrity check failed: the signed content was altered",
    ),
    "modified": ("Tài liệu đã bị sửa đổi sau khi ký", "The document was modified after signing"),
    "partial_coverage": (
        "Chữ ký không bao phủ toàn bộ phiên bản tài liệu",
        "The signature does not cover its whole document revision",
    ),
    "untrusted": ("Chứng thư không được tin cậy", "Certificate not trusted"),
    "expired": (
        "Chứng thư số hết hạn hoặc chưa có hiệu lực",
        "Certificate expired or not yet valid",
    ),
    "revoked": ("Chứng thư số đã bị thu hồi", "Certificate revoked"),
    "malformed": ("Chữ ký bị lỗi định dạng", "The signature is malformed"),
    "timestamp_invalid": (
        "Dấu thời gian của chữ ký không hợp lệ hoặc không được tin cậy",
        "The signature's timestamp is not valid or not trusted",
    ),
    "no_signatures": ("Tài liệu không có chữ ký số", "The document has no digital signature"),
    "document_valid": ("Tất cả chữ ký số của tài liệu đều hợp lệ", "Every signature of the document is valid"),
    "document_invalid": ("Tài liệu có chữ ký số không hợp lệ", "The document has an invalid signature"),
}

log = logging.getLogger(__name__)

_EXPIRY = {AdESIndeterminate.EXPIRED, AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.NOT_YET_VALID}
_REVOCATION = {AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}


class InvalidPdf(ValueError):
    """The bytes given are not a PDF that can be read."""


class TimestampUnavailable(RuntimeError):
    """The time-stamping authority did not give a timestamp."""


class SignatureTooLarge(RuntimeError):
    """The signature did not fit the room reserved for it in the document, even with room made for its timestamp."""


class RevocationUnavailable(RuntimeError):
    """The revocation data given does not establish that the signer's chain is valid now."""


@dataclass(frozen=True)
class RevocationData:
    """What a B-LT signature embeds in the document's DSS for its signer's chain: OCSP responses and CRLs (DER),
    judged against the trust roots before signing."""

    trust_roots: tuple[x509.Certificate, ...]
    ocsps: tuple[bytes, ...]
    crls: tuple[bytes, ...]

    @cached_property
    def validation_context(self) -> ValidationContext:
        """A context that fetches nothing and refuses a chain whose declared revocation sources say nothing.

        Built once per data: the signatures that reuse the data also reuse the chain's validation (the OCSP
        answer's and the CRL's signatures checked once), a sixth of a B-LT signature's CPU. Its validation time
        is when it was built, which the data's bounded age keeps recent; pyHanko uses it under the signing lock.
        """
        return ValidationContext(trust_roots=[to_asn1(root) for root in self.trust_roots], ocsps=list(self.ocsps),
                                 crls=list(self.crls), allow_fetching=False, revocation_mode="hard-fail")


@dataclass(frozen=True)
class Message:
    """A verification finding, worded for people in Vietnamese and English."""

    code: str
    vi: str
    en: str

    @classmethod
    def of(cls, code: str) -> Message:
        """Look a message up in the catalog by its code."""
        vi, en = MESSAGES[code]
        return cls(code=code, vi=vi, en=en)


@dataclass(frozen=True)
class SignatureReport:
    """The verification result of one signature of a document."""

    field_name: str
    signer_subject: str
    signer_common_name: str
    signing_time: dt.datetime | None
    timestamp: dt.datetime | None
    level: str
    intact: bool
    trusted: bool
    modification_level: str | None
    coverage: str | None
    valid: bool
    messages: tuple[Message, ...]


@dataclass(frozen=True)
class Verification:
    """The verification result of a document: valid only if every signature is."""

    valid: bool
    signatures: tuple[SignatureReport, ...]
    messages: tuple[Message, ...]


class _SigningCertificate(CMSAttributeProvider):
    """The signing-certificate-v2 attribute with a value given once."""

    attribute_type = "signing_certificate_v2"

    def __init__(self, value: tsp.SigningCertificateV2) -> None:
        self.value = value

    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        return self.value


class PadesSignedAttributes(SignedAttributeProviderSpec):
    """The signed attributes of a PAdES baseline signature by one signer, with their value built once.

    Besides content type and message digest (which pyHanko adds itself), PAdES B signs only
    signing-certificate-v2: no signing time (the timestamp, B-T, is an unsigned attribute). pyHanko builds that
    value at every signature, and asn1crypto serialises a structure built from Python values again at every
    dump (here the issuer's name, attribute by attribute), which pyHanko does several times per signature:
    45 of a signature's 55 ms of CPU. Parsed back from its own DER, the value is dumped from its bytes.
    """

    def __init__(self, signing_cert: asn1_x509.Certificate) -> None:
        value = tsp.SigningCertificateV2.load(as_signing_certificate_v2(signing_cert).dump())
        self._providers = (_SigningCertificate(value),)

    def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str) -> Iterable[CMSAttributeProvider]:
        return self._providers


def with_pades_attributes(signer: Signer) -> Signer:
    """Give a signer whose certificate is loaded its PAdES signed attributes, built once."""
    if signer.signing_cert is None:
        raise ValueError("the signer's certificate is not loaded")
    signer.signed_attr_prov_spec = PadesSignedAttributes(signer.signing_cert)
    return signer


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    """Convert a cryptography certificate to the asn1crypto form pyHanko works with."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def load_trust_roots(path: Path) -> list[x509.Certificate]:
    """Read the trust anchors from a PEM file, e.g. the local PKI's root.pem."""
    return x509.load_pem_x509_certificates(path.read_bytes())


class HttpTimeStamper(TimeStamper):
    """An RFC 3161 time-stamping authority reached over HTTP (application/timestamp-query), with the room its
    tokens need in a signature: its first token's size and a margin, grown when a later token needs more."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        super().__init__()
        self.url = url
        self.timeout = timeout
        self._room: int | None = None
        self._last_token = 0  # bytes of the token received last

    def token_room(self) -> int:
        """Bytes to reserve for a token: the first token's size (pyHanko asks for it once and keeps it, as it does
        to size document timestamps) and a margin, or what a later token needed."""
        if self._room is None:
            token = asyncio.run(self.async_dummy_response(DIGEST_ALGORITHM))
            self._room = len(token.dump()) + TIMESTAMP_MARGIN
        return self._room

    def grow_room(self) -> int | None:
        """After a signature that did not fit: make room for the last token and a margin, and return the new room;
        None if that token had room, so the timestamp is not what overflowed."""
        needed = self._last_token + TIMESTAMP_MARGIN
        if self._room is not None and needed <= self._room:
            return None
        self._room = needed
        return needed

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        token = await super().async_timestamp(message_digest, md_algorithm)
        self._last_token = len(token.dump())
        return token

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return await asyncio.to_thread(self._post, req.dump())

    def _post(self, query: bytes) -> tsp.TimeStampResp:
        request = urllib.request.Request(self.url, data=query, method="POST",
                                         headers={"Content-Type": "application/timestamp-query"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if response.headers.get("Content-Type") != "application/timestamp-reply":
                    raise TimestampRequestError(f"{self.url} did not answer with a timestamp reply")
                return tsp.TimeStampResp.load(response.read())
        except OSError as error:
            raise TimestampRequestError(f"the time-stamping authority {self.url} is unreachable: {error}") from error


def quiet_prefetched_revocation() -> None:
    """Drop pyHanko's warning, at every B-LT signature, that it embeds revocation data without fetching any:
    the data is fetched and checked beforehand (signing.ocsp) and handed over, so the warning says nothing."""
    logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(
        lambda record: "fetching is not allowed" not in record.getMessage())


def sign_pdf(pdf: bytes, *, signer: Signer, field_name: str, reason: str, location: str,
             timestamper: HttpTimeStamper | None = None, appearance: Appearance | None = None,
             revocation: RevocationData | None = None) -> bytes:
    """Add a PAdES signature (ETSI.CAdES.detached, SHA-256) as an incremental update: B-B, or B-T when a
    time-stamping authority adds an RFC 3161 signature timestamp, or B-LT when the signer chain's revocation
    data is also given (written to the DSS in a second incremental update); visible on the last page with an
    appearance."""
    writer = _incremental_writer(pdf)
    metadata = PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        md_algorithm=DIGEST_ALGORITHM,
        subfilter=SigSeedSubFilter.PADES,
        embed_validation_info=revocation is not None,
        validation_context=revocation.validation_context if revocation is not None else None,
    )
    with ExitStack() as scope:
        visible: dict[str, Any] = {}
        if appearance is not None:
            # pyHanko imports a page only from a file: the appearance lives in one for this signature.
            page = scope.enter_context(tempfile.NamedTemporaryFile(suffix=".pdf"))
            page.write(appearance.pdf)
            page.flush()
            visible = {"stamp_style": StaticStampStyle(background=ImportedPdfPage(page.name), border_width=0),
                       "new_field_spec": SigFieldSpec(field_name, on_page=-1, box=appearance.box)}
        with _SIGNING:
            try:
                return _sign(writer, metadata, signer, timestamper, visible)
            except _TooLarge as error:
                # A TSA's tokens grew (a longer chain after a renewal, a bigger key): sign once more with room
                # for the token just received, which later signatures keep.
                room = timestamper.grow_room() if timestamper is not None else None
                if timestamper is None or room is None:
                    raise SignatureTooLarge(str(error)) from error
                log.warning("a timestamp from %s did not fit the room reserved for it: %d bytes reserved for "
                            "its tokens from now on; signing again", timestamper.url, room)
            try:
                return _sign(_incremental_writer(pdf), metadata, signer, timestamper, visible)
            except _TooLarge as error:
                raise SignatureTooLarge(f"{error} (again, after making room for the timestamp)") from error


class _TooLarge(Exception):
    """The CMS came out larger than the room reserved for it (pyHanko's message)."""


def _sign(writer: IncrementalPdfFileWriter, metadata: PdfSignatureMetadata, signer: Signer,
          timestamper: HttpTimeStamper | None, visible: dict[str, Any]) -> bytes:
    output = BytesIO()
    try:
        PdfSigner(metadata, signer=signer, timestamper=timestamper, **visible).sign_pdf(
            writer, output=output, bytes_reserved=_reservation(signer, timestamper))
    except PdfError as error:
        raise InvalidPdf(str(error)) from error
    except TimestampRequestError as error:
        raise TimestampUnavailable(str(error)) from error
    except SigningError as error:
        # pyHanko's PreparedByteRangeDigest.fill_reserved_region says so when the CMS does not fit.
        if str(error).startswith(_DOES_NOT_FIT):
            raise _TooLarge(str(error)) from error
        if isinstance(error.__cause__, (PathBuildingError, PathValidationError)):
            raise RevocationUnavailable(f"{error}: {error.__cause__}") from error
        raise ValueError(f"cannot sign field {metadata.field_name!r}: {error}") from error
    return output.getvalue()


def _reservation(signer: Signer, timestamper: HttpTimeStamper | None) -> int | None:
    """Hex digits to reserve for the CMS; sizing it up front spares pyHanko a dry-run signature."""
    if signer.signing_cert is None:
        return None
    cert = signer.signing_cert
    certificates = [cert, *(signer.cert_registry or ())]
    issuer_serial = len(cert.issuer.dump()) + len(cert["tbs_certificate"]["serial_number"].dump())
    key = cert.public_key
    # An RSA signature is as long as the key; an ECDSA one (r and s in DER) at most twice the key and 9 bytes.
    key_bytes = -(-key.bit_size // 8)
    signature = key_bytes if key.algorithm in ("rsa", "rsassa_pss") else 2 * key_bytes + 9
    return 2 * (sum(len(each.dump()) for each in certificates) + signature + 2 * issuer_serial + CMS_OVERHEAD
                + (timestamper.token_room() if timestamper is not None else 0))


def _incremental_writer(pdf: bytes) -> IncrementalPdfFileWriter:
    """Open a PDF for appending, rejecting what does not parse."""
    try:
        return IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as error:
        raise InvalidPdf(f"not a readable PDF: {error}") from error


class Verifier:
    """Verifies PDFs against fixed trust roots, keeping validation contexts while they answer as new ones would,
    up to `max_age` (signing.contexts); zero keeps none."""

    def __init__(self, trust_roots: Sequence[x509.Certificate], *, max_age: dt.timedelta = dt.timedelta(0)) -> None:
        self.contexts = ValidationContexts(trust_roots, max_age=max_age)

    def verify(self, pdf: bytes, crls: Sequence[x509.CertificateRevocationList] = ()) -> Verification:
        """Verify every signature of a PDF against the roots, and the given CRLs or its own B-LT data."""
        reader = _reader(pdf)
        signatures = _embedded_signatures(reader)
        if not signatures:
            return Verification(valid=False, signatures=(), messages=(Message.of("no_signatures"),))
        reports = asyncio.run(_verify_all(signatures, _Revocations(reader, self.contexts, crls)))
        valid = all(report.valid for report in reports)
        summary = Message.of("document_valid" if valid else "document_invalid")
        return Verification(valid=valid, signatures=reports, messages=(summary,))


def verify_pdf(pdf: bytes, *, trust_roots: Sequence[x509.Certificate],
               crls: Sequence[x509.CertificateRevocationList] = ()) -> Verification:
    """Verify every signature of a PDF against the given roots, and the given CRLs or its own B-LT data."""
    return Verifier(trust_roots).verify(pdf, crls)


def _reader(pdf: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as error:
        raise InvalidPdf(f"not a readable PDF: {error}") from error


def _embedded_signatures(reader: PdfFileReader) -> list[EmbeddedPdfSignature]:
    """Read the signatures of a PDF in signing order, rejecting what does not parse."""
    try:
        return list(reader.embedded_regular_signatures)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as error:
        raise InvalidPdf(f"not a readable PDF: {error}") from error


class _Revocations:
    """Where each signature's revocation is judged from: its document's DSS for B-LT, the current CRLs else."""

    def __init__(self, reader: PdfFileReader, contexts: ValidationContexts,
                 current: Sequence[x509.CertificateRevocationList]) -> None:
        self.contexts = contexts
        self.current = current
        try:
            self.dss: DocumentSecurityStore | None = DocumentSecurityStore.read_dss(reader)
            self._covered = _covered_by(self.dss)
        except (NoDSSFoundError, PdfError, ValueError, KeyError, TypeError):  # none, or one that proves nothing
            self.dss, self._covered = None, (set(), set())

    def level(self, embedded: EmbeddedPdfSignature) -> str:
        """B-LT when timestamped with the signer's revocation data in the DSS, B-T when timestamped, else B-B."""
        if _timestamp_time(embedded) is None:
            return B_B
        try:
            cert = embedded.signer_cert
        except (ValueError, KeyError, IndexError, TypeError):
            return B_T
        answered, crl_issuers = self._covered
        issuer = cert.issuer.dump()
        if issuer in crl_issuers or any(serial == cert.serial_number and algorithm in hashlib.algorithms_available
                                        and hashlib.new(algorithm, issuer).digest() == name
                                        for algorithm, name, serial in answered):
            return B_LT
        return B_T

    @contextmanager
    def context(self, embedded: EmbeddedPdfSignature, level: str) -> Iterator[ValidationContext]:
        """B-LT: the DSS's data alone, as of the timestamp, hard-fail; else the current CRLs now, soft-fail."""
        moment = _timestamp_time(embedded)
        if level == B_LT and self.dss is not None and moment is not None:
            with self.contexts.long_term(embedded, self.dss, moment) as context:
                yield context
        else:
            with self.contexts.current(embedded, self.current) as context:
                yield context


def _covered_by(dss: DocumentSecurityStore) -> tuple[set[tuple[str, bytes, int]], set[bytes]]:
    """What the DSS's OCSP answers speak of (hash algorithm, issuer name hash, serial), and its CRLs' issuers."""
    answered: set[tuple[str, bytes, int]] = set()
    for ref in dss.ocsps:
        response = asn1_ocsp.OCSPResponse.load(ref.get_object().data)
        for single in response.basic_ocsp_response["tbs_response_data"]["responses"]:
            cert_id = single["cert_id"]
            answered.add((cert_id["hash_algorithm"]["algorithm"].native, cert_id["issuer_name_hash"].native,
                          cert_id["serial_number"].native))
    crl_issuers = {asn1_crl.CertificateList.load(ref.get_object().data)["tbs_cert_list"]["issuer"].dump()
                   for ref in dss.crls}
    return answered, crl_issuers


def _timestamp_time(embedded: EmbeddedPdfSignature) -> dt.datetime | None:
    """When the signature's RFC 3161 timestamp says it existed, if it has one."""
    try:
        for token in extract_tst_data_iter(embedded.signer_info, signed=False):
            return token["encap_content_info"]["content"].parsed["gen_time"].native
    except (ValueError, KeyError, TypeError):
        return None
    return None


async def _verify_all(signatures: Sequence[EmbeddedPdfSignature], revocations: _Revocations) -> tuple[SignatureReport, ...]:
    """Verify each signature; only the last one must not be followed by any other change."""
    last = len(signatures) - 1
    reports = []
    for index, embedded in enumerate(signatures):
        level = revocations.level(embedded)
        with revocations.context(embedded, level) as context:
            reports.append(await _verify_one(embedded, context, level=level, is_last=index == last))
    return tuple(reports)


async def _verify_one(embedded: EmbeddedPdfSignature, context: ValidationContext, *, level: str,
                      is_last: bool) -> SignatureReport:
    """Verify one signature and explain the outcome."""
    try:
        status = await async_validate_pdf_signature(embedded, signer_validation_context=context)
    except (SignatureValidationError, PdfError, ValueError):
        return _malformed_report(embedded)
    intact = status.intact and status.valid
    unmodified = _unmodified(status, is_last=is_last)
    stamp = status.timestamp_validity
    stamp_ok = stamp is None or (stamp.intact and stamp.valid and stamp.trusted)
    messages = _findings(status, intact=intact, unmodified=unmodified, stamp_ok=stamp_ok)
    modification = status.modification_level
    return SignatureReport(
        field_name=str(embedded.field_name),
        signer_subject=_subject(status.signing_cert),
        signer_common_name=_common_name(status.signing_cert),
        signing_time=status.signer_reported_dt,
        timestamp=stamp.timestamp if stamp is not None and stamp_ok else None,
        level=level,
        intact=intact,
        trusted=status.trusted,
        modification_level=modification.name if modification is not None else None,
        coverage=status.coverage.name if status.coverage is not None else None,
        valid=intact and status.trusted and unmodified and stamp_ok,
        messages=messages,
    )


def _unmodified(status: PdfSignatureStatus, *, is_last: bool) -> bool:
    """Tell whether only allowed updates follow the signed revision.

    Later signatures show up as form filling for earlier ones; after the last signature only
    validation data (DSS) or document timestamps may follow.
    """
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return False
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    allowed = ModificationLevel.LTA_UPDATES if is_last else ModificationLevel.FORM_FILLING
    level = status.modification_level
    return level is not None and level <= allowed


def _findings(status: PdfSignatureStatus, *, intact: bool, unmodified: bool, stamp_ok: bool) -> tuple[Message, ...]:
    """Explain what is wrong with a signature, or say that it is valid."""
    found: list[Message] = []
    if not intact:
        found.append(Message.of("not_intact"))
    if intact and not unmodified:
        partial = status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION
        found.append(Message.of("partial_coverage" if partial else "modified"))
    if not status.trusted:
        found.append(Message.of(_trust_problem(status.trust_problem_indic)))
    if not stamp_ok:
        found.append(Message.of("timestamp_invalid"))
    return tuple(found) or (Message.of("valid"),)


def _trust_problem(indication: AdESSubIndic | None) -> str:
    """Choose the message code for a failed trust check."""
    if indication in _REVOCATION:
        return "revoked"
    if indication in _EXPIRY:
        return "expired"
    return "untrusted"


def _malformed_report(embedded: EmbeddedPdfSignature) -> SignatureReport:
    """Report a signature whose structure could not be validated at all."""
    try:
        cert = embedded.signer_cert
        subject, common_name = _subject(cert), _common_name(cert)
    except (ValueError, KeyError, IndexError, TypeError):
        subject, common_name = "", ""
    return SignatureReport(
        field_name=str(embedded.field_name),
        signer_subject=subject,
        signer_common_name=common_name,
        signing_time=None,
        timestamp=None,
        level=B_B,
        intact=False,
        trusted=False,
        modification_level=None,
        coverage=None,
        valid=False,
        messages=(Message.of("malformed"),),
    )


def _subject(cert: asn1_x509.Certificate) -> str:
    """Render a certificate's subject as an RFC 4514 string, keeping Vietnamese letters."""
    return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()


def _common_name(cert: asn1_x509.Certificate) -> str:
    """Return the subject's common name, or an empty string if it has none."""
    names = x509.load_der_x509_certificate(cert.dump()).subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""
