"""What the services measured themselves (their /metrics histograms), as means over one scenario."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

HISTOGRAMS = {
    "motcua_http_request_duration_seconds": lambda labels: f"HTTP {labels['method']} {labels['route']}",
    "motcua_grpc_server_handling_seconds": lambda labels: f"gRPC {labels['grpc_method']}",
    "motcua_kafka_handling_seconds": lambda labels: f"kafka {labels['topic']}",
    # Every collection's commands summed by command name: how many round trips a scenario cost each service.
    "motcua_mongo_command_duration_seconds": lambda labels: f"mongo {labels['command']}",
}
IGNORED_ROUTES = ("/metrics", "/healthz", "/readyz")

Totals = dict[tuple[str, str], tuple[float, float]]


def scrape(ports: dict[str, int]) -> Totals:
    """(service, operation) -> (seconds, count) summed over each histogram's lifetime."""
    totals: Totals = {}
    for service, port in ports.items():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                text = response.read().decode()
        except OSError:
            continue
        for family in text_string_to_metric_families(text):
            name = HISTOGRAMS.get(family.name)
            if name is None:
                continue
            for sample in family.samples:
                if sample.name not in (f"{family.name}_sum", f"{family.name}_count"):
                    continue
                if sample.labels.get("route", "").endswith(IGNORED_ROUTES):
                    continue
                key = (service, name(sample.labels))
                seconds, count = totals.get(key, (0.0, 0.0))
                if sample.name.endswith("_sum"):
                    totals[key] = (seconds + sample.value, count)
                else:
                    totals[key] = (seconds, count + sample.value)
    return totals


def delta(before: Totals, after: Totals) -> dict[str, dict[str, dict[str, float]]]:
    """Per service and operation: how many were handled between two scrapes, and their mean in ms."""
    found: dict[str, dict[str, dict[str, float]]] = {}
    for (service, operation), (seconds, count) in after.items():
        old_seconds, old_count = before.get((service, operation), (0.0, 0.0))
        if count > old_count:
            found.setdefault(service, {})[operation] = {
                "count": int(count - old_count), "mean_ms": round(1000 * (seconds - old_seconds) / (count - old_count), 1)}
    return found
