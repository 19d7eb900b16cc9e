"""The PrometheusRule and the dashboards: valid PromQL, series the code declares, a runbook per alert."""

from __future__ import annotations

import importlib
import re

import pytest
from prometheus_client import REGISTRY

from tests.deploy import observability
from tests.deploy.conftest import ROOT, SERVICES, find

RUNBOOKS = ROOT / "docs" / "runbooks.md"
EXPECTED_ALERTS = {
    "MotcuaErrorBudgetBurn", "MotcuaLatencyBudgetBurn", "MotcuaTargetDown", "MotcuaConsumerLagGrowing",
    "MotcuaDeadLetters", "MotcuaOutboxStuck", "MotcuaOutboxBacklog", "MotcuaNotificationFailureRate",
    "MotcuaSigningErrors", "MotcuaDossiersOverdueRising", "MotcuaSignerCertificateExpiry",
    "MotcuaReceiptsWithoutRatingLink",
}


@pytest.fixture(scope="module")
def rule_docs(rendered):
    return rendered["production"]


@pytest.fixture(scope="module")
def declared() -> set[str]:
    """Every series name the shared kernel and the five services declare (and the default collectors)."""
    for module in ("motcua.metrics", *(f"{service}.metrics" for service in SERVICES)):
        importlib.import_module(module)
    return observability.exported_names(REGISTRY.collect())


def recorded(docs) -> set[str]:
    return {rule["record"] for rule in observability.rules(docs) if "record" in rule}


def test_every_alert_of_the_issue_is_there(rule_docs):
    alerts = {rule["alert"] for rule in observability.rules(rule_docs) if "alert" in rule}
    assert alerts == EXPECTED_ALERTS


def test_every_query_parses():
    queries = [*observability.dashboard_queries()]
    assert len(queries) > 40
    for where, query in queries:
        try:
            observability.metric_names(query)
        except ValueError as error:
            pytest.fail(f"{where}: {error}: {query}")


def test_every_rule_parses(rule_docs):
    for where, query in observability.rule_queries(rule_docs):
        try:
            observability.metric_names(query)
        except ValueError as error:
            pytest.fail(f"{where}: {error}: {query}")


def test_rules_and_dashboards_use_only_series_the_code_declares(rule_docs, declared):
    queries = [*observability.rule_queries(rule_docs), *observability.dashboard_queries()]
    assert observability.missing(queries, declared, recorded(rule_docs)) == {}


def test_every_declared_metric_is_in_the_catalog(declared):
    catalog = (ROOT / "docs" / "observability.md").read_text(encoding="utf-8")
    names = {family.name + ("_total" if family.type == "counter" else "") for family in REGISTRY.collect()
             if family.name.startswith("motcua_")}
    assert {name for name in names if f"`{name}`" not in catalog} == set()


def anchors(markdown: str) -> set[str]:
    """GitHub's anchors of the headings of a markdown file."""
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#{1,6} (.+)$", markdown, flags=re.MULTILINE)}


def test_every_alert_links_to_its_runbook_section(rule_docs):
    sections = anchors(RUNBOOKS.read_text(encoding="utf-8"))
    for rule in observability.rules(rule_docs):
        if "alert" in rule:
            url = rule["annotations"]["runbook_url"]
            assert url.startswith("https://docs.motcua.example/runbooks.md#"), url
            assert url.split("#", 1)[1] in sections, f"{rule['alert']}: no section #{url.split('#', 1)[1]}"


def test_alerts_select_the_services_by_job_and_keep_their_labels(rule_docs):
    for rule in observability.rules(rule_docs):
        if "alert" in rule:
            assert rule["labels"]["team"] == "motcua"
            assert rule["labels"]["severity"] in ("warning", "critical")


def test_the_latency_thresholds_offered_are_bucket_boundaries():
    import json

    from motcua.metrics import LATENCY_BUCKETS
    from prometheus_client.utils import floatToGoString

    schema = json.loads((ROOT / "helm" / "motcua" / "values.schema.json").read_text())
    offered = schema["properties"]["prometheusRule"]["properties"]["slo"]["properties"]["latency"]
    choices = offered["properties"]["thresholdSeconds"]["enum"]
    assert set(choices) <= {floatToGoString(bound) for bound in LATENCY_BUCKETS}


def test_slo_rules_follow_the_values(template):
    docs = template("monitoring")
    exprs = {rule.get("alert", rule.get("record")): rule["expr"] for rule in observability.rules(docs)}
    assert 'le="0.5"' in exprs["motcua:request_latency:slow_ratio_rate5m"]
    assert "(1 - 0.999)" in exprs["MotcuaErrorBudgetBurn"] and "(1 - 0.95)" in exprs["MotcuaLatencyBudgetBurn"]
    assert 'job=~"intake|routing|signing|notification|feedback"' in exprs["motcua:requests:rate1h"]
    minimal = template("minimal", prometheusRule__enabled="true")
    (rule,) = find(minimal, "PrometheusRule")
    assert 'job=~"intake"' in observability.rules([rule]).__next__()["expr"]


def test_dashboards_are_well_formed():
    boards = observability.dashboards()
    assert set(boards) == {"platform-overview.json", "dossier-flow.json", "notifications.json", "signatures.json"}
    assert len({board["uid"] for board in boards.values()}) == len(boards)
    for name, board in boards.items():
        variables = {v["name"] for v in board["templating"]["list"]}
        assert {"datasource", "namespace"} <= variables, name
        ids = [panel["id"] for panel in board["panels"]]
        assert len(ids) == len(set(ids)), name
        for panel in board["panels"]:
            if panel["type"] == "row":
                continue
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, (name, panel["title"])
            assert panel["targets"] and panel.get("description"), (name, panel["title"])
            for target in panel["targets"]:
                assert 'namespace="$namespace"' in target["expr"], (name, panel["title"])
