"""Every series the PrometheusRule and the Grafana dashboards use is served by the running services.

The five services run as processes against the session's Kafka and FerretDB; their /metrics are scraped
and parsed with prometheus_client, and compared with the metric names in the rendered rules and the
dashboards' queries: every one of them must be served, by the service its selector names.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.deploy import observability
from tests.deploy.conftest import charts, template  # noqa: F401  (fixtures)

pytestmark = pytest.mark.stack
SERVICES = ("signing", "intake", "routing", "notification", "feedback")


@pytest.fixture(scope="module")
def platform(stack) -> Iterator:  # type: ignore[no-untyped-def]
    stack.prefix = "obs"
    from motcua.kafka import ensure_topics

    ensure_topics(stack.kafka, "obs")
    try:
        for name in SERVICES:
            stack.start_service(name, label=f"obs-{name}")
        yield stack
    finally:
        for name in reversed(SERVICES):
            stack.stop(f"obs-{name}")
        stack.prefix = ""


@pytest.fixture(scope="module")
def scraped(platform) -> dict[str, set[str]]:
    """Service -> the series names its /metrics serves."""
    exported = {}
    for name in SERVICES:
        base = f"http://127.0.0.1:{platform.ports.http[name]}"
        assert requests.get(f"{base}/readyz", timeout=5).status_code == 200
        response = requests.get(f"{base}/metrics", timeout=5)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
        exported[name] = observability.exported_names(text_string_to_metric_families(response.text))
    return exported


@pytest.fixture(scope="module")
def queries(template) -> list[tuple[str, str]]:  # noqa: F811
    docs = template("default", prometheusRule__enabled="true")
    return [*observability.rule_queries(docs), *observability.dashboard_queries()]


def test_every_series_used_by_the_rules_and_dashboards_is_served(scraped, queries):
    served = set().union(*scraped.values())
    recorded = {where for where, _ in queries if where.startswith("motcua:")}
    assert observability.missing(queries, served, recorded) == {}


def test_series_selected_by_job_come_from_that_service(scraped, queries):
    wrong = {}
    for where, query in queries:
        for name, job in observability.selections(query):
            if job and name not in scraped[job]:
                wrong.setdefault(f"{name} from {job}", []).append(where)
    assert wrong == {}


def test_every_service_serves_the_shared_red_and_kafka_series(scraped):
    shared = {"motcua_http_requests_total", "motcua_http_request_duration_seconds_bucket",
              "motcua_grpc_server_handled_total", "motcua_grpc_server_handling_seconds_bucket",
              "motcua_kafka_consumer_lag", "motcua_kafka_dead_letters_total", "motcua_outbox_pending",
              "process_cpu_seconds_total", "process_resident_memory_bytes"}
    for name, served in scraped.items():
        assert shared <= served, f"{name} lacks {shared - served}"


def samples(platform, service: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:  # type: ignore[no-untyped-def]
    """Labels -> value of every sample of one family that a service serves now."""
    text = requests.get(f"http://127.0.0.1:{platform.ports.http[service]}/metrics", timeout=5).text
    return {tuple(sorted(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) if family.name == name for s in family.samples}


def test_signing_serves_the_expiry_of_each_signer_certificate(platform):
    expiry = samples(platform, "signing", "motcua_signing_certificate_expiry_timestamp_seconds")
    assert set(expiry) == {(("signer", "official"),), (("signer", "seal"),)}
    assert all(value > time.time() for value in expiry.values())


def test_routing_serves_open_and_overdue_dossiers_for_the_agencies_of_its_roster(platform):
    in_progress = samples(platform, "routing", "motcua_dossiers_in_progress")
    overdue = samples(platform, "routing", "motcua_dossiers_overdue")
    assert in_progress and set(in_progress) == set(overdue)
    assert all(labels[0][0] == "agency" for labels in in_progress)
    assert all(overdue[labels] <= in_progress[labels] for labels in in_progress)
