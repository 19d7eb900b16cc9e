import re
from typing import Any

import pytest
from intake import validation
from intake.app import create_app
from intake.openapi import document, schemas
from intake.settings import Settings
from motcua import codes
from motcua.auth import TokenVerifier
from motcua.health import Readiness
from motcua.settings import Env

UNDOCUMENTED = {"/static/<path:filename>"}


def routes() -> set[tuple[str, str]]:
    unused: Any = object()
    app = create_app(Settings.from_env(Env({})), service=unused, catalog=unused, calendars=unused, attachments=unused,
                     tokens=TokenVerifier(b""), readiness=Readiness({}))
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule in UNDOCUMENTED:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        found |= {(path, method.lower()) for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}
    return found


def test_every_route_is_documented_and_every_documented_operation_is_served():
    documented = {(path, method) for path, item in document()["paths"].items() for method in item}
    assert documented == routes()


def test_every_reference_resolves():
    doc = document()
    text = repr(doc)
    for kind, name in re.findall(r"#/components/(\w+)/(\w+)", text):
        assert name in doc["components"][kind], f"{kind}/{name}"


@pytest.mark.parametrize(("pattern", "regex", "values"), [
    (schemas.PROCEDURE_CODE, validation.PROCEDURE_CODE, ["1.001193", "1.00119", "11.001193", "a.001193"]),
    (schemas.AGENCY_ID, validation.AGENCY_ID, ["000.01.31.H56", "000.00.12.H56", "000.1.31.H56", "000.01.31"]),
    (schemas.DOSSIER_CODE, codes.DOSSIER_CODE, ["000.01.31.H56-251020-0001", "000.01.31.H56-251020-01"]),
    (schemas.SHA256, validation.SHA256, ["a" * 64, "A" * 64, "a" * 63]),
    (schemas.SLUG, validation.SLUG, ["to-khai", "-to-khai", "To-khai"]),
    (schemas.PHONE, validation.PHONE, ["0912345678", "+84912345678", "0212345678", "091234567"]),
    (schemas.EMAIL, validation.EMAIL, ["lan@example.vn", "lan@example", "a b@example.vn"]),
])
def test_the_documents_patterns_accept_what_validation_accepts(pattern, regex, values):
    for value in values:
        assert bool(re.search(pattern, value)) == bool(regex.match(value)), value


def test_the_citizen_id_pattern_knows_the_province_codes():
    assert re.search(schemas.CITIZEN_ID, "038190012345")
    assert not re.search(schemas.CITIZEN_ID, "097190012345")
    assert validation.citizen_id_problem("097190012345", None) is not None
