"""The shared Prometheus instruments: RED for HTTP and gRPC, Kafka consumers, the outbox relay."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

http_requests = Counter(
    "motcua_http_requests_total", "HTTP requests handled.", ["method", "route", "status"]
)
http_latency = Histogram(
    "motcua_http_request_duration_seconds", "HTTP request latency.", ["method", "route"], buckets=LATENCY_BUCKETS
)
grpc_handled = Counter(
    "motcua_grpc_server_handled_total", "gRPC calls completed on the server.", ["grpc_method", "grpc_code"]
)
grpc_latency = Histogram(
    "motcua_grpc_server_handling_seconds", "gRPC call latency on the server.", ["grpc_method"], buckets=LATENCY_BUCKETS
)
consumed = Counter(
    "motcua_kafka_messages_consumed_total", "Kafka messages handled by outcome.", ["topic", "group", "outcome"]
)
consume_latency = Histogram(
    "motcua_kafka_handling_seconds", "Time to handle one Kafka message.", ["topic", "group"], buckets=LATENCY_BUCKETS
)
consumer_lag = Gauge("motcua_kafka_consumer_lag", "Messages behind the end of the partition.", ["topic", "group"])
consumer_errors = Counter(
    "motcua_kafka_consumer_errors_total", "Times a consumer lost the broker and was rebuilt.", ["group"]
)
dead_lettered = Counter(
    "motcua_kafka_dead_letters_total", "Messages sent to a dead-letter topic.", ["topic", "group"]
)
mongo_latency = Histogram(
    "motcua_mongo_command_duration_seconds",
    "MongoDB command latency seen by the client.",
    ["command", "collection"],
    buckets=LATENCY_BUCKETS,
)
outbox_published = Counter("motcua_outbox_published_total", "Events the relay published.", ["collection"])
outbox_pending = Gauge("motcua_outbox_pending", "Documents found with events waiting past the grace in the outbox at the last sweep.", ["collection"])
outbox_errors = Counter("motcua_outbox_errors_total", "Relay attempts that failed and will be retried.", ["collection"])


def observe_http(method: str, route: str, status: int, seconds: float) -> None:
    """Record one HTTP request."""
    http_requests.labels(method, route, str(status)).inc()
    http_latency.labels(method, route).observe(seconds)


def observe_grpc(method: str, code: str, seconds: float) -> None:
    """Record one gRPC call."""
    grpc_handled.labels(method, code).inc()
    grpc_latency.labels(method).observe(seconds)
