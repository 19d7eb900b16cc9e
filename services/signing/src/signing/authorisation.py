"""Who may sign with which key.

- A personal key only by its holder: the caller's JWT subject must be the identifier in the certificate's
  subject UID (0.9.2342.19200300.100.1.1), bare or after a `CCCD:`/`CMND:`/`MST:` prefix as Vietnamese CAs
  write it; with the national SSO (VNeID), the subject is the holder's personal id.
- The organisation's seal only by its clerks (văn thư, role `seal_clerk`).
- A platform service (role `service`, e.g. intake issuing forms 01–03, routing the results its officials
  approve) only with the keys the agency delegated to it (`MOTCUA_SIGNING_SERVICE_KEYS`).
"""

from __future__ import annotations

from collections.abc import Mapping

from asn1crypto import x509 as asn1_x509
from motcua.auth import Principal

from signing import errors
from signing.keystore import SEAL

SEAL_CLERK = "seal_clerk"
SERVICE = "service"
ID_PREFIXES = ("CCCD:", "CMND:", "MST:", "HC:")


class Authoriser:
    def __init__(self, service_keys: Mapping[str, frozenset[str]]) -> None:
        self.service_keys = dict(service_keys)

    def check(self, principal: Principal, key_name: str, cert: asn1_x509.Certificate) -> None:
        """Raise Forbidden unless `principal` may sign with the key `key_name` certified by `cert`."""
        if SERVICE in principal.roles:
            if key_name not in self.service_keys.get(principal.sub, frozenset()):
                raise errors.not_delegated(principal.sub, key_name)
            return
        if key_name == SEAL:
            if SEAL_CLERK not in principal.roles:
                raise errors.seal_needs_clerk(key_name)
            return
        if principal.sub not in holder_ids(cert):
            raise errors.not_the_holder(principal.sub, key_name)


def holder_ids(cert: asn1_x509.Certificate) -> set[str]:
    """The identifiers of the certificate's holder, from the UID attributes of its subject."""
    found = set()
    for rdn in cert.subject.chosen:
        for attribute in rdn:
            if attribute["type"].dotted == "0.9.2342.19200300.100.1.1":
                value = str(attribute["value"].native)
                found.add(value)
                found.update(value[len(prefix):] for prefix in ID_PREFIXES if value.startswith(prefix))
    return found


def parse_service_keys(text: str) -> dict[str, frozenset[str]]:
    """Read `service:key,service:key` (e.g. `intake:seal,routing:official`) into keys per service."""
    keys: dict[str, set[str]] = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        service, sep, key = pair.partition(":")
        if not sep or not service or not key:
            raise ValueError(f"expected service:key, got {pair!r}")
        keys.setdefault(service, set()).add(key)
    return {service: frozenset(names) for service, names in keys.items()}
