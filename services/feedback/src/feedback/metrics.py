"""Feedback's domain metrics."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pymongo.errors import PyMongoError

log = logging.getLogger(__name__)

ratings = Counter("motcua_ratings_total", "Ratings accepted, by scale (3 or 5 levels) and level.", ["scale", "level"])
throttled = Counter("motcua_feedback_throttled_total", "Requests refused by the per-address rate limit.", ["scope"])
complaints = Counter("motcua_complaints_total", "Complaints filed and answered.", ["event"])
# The dimensions exported as gauges: both have few values (the agencies of a deployment, three channels).
GAUGED = ("agency", "channel")


class SatisfactionCollector(Collector):
    """This month's satisfaction per agency and per channel, read from the scorecard at each scrape."""

    def __init__(self, groups: Callable[[str], list[dict[str, Any]]]) -> None:
        self.groups = groups

    def collect(self) -> Iterator[GaugeMetricFamily]:
        ratio = GaugeMetricFamily("motcua_satisfaction_ratio", "Share of this month's ratings that are satisfied "
                                  "or very satisfied, per agency and per channel.", labels=["dimension", "value"])
        count = GaugeMetricFamily("motcua_satisfaction_ratings", "This month's ratings, per agency and per channel.",
                                  labels=["dimension", "value"])
        try:
            for dimension in GAUGED:
                for group in self.groups(dimension):
                    ratio.add_metric([dimension, group["value"]], group["satisfied_share"] or 0.0)
                    count.add_metric([dimension, group["value"]], group["ratings"])
        except PyMongoError as error:
            log.warning("satisfaction gauges not read (%r)", error)
        yield ratio
        yield count
