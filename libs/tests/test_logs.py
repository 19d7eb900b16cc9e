"""What the services' logs hold: JSON lines with context, and of the chatty libraries only what matters
(for kafka-python, refusals of credentials, not outages)."""

from __future__ import annotations

import io
import json
import logging
import ssl
from collections.abc import Iterator

import pytest
from kafka.errors import KafkaConnectionError, SaslAuthenticationFailedError
from motcua import logs


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """What the configured logging writes, read from a buffer instead of stdout."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logs.configure("intake", "INFO")
    stream = io.StringIO()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    yield stream
    root.handlers[:], level = saved
    root.setLevel(level)


def test_lines_are_json_with_the_bound_context(output: io.StringIO) -> None:
    with logs.bound(dossier="000.01.31.H56-261121-0001"):
        logging.getLogger("intake.service").info("hồ sơ đã tiếp nhận")
    line = json.loads(output.getvalue().strip().splitlines()[-1])
    assert line["service"] == "intake" and line["message"] == "hồ sơ đã tiếp nhận"
    assert line["dossier"] == "000.01.31.H56-261121-0001" and line["level"] == "INFO"


def test_chatty_libraries_log_warnings_only(output: io.StringIO) -> None:
    logging.getLogger("fontTools.subset").info("glyf subsetted")
    logging.getLogger("waitress.queue").info("Task queue depth is 1")
    logging.getLogger("fontTools.subset").warning("missing glyph")
    out = output.getvalue()
    assert "glyf subsetted" not in out and "Task queue depth" not in out and "missing glyph" in out


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
