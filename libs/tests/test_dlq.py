"""The dead-letter command's parts that need no broker: what a dead letter shows and replays, its arguments."""

from __future__ import annotations

import pytest
from motcua.dlq import DeadLetter, DeadLetterTopic, DlqError, main, parser
from motcua.settings import KafkaSettings

LETTER = DeadLetter(offset=7, key=b"000.00.12.H56-260302-0001", value=b"\x0a\x01x", headers=(
    ("ce_id", b"6f1c0b1e-0000-4000-8000-000000000001"), ("ce_type", b"vn.motcua.dossier.received.v1"),
    ("motcua_dlq_error", b"Unavailable: no official of department tu-phap\nis available"),
    ("motcua_dlq_topic", b"motcua.dossier.v1"), ("motcua_dlq_attempts", b"1"), ("motcua_dlq_group", b"motcua-routing"),
))


def test_a_dead_letter_replays_with_its_own_headers_only():
    assert LETTER.original_topic == "motcua.dossier.v1"
    assert LETTER.replay_headers() == [("ce_id", b"6f1c0b1e-0000-4000-8000-000000000001"),
                                       ("ce_type", b"vn.motcua.dossier.received.v1")]


def test_a_dead_letter_is_described_on_one_line():
    assert LETTER.describe() == ("7\tmotcua.dossier.v1\tvn.motcua.dossier.received.v1\t"
                                 "6f1c0b1e-0000-4000-8000-000000000001\t1\t"
                                 "Unavailable: no official of department tu-phap is available")
    assert DeadLetter(0, None, b"junk", ()).describe() == "0\t-\t-\t-\t-\t-"


@pytest.mark.parametrize("argv", [
    ["replay", "--topic", "motcua.dossier.v1.dlq", "--from", "-1", "--to", "3"],
    ["replay", "--topic", "motcua.dossier.v1.dlq", "--from", "two", "--to", "3"],
    ["replay", "--topic", "motcua.dossier.v1.dlq", "--from", "1"],
    ["purge", "--topic", "motcua.dossier.v1.dlq"],
])
def test_bad_arguments_exit_with_2_and_say_why(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(argv)
    assert exited.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_only_a_dead_letter_topic_is_accepted():
    with pytest.raises(DlqError, match="^motcua.dossier.v1 is not a dead-letter topic: their names end in .dlq$"):
        DeadLetterTopic(KafkaSettings("127.0.0.1:1"), "motcua.dossier.v1")


def test_bad_kafka_settings_stop_the_command_naming_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("MOTCUA_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    assert main(["list", "--topic", "motcua.dossier.v1.dlq"]) == 2
    assert capsys.readouterr().err.startswith("motcua.dlq: MOTCUA_KAFKA_SASL_MECHANISM is required")
