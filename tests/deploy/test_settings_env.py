"""The charts set exactly the environment variables the services read, no more and no fewer.

The variables a service reads are taken from its settings module and the shared one, so a setting
added to the code without its chart value (or the other way round) fails here.
"""

from __future__ import annotations

import re

import pytest

from tests.deploy.conftest import ROOT, SERVICES, VALUE_SETS, find

READ = re.compile(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]+)"')
# Read by the code but left to its default on purpose: the trust roots are root.pem in the mounted PKI
# Secret, which is the default; signing consumes no events, so it runs no consumer loops and keeps no
# inbox; intake and feedback handle their events one at a time (feedback's fold needs a partition's order),
# so lanes do not apply.
LEFT_TO_DEFAULT = {"signing": {"MOTCUA_SIGNING_TRUST_ROOTS", "MOTCUA_CONSUMERS", "MOTCUA_CONSUMER_THREADS",
                               "MOTCUA_INBOX_RETENTION_DAYS"},
                   "intake": {"MOTCUA_CONSUMER_THREADS"}, "feedback": {"MOTCUA_CONSUMER_THREADS"}}


def read_by(service: str) -> set[str]:
    shared = (ROOT / "libs" / "motcua" / "settings.py").read_text(encoding="utf-8")
    own = (ROOT / "services" / service / "src" / service / "settings.py").read_text(encoding="utf-8")
    ports = {f"MOTCUA_{service.upper()}_HTTP_PORT", f"MOTCUA_{service.upper()}_GRPC_PORT"}
    assert 'f"MOTCUA_{upper}_HTTP_PORT"' in shared and 'f"MOTCUA_{upper}_GRPC_PORT"' in shared
    return set(READ.findall(shared)) | set(READ.findall(own)) | ports


def rendered_for(rendered, service: str) -> set[str]:
    names: set[str] = set()
    for value_set in VALUE_SETS:
        for config_map in find(rendered[value_set], "ConfigMap", service):
            names |= set(config_map["data"])
        for deployment in find(rendered[value_set], "Deployment"):
            if deployment["metadata"]["name"].startswith(f"{service}-"):
                names |= {e["name"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_the_chart_sets_only_what_the_service_reads(rendered, service):
    assert rendered_for(rendered, service) - read_by(service) == set()


@pytest.mark.parametrize("service", SERVICES)
def test_the_chart_can_set_everything_the_service_reads(rendered, service):
    assert read_by(service) - rendered_for(rendered, service) - LEFT_TO_DEFAULT.get(service, set()) == set()
