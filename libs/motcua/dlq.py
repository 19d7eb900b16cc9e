"""`python -m motcua.dlq list|replay`: read a dead-letter topic and send its messages back where they came from.

A replayed message keeps its key, value and CloudEvents headers (so its event id), without the
`motcua_dlq_*` headers: a consumer that had already handled the event finds it in its inbox and does
nothing. Exit codes: 0 done, 1 some dead letters could not be replayed, 2 bad arguments or settings.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from motcua import kafka
from motcua.settings import KafkaSettings, SettingsError

READ_TIMEOUT_SECONDS = 30.0


class DlqError(ValueError):
    """A request the dead-letter topic cannot answer: unknown topic, offsets out of range."""


@dataclass(frozen=True)
class DeadLetter:
    """One message of a dead-letter topic."""

    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def header(self, name: str) -> str | None:
        value = dict(self.headers).get(name)
        return None if value is None else value.decode(errors="replace")

    @property
    def original_topic(self) -> str | None:
        return self.header(kafka.DLQ_TOPIC_HEADER)

    def replay_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v) for k, v in self.headers if not k.startswith(kafka.DLQ_HEADER_PREFIX)]

    def describe(self) -> str:
        error = (self.header("motcua_dlq_error") or "-").replace("\n", " ")
        return "\t".join([str(self.offset), self.original_topic or "-", self.header("ce_type") or "-",
                          self.header("ce_id") or "-", self.header("motcua_dlq_attempts") or "-", error[:160]])


class DeadLetterTopic:
    """The single partition of one `<topic>.dlq`, read without a consumer group."""

    def __init__(self, settings: KafkaSettings, topic: str) -> None:
        if not topic.endswith(".dlq"):
            raise DlqError(f"{topic} is not a dead-letter topic: their names end in .dlq")
        self.topic = topic
        self.consumer = KafkaConsumer(**settings.client_options(), client_id="motcua-dlq", group_id=None,
                                      enable_auto_commit=False)
        partitions = self.consumer.partitions_for_topic(topic)
        if not partitions:
            self.consumer.close()
            raise DlqError(f"no topic {topic} on the brokers at {settings.bootstrap_servers}")
        if partitions != {0}:
            self.consumer.close()
            raise DlqError(f"{topic} has {len(partitions)} partitions; a dead-letter topic has one")
        self.partition = TopicPartition(topic, 0)

    def bounds(self) -> tuple[int, int]:
        """The first offset still kept and the offset the next dead letter will get."""
        first = self.consumer.beginning_offsets([self.partition])[self.partition]
        end = self.consumer.end_offsets([self.partition])[self.partition]
        return first, end

    def check_range(self, first: int, last: int) -> None:
        """Refuse a range that is empty, reversed, or outside what the topic holds."""
        kept, end = self.bounds()
        if end == kept:
            raise DlqError(f"{self.topic} holds no dead letters (next offset {end})")
        holds = f"{self.topic} holds offsets {kept} to {end - 1}"
        if first > last:
            raise DlqError(f"--from {first} is after --to {last}")
        if first < kept:
            raise DlqError(f"--from {first} is gone (deleted by retention): {holds}")
        if last >= end:
            raise DlqError(f"--to {last} is past the last dead letter: {holds}")

    def read(self, first: int, last: int) -> Iterator[DeadLetter]:
        """The dead letters from first to last, both included."""
        self.consumer.assign([self.partition])
        self.consumer.seek(self.partition, first)
        deadline = time.monotonic() + READ_TIMEOUT_SECONDS
        while self.consumer.position(self.partition) <= last:
            if time.monotonic() > deadline:
                raise DlqError(f"reading {self.topic} stopped at offset {self.consumer.position(self.partition)}: "
                               f"no answer from the brokers in {READ_TIMEOUT_SECONDS:.0f}s")
            for record in self.consumer.poll(timeout_ms=1000).get(self.partition, []):
                if first <= record.offset <= last:
                    deadline = time.monotonic() + READ_TIMEOUT_SECONDS
                    yield DeadLetter(record.offset, record.key, record.value, tuple(record.headers or ()))

    def close(self) -> None:
        self.consumer.close()


def list_dead_letters(dlq: DeadLetterTopic, first: int | None, limit: int) -> int:
    kept, end = dlq.bounds()
    print(f"{dlq.topic}: offsets {kept} to {end - 1} ({end - kept} dead letters)" if end > kept
          else f"{dlq.topic}: no dead letters (next offset {end})")
    start = kept if first is None else first
    if end == kept or limit == 0:
        return 0
    dlq.check_range(start, start)
    print("offset\ttopic\ttype\tid\tattempts\terror")
    for letter in dlq.read(start, min(start + limit, end) - 1):
        print(letter.describe())
    return 0


def replay(dlq: DeadLetterTopic, settings: KafkaSettings, first: int, last: int, dry_run: bool) -> int:
    dlq.check_range(first, last)
    producer = None if dry_run else kafka.producer(settings, "motcua-dlq-replay")
    sent: Counter[str] = Counter()
    skipped = 0
    try:
        for letter in dlq.read(first, last):
            target = letter.original_topic
            if target is None:
                skipped += 1
                print(f"offset {letter.offset}: no {kafka.DLQ_TOPIC_HEADER} header, not a motcua dead letter: skipped")
                continue
            if producer is not None:
                producer.send(target, key=letter.key, value=letter.value, headers=letter.replay_headers()).get(timeout=30)
            sent[target] += 1
            print(f"offset {letter.offset} -> {target}\t{letter.header('ce_type') or '-'}\t{letter.header('ce_id') or '-'}")
    finally:
        if producer is not None:
            producer.close(timeout=10)
    verb = "would replay" if dry_run else "replayed"
    targets = ", ".join(f"{count} to {topic}" for topic, count in sorted(sent.items())) or "none"
    print(f"{verb} {sum(sent.values())} of {last - first + 1} dead letters of {dlq.topic} "
          f"(offsets {first} to {last}): {targets}; skipped {skipped}")
    return 1 if skipped else 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m motcua.dlq",
                                   description="List the dead letters of a topic, or replay them to where they came from.",
                                   epilog="Kafka is reached with the services' settings: KAFKA_BOOTSTRAP_SERVERS "
                                          "and MOTCUA_KAFKA_* (README, Settings).")
    commands = root.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="show the dead letters of a topic: offset, topic, type, id, error")
    listing.add_argument("--topic", required=True, help="the dead-letter topic, e.g. motcua.dossier.v1.dlq")
    listing.add_argument("--from", dest="first", type=offset, help="first offset to show (default: the oldest kept)")
    listing.add_argument("--limit", type=offset, default=20, help="how many to show (default 20)")
    again = commands.add_parser("replay", help="publish dead letters again to the topic they came from")
    again.add_argument("--topic", required=True, help="the dead-letter topic, e.g. motcua.dossier.v1.dlq")
    again.add_argument("--from", dest="first", type=offset, required=True, help="first offset to replay")
    again.add_argument("--to", dest="last", type=offset, required=True, help="last offset to replay (included)")
    again.add_argument("--dry-run", action="store_true", help="show what would be replayed, send nothing")
    return root


def offset(raw: str) -> int:
    if not raw.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {raw!r}")
    return int(raw)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = KafkaSettings.from_env()
        dlq = DeadLetterTopic(settings, args.topic)
        try:
            if args.command == "list":
                return list_dead_letters(dlq, args.first, args.limit)
            return replay(dlq, settings, args.first, args.last, args.dry_run)
        finally:
            dlq.close()
    except (SettingsError, DlqError) as error:
        print(f"motcua.dlq: {error}", file=sys.stderr)
        return 2
    except KafkaError as error:
        print(f"motcua.dlq: Kafka failed: {error!r}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
