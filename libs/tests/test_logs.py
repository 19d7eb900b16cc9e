"""What the services' logs keep of kafka-python's chatter: refusals of credentials, not outages."""

from __future__ import annotations

import logging
import ssl

import pytest
from kafka.errors import KafkaConnectionError, SaslAuthenticationFailedError
from motcua import logs


def record(*args: object) -> logging.LogRecord:
    return logging.LogRecord("kafka.net.manager", logging.WARNING, __file__, 1,
                             "Bootstrap connection to %s failed: %s (backoff %.2f secs)", args, None)


@pytest.mark.parametrize("error", [SaslAuthenticationFailedError("Invalid username or password"),
                                   ssl.SSLCertVerificationError("certificate verify failed")])
def test_a_refused_login_or_certificate_is_let_through(error):
    assert logs.KafkaRefusals().filter(record("bootstrap-0", error, 1.5))


@pytest.mark.parametrize("error", [KafkaConnectionError("Connection refused"), ConnectionRefusedError(111, "refused")])
def test_an_unreachable_broker_stays_quiet(error):
    assert not logs.KafkaRefusals().filter(record("bootstrap-0", error, 1.5))


@pytest.fixture
def logging_state():
    """Put back what configure() changes, for the tests that run after."""
    root, kafka, bootstrap = logging.getLogger(), logging.getLogger("kafka"), logging.getLogger("kafka.net.manager")
    saved = root.handlers[:], root.level, kafka.level, bootstrap.level, bootstrap.filters[:]
    yield
    root.handlers[:], root.level, kafka.level, bootstrap.level, bootstrap.filters[:] = saved


def test_configure_shows_refusals_once_however_often_it_runs(logging_state):
    logs.configure("routing")
    logs.configure("routing")
    bootstrap = logging.getLogger("kafka.net.manager")
    assert bootstrap.level == logging.WARNING
    assert [type(f) for f in bootstrap.filters] == [logs.KafkaRefusals]
    assert logging.getLogger("kafka").level == logging.CRITICAL
