"""The kernel's Kafka clients over SASL/PLAIN, built from the same variables the charts set: the test
broker's SASL listener accepts the right account and refuses a wrong password."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid

import pytest
from kafka.errors import KafkaTimeoutError
from motcua import kafka as mkafka
from motcua import logs, store
from motcua.inbox import Inbox
from motcua.settings import Env, KafkaSettings
from motcua.topics import FEEDBACK_SUBMITTED, qualified
from stack import SASL_PASSWORD, SASL_USERNAME

from tests.conftest import eventually
from tests.integration.test_kernel import rating

pytestmark = [pytest.mark.stack, pytest.mark.skipif("KAFKA_BOOTSTRAP_SERVERS" in os.environ,
                                                    reason="the SASL listener is the test broker's own")]


def sasl(stack, password: str = SASL_PASSWORD) -> KafkaSettings:  # type: ignore[no-untyped-def]
    return KafkaSettings.from_env(Env({
        "KAFKA_BOOTSTRAP_SERVERS": stack.kafka_sasl_bootstrap, "MOTCUA_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "MOTCUA_KAFKA_SASL_MECHANISM": "PLAIN", "MOTCUA_KAFKA_SASL_USERNAME": SASL_USERNAME,
        "MOTCUA_KAFKA_SASL_PASSWORD": password,
    }))


def test_topics_producer_and_consumer_round_trip_an_event_over_sasl(stack):  # type: ignore[no-untyped-def]
    settings = sasl(stack)
    prefix = f"sasl{uuid.uuid4().hex[:8]}"
    created = mkafka.ensure_topics(settings, prefix)
    assert qualified(FEEDBACK_SUBMITTED.topic.name, prefix) in created
    mongo = store.connect(stack.mongo_url, "motcua-tests")
    handled: list[str] = []
    event = rating("000.00.12.H56-260302-0002")
    with mkafka.producer(settings, "motcua-tests-sasl") as producer:
        mkafka.publish(producer, event, prefix).get(timeout=30)
        loop = mkafka.ConsumerLoop(kafka=settings, group=f"{prefix}-group",
                                   topics=[qualified(FEEDBACK_SUBMITTED.topic.name, prefix)],
                                   handlers={FEEDBACK_SUBMITTED.name: lambda e: handled.append(e.id)},
                                   inbox=Inbox(mongo[f"{prefix}_sasl"]["inbox"]), dlq_producer=producer)
        stop = threading.Event()
        thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
        thread.start()
        try:
            eventually(lambda: handled, 60, what="the event to come back through the SASL listener")
        finally:
            stop.set()
            thread.join(15)
            mongo.close()
    assert handled == [event.id]


def test_a_wrong_password_is_refused_and_the_refusal_is_logged(stack, caplog):  # type: ignore[no-untyped-def]
    with pytest.raises(KafkaTimeoutError, match="Unable to bootstrap"):
        mkafka.producer(sasl(stack, password="not-the-password"), "motcua-tests-sasl")
    refusals = [record.getMessage() for record in caplog.records if logs.KafkaRefusals().filter(record)]
    assert refusals, "no refusal among the client's log records"
    assert "SaslAuthenticationFailedError" in refusals[0] and "Invalid username or password" in refusals[0]


def test_the_service_entry_point_names_a_bad_kafka_setting(stack):  # type: ignore[no-untyped-def]
    done = subprocess.run([sys.executable, "-m", "routing", "all"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **stack.service_env("routing"), "MOTCUA_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                               "MOTCUA_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512"}, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == ("routing: MOTCUA_KAFKA_SASL_USERNAME is required with "
                                   "MOTCUA_KAFKA_SECURITY_PROTOCOL=SASL_SSL")
