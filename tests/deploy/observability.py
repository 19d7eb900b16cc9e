"""What the alerts and dashboards ask of the services' /metrics, and what the services export.

Used by tests/deploy/test_prometheus.py (against the metrics the code declares) and by
tests/e2e/test_observability.py (against what the running services serve).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import promql_parser

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "helm" / "motcua" / "dashboards"


# Made by Prometheus itself for every target, not by a service.
PROMETHEUS_GENERATED = {"up"}

GRAFANA_VARIABLE = re.compile(r"\$(\{(\w+)(?::\w+)?\}|(\w+))")
LABEL_VALUES = re.compile(r"^label_values\((.+),\s*\w+\)$")


def grafana_to_promql(query: str) -> str:
    """A dashboard query with Grafana's variables replaced by values Prometheus would accept."""

    def value(match: re.Match[str]) -> str:
        name = match.group(2) or match.group(3)
        return {"__rate_interval": "5m", "__interval": "1m", "__range": "6h"}.get(name, "x")

    return GRAFANA_VARIABLE.sub(value, query)


def dashboards() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(DASHBOARDS.glob("*.json"))}


def dashboard_queries() -> Iterator[tuple[str, str]]:
    """(where, PromQL) of every panel target and every query variable of the dashboards."""
    for name, board in dashboards().items():
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                yield f"{name}: {panel['title']}", grafana_to_promql(target["expr"])
        for variable in board["templating"]["list"]:
            if variable["type"] == "query":
                query = variable["query"]["query"]
                match = LABEL_VALUES.match(query)
                yield f"{name}: variable {variable['name']}", grafana_to_promql(match.group(1) if match else query)


def rules(docs: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for doc in docs:
        if doc["kind"] == "PrometheusRule":
            for group in doc["spec"]["groups"]:
                yield from group["rules"]


def rule_queries(docs: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    for rule in rules(docs):
        yield rule.get("alert") or rule["record"], rule["expr"]


def metric_names(query: str) -> set[str]:
    """The metric names a PromQL query selects; raises ValueError if it does not parse."""
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            name = node.name or next((m.value for m in node.matchers.matchers if m.name == "__name__"), None)
            if name:
                names.add(name)

    promql_parser.walk(promql_parser.parse(query), visit)
    return names


def selections(query: str) -> set[tuple[str, str | None]]:
    """(metric name, job) of every selector of a query; job is None unless the selector names one job."""
    found: set[tuple[str, str | None]] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            jobs = [m.value for m in node.matchers.matchers if m.name == "job" and m.op == promql_parser.MatchOp.Equal]
            found.add((node.name, jobs[0] if jobs else None))

    promql_parser.walk(promql_parser.parse(query), visit)
    return found


def exported_names(families: Iterable[Any]) -> set[str]:
    """Every series name a set of prometheus_client metric families can produce (suffixes included)."""
    suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count", "_created"),
                "summary": ("_sum", "_count", "_created"), "gauge": (), "info": ("_info",), "unknown": ()}
    names: set[str] = set()
    for family in families:
        names.add(family.name)
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ()))
        names.update(sample.name for sample in family.samples)
    return names


def missing(queries: Iterable[tuple[str, str]], exported: set[str], recorded: set[str]) -> dict[str, list[str]]:
    """Metric name -> where it is used, for the names that are neither exported nor recorded."""
    absent: dict[str, list[str]] = {}
    for where, query in queries:
        for name in metric_names(query) - exported - recorded - PROMETHEUS_GENERATED:
            absent.setdefault(name, []).append(where)
    return absent
