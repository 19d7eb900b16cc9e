"""The validation contexts signatures are judged with, kept while a new one would answer the same.

pyHanko judges a signer's chain with a ValidationContext: the trust roots, the revocation data (the current CRLs
for B-B and B-T, the document's DSS for B-LT), the certificates the signature and its timestamps carry (registered
in it as they are met) and a moment (now, or a B-LT signature's timestamp). A context built for each signature
parses all of it again, checks the CRLs' and OCSP answers' signatures and their issuers' chains, and prepares every
name for comparison anew: a sixth of a B-B verification and a quarter of a B-LT one.

The contexts kept here are keyed by the certificates a signature carries and by the revocation data, so a kept
context holds exactly what a new one would. It serves a signature whose moment is within `max_age` of its own as
long as none of the times it judges by lies between the two moments: a certificate's validity, a CRL's or OCSP
answer's thisUpdate and nextUpdate, a revocation time, each widened by pyHanko's tolerance. Data without a
nextUpdate is not kept. New current CRLs drop every context kept, so a revoked signer is reported at the next
verification; a context serves `USES` verifications at most (pyHanko records every soft-failed revocation check in
it) and one at a time: a verification that finds it busy is given a context of its own.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.validation import EmbeddedPdfSignature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko_certvalidator import ValidationContext

# pyHanko's own default: a certificate is valid from a second before its notBefore to a second after its notAfter.
TOLERANCE = dt.timedelta(seconds=1)
# Verifications per kept context; and how many contexts (per certificates carried and revocation data) are kept.
USES = 256
CAPACITY = 32
Times = tuple[dt.datetime, ...]


@dataclass
class _Kept:
    context: ValidationContext
    moment: dt.datetime
    changes: Times  # sorted: the instants at which an answer may change
    uses: int = 0
    busy: threading.Lock = field(default_factory=threading.Lock)

    def answers_as_of(self, moment: dt.datetime, max_age: dt.timedelta) -> bool:
        """Whether this context answers as one built for `moment` would."""
        low, high = sorted((self.moment, moment))
        first = bisect.bisect_left(self.changes, low)
        return (high - low < max_age and self.uses < USES
                and (first == len(self.changes) or self.changes[first] > high))


class ValidationContexts:
    """Validation contexts against fixed trust roots: B-B and B-T now on the CRLs given (soft-fail), B-LT as of
    the timestamp on the document's DSS alone (hard-fail)."""

    def __init__(self, trust_roots: Sequence[x509.Certificate], *, max_age: dt.timedelta,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.roots = [asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER)) for root in trust_roots]
        for root in self.roots:
            _ = root.native  # parsed whole now: contexts used by several threads share the roots
        self.max_age = max_age
        self.keeps = max_age > dt.timedelta(0)
        self.clock = clock
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[bytes, ...], _Kept] = OrderedDict()
        self._crls: tuple[x509.CertificateRevocationList, ...] = ()
        self._crl_der: tuple[bytes, ...] = ()
        self._times: Times | None = _validity(self.roots)

    @contextmanager
    def current(self, embedded: EmbeddedPdfSignature,
                crls: Sequence[x509.CertificateRevocationList]) -> Iterator[ValidationContext]:
        """A context to judge a B-B or B-T signature with now, on the current CRLs."""
        crl_der, times = self._current(tuple(crls))
        carried = _carried(embedded) if self.keeps and times is not None else None
        key, times_of = None, None
        if carried is not None and times is not None:
            key, times_of = (b"current", carried[0]), partial(_with_validity, times, carried[1])

        def build() -> ValidationContext:
            return ValidationContext(trust_roots=self.roots, crls=list(crl_der), allow_fetching=False,
                                     revocation_mode="soft-fail", time_tolerance=TOLERANCE)
        with self._lease(key, self.clock(), build, times_of) as context:
            yield context

    @contextmanager
    def long_term(self, embedded: EmbeddedPdfSignature, dss: DocumentSecurityStore,
                  moment: dt.datetime) -> Iterator[ValidationContext]:
        """A context to judge a B-LT signature with as of its timestamp, on its document's DSS alone."""
        carried, stored = (_carried(embedded), _stored(dss)) if self.keeps else (None, None)
        key, times_of = None, None
        if carried is not None and stored is not None:
            key = (b"long-term", carried[0], hashlib.sha256(b"".join(b"".join(part) for part in stored)).digest())
            times_of = partial(_long_term_times, *stored, carried[1])

        def build() -> ValidationContext:
            return dss.as_validation_context({"trust_roots": self.roots, "moment": moment, "allow_fetching": False,
                                              "revocation_mode": "hard-fail", "time_tolerance": TOLERANCE})
        with self._lease(key, moment, build, times_of) as context:
            yield context

    @contextmanager
    def _lease(self, key: tuple[bytes, ...] | None, moment: dt.datetime, build: Callable[[], ValidationContext],
               times_of: Callable[[], Times | None] | None) -> Iterator[ValidationContext]:
        kept = self._keep(key, moment, build, times_of) if key is not None and times_of is not None else None
        if kept is None or not kept.busy.acquire(blocking=False):
            yield build()
            return
        try:
            kept.uses += 1
            yield kept.context
        finally:
            kept.busy.release()

    def _keep(self, key: tuple[bytes, ...], moment: dt.datetime, build: Callable[[], ValidationContext],
              times_of: Callable[[], Times | None]) -> _Kept | None:
        """The context kept for `key` if it answers as of `moment`, else a new one kept in its place."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or not kept.answers_as_of(moment, self.max_age):
                times = times_of()
                if times is None:
                    return None
                changes = sorted(edge for time in times for edge in (time - TOLERANCE, time + TOLERANCE))
                kept = self._kept[key] = _Kept(build(), moment, tuple(changes))
                while len(self._kept) > CAPACITY:
                    self._kept.popitem(last=False)
            self._kept.move_to_end(key)
            return kept

    def _current(self, crls: tuple[x509.CertificateRevocationList, ...]) -> tuple[tuple[bytes, ...], Times | None]:
        """The CRLs' DER and the times contexts judge by (None without a nextUpdate); other CRLs than last time drop
        every context kept."""
        with self._lock:
            if len(crls) != len(self._crls) or any(a is not b for a, b in zip(crls, self._crls, strict=True)):
                self._crls = crls
                self._crl_der = tuple(crl.public_bytes(serialization.Encoding.DER) for crl in crls)
                updates = [moment for crl in crls for moment in (crl.last_update_utc, crl.next_update_utc)]
                known = tuple(moment for moment in updates if moment is not None)
                self._times = _validity(self.roots) + known if len(known) == len(updates) else None
                self._kept.clear()
            return self._crl_der, self._times


def _carried(embedded: EmbeddedPdfSignature) -> tuple[bytes, list[asn1_x509.Certificate]] | None:
    """The certificates a signature and its timestamps carry, and what identifies them; None if they do not parse."""
    try:
        sets = [embedded.signed_data["certificates"]]
        sets.extend(token["certificates"] for token in extract_tst_data_iter(embedded.signer_info, signed=False))
        sets.extend(token["certificates"] for token in extract_tst_data_iter(embedded.signer_info, signed=True))
        certificates = [choice.chosen for each in sets if isinstance(each, cms.CertificateSet) for choice in each
                        if isinstance(choice.chosen, asn1_x509.Certificate)]
        return hashlib.sha256(b"".join(cert.dump() for cert in certificates)).digest(), certificates
    except (ValueError, KeyError, TypeError):
        return None


Stored = tuple[list[bytes], list[bytes], list[bytes]]


def _stored(dss: DocumentSecurityStore) -> Stored | None:
    """The DSS's certificates, OCSP answers and CRLs (DER); None if they do not read."""
    try:
        return ([ref.get_object().data for ref in dss.certs.values()], [ref.get_object().data for ref in dss.ocsps],
                [ref.get_object().data for ref in dss.crls])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _long_term_times(certificates: list[bytes], ocsps: list[bytes], crls: list[bytes],
                     carried: list[asn1_x509.Certificate]) -> Times | None:
    """The times a B-LT context judges by; None if some data has no nextUpdate or does not parse."""
    try:
        times = list(_validity([*carried, *(asn1_x509.Certificate.load(der) for der in certificates)]))
        for der in ocsps:
            basic = asn1_ocsp.OCSPResponse.load(der).basic_ocsp_response
            tbs = basic["tbs_response_data"]
            times.append(tbs["produced_at"].native)
            times.extend(_validity(choice for choice in basic["certs"] or ()))
            for single in tbs["responses"]:
                status = single["cert_status"]
                times.extend([single["this_update"].native, single["next_update"].native,
                              *([status.chosen["revocation_time"].native] if status.name == "revoked" else [])])
        for der in crls:
            tbs = asn1_crl.CertificateList.load(der)["tbs_cert_list"]
            times.extend([tbs["this_update"].native, tbs["next_update"].native,
                          *(entry["revocation_date"].native for entry in tbs["revoked_certificates"] or ())])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return None if any(time is None for time in times) else tuple(times)


def _with_validity(times: Times, certificates: list[asn1_x509.Certificate]) -> Times:
    return times + _validity(certificates)


def _validity(certificates: Iterable[asn1_x509.Certificate]) -> Times:
    return tuple(moment for cert in certificates for moment in (cert.not_valid_before, cert.not_valid_after))
