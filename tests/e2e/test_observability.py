"""Every series the PrometheusRule and the Grafana dashboards use is served by the running services.

The five services run as processes against the session's Kafka and FerretDB; their /metrics are scraped
and parsed with prometheus_client, and compared with the metric names in the rendered rules and the
dashboards' queries. Series the services do not export yet are listed, with what they will mean, in
tests/deploy/observability.py (NOT_YET_EXPORTED) and docs/observability.md.
"""

from __future__ import annotations

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

    ensure_topics(stack.kafka_bootstrap, "obs")
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
            if job and name not in scraped[job] and name not in observability.NOT_YET_EXPORTED:
                wrong.setdefault(f"{name} from {job}", []).append(where)
    assert wrong == {}


def test_the_series_not_yet_exported_are_indeed_not_served(scraped):
    served = set().union(*scraped.values())
    assert observability.NOT_YET_EXPORTED.keys() & served == set(), "exported now: drop it from NOT_YET_EXPORTED"


def test_every_service_serves_the_shared_red_and_kafka_series(scraped):
    shared = {"motcua_http_requests_total", "motcua_http_request_duration_seconds_bucket",
              "motcua_grpc_server_handled_total", "motcua_grpc_server_handling_seconds_bucket",
              "motcua_kafka_consumer_lag", "motcua_kafka_dead_letters_total", "motcua_outbox_pending",
              "process_cpu_seconds_total", "process_resident_memory_bytes"}
    for name, served in scraped.items():
        assert shared <= served, f"{name} lacks {shared - served}"
