from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
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
