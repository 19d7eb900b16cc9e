"""The six charts stay consistent: one shape of values and schema for the services, one global block."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.deploy.conftest import CHARTS, SERVICES


def schema(chart: str) -> dict:
    return json.loads((CHARTS / chart / "values.schema.json").read_text(encoding="utf-8"))


def values(chart: str) -> dict:
    return yaml.safe_load((CHARTS / chart / "values.yaml").read_text(encoding="utf-8"))


def test_every_chart_checks_global_the_same_way():
    umbrella = schema("motcua")["definitions"]
    for service in SERVICES:
        definitions = schema(service)["definitions"]
        for name in ("global", "secretName", "secretKey", "quantity", "resources"):
            assert definitions[name] == umbrella[name], f"{service}: definitions.{name} differs from the umbrella's"


def test_every_service_chart_has_the_same_global_defaults():
    umbrella = values("motcua")["global"]
    for service in SERVICES:
        assert values(service)["global"] == umbrella, service


@pytest.mark.parametrize("service", SERVICES)
def test_the_shared_part_of_a_service_schema_is_the_same_everywhere(service):
    reference, mine = schema("intake"), schema(service)
    own = {"intake": {"maxAttachmentBytes", "maxRequestBytes", "publicUrl", "signingPublicUrl", "loadSeed",
                      "signingAddr", "signingTimeoutSeconds", "signingCredentialsSecret", "feedbackAddr",
                      "feedbackTimeoutSeconds"},
           "routing": {"signingAddr", "signingTimeoutSeconds", "agencyName", "signingCredentialsSecret",
                       "dueSoonMinutes", "schedulerSeconds", "consumerThreads"},
           "signing": {"publicUrl", "pki", "keyStore", "serviceKeys", "tsaUrl", "level", "ocspUrl", "revocationMaxAge",
                       "concurrency"},
           "notification": {"channels", "retry", "sms", "smpp", "zns", "smtp", "ratingUrl", "quietHours",
                            "rateLimits", "callbacks", "senders", "consumerThreads"},
           "feedback": {"publicUrl", "ratingLinks", "rateLimitPerMinute", "trustedProxies", "kioskSessionSeconds",
                        "complaintAnswerDays", "ratingPolicy", "indexRules",
                        "indexCacheSeconds"}}
    shared = set(reference["properties"]) - own["intake"]
    if service == "signing":  # consumes no events: no worker role, no consumer loops
        shared -= {"worker", "consumers", "inboxRetentionDays"}
    for key in shared:
        assert mine["properties"][key] == reference["properties"][key], f"{service}: properties.{key}"
    assert set(mine["properties"]) == shared | own[service]


@pytest.mark.parametrize("service", SERVICES)
def test_every_value_the_schema_requires_has_a_default(service):
    required = schema(service)["required"]
    assert set(required) <= set(values(service)), service


def test_every_umbrella_service_key_switches_a_dependency():
    chart = yaml.safe_load((CHARTS / "motcua" / "Chart.yaml").read_text(encoding="utf-8"))
    conditions = {d["name"]: d.get("condition") for d in chart["dependencies"]}
    assert conditions == {"motcua-lib": None, **{s: f"{s}.enabled" for s in SERVICES}}
