"""`python -m feedback.rebuild [--into NAME | --replace]`: the scorecard folded again from the topics' beginning.

Reads every partition of the topics feedback consumes, from the first offset to the end offset found at the
start, and folds each event exactly as the live consumer does, into a scorecard of its own (`--into`,
default `counters_rebuilt`, to compare or inspect) or, with `--replace`, into the live one after emptying it
(stop the workers first: docs/feedback.md).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition
from motcua import logs, store
from motcua.events import Event, UndecodableEvent
from motcua.settings import SettingsError
from motcua.topics import CONSUMES, qualified

from feedback.repository import SCORECARD, Repository
from feedback.settings import Settings
from feedback.statistics import Statistics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rebuilt:
    events: int
    skipped: int
    seconds: float


def rebuild(settings: Settings, scorecard: str, *, replace: bool = False) -> Rebuilt:
    """Fold every event of the consumed topics into the named scorecard, emptied first."""
    common = settings.common
    mongo = store.connect(common.mongo_url, "motcua-feedback-rebuild")
    db = store.database(mongo, "feedback", common.database_prefix)
    if scorecard == SCORECARD and not replace:
        raise SettingsError("rebuilding into the live scorecard needs --replace")
    repo = Repository(db, scorecard)
    repo.counters.drop()
    repo.members.drop()
    statistics = Statistics(repo=repo, rules=settings.index_rules)
    consumer = KafkaConsumer(**common.kafka.client_options(), group_id=None, enable_auto_commit=False,
                             client_id="motcua-feedback-rebuild")
    started, events, skipped = time.monotonic(), 0, 0
    try:
        topics = [qualified(t.name, common.topic_prefix) for t in CONSUMES["feedback"]]
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for tp, records in consumer.poll(timeout_ms=1000, max_records=2000).items():
                for record in records:
                    if record.offset >= end[tp]:
                        continue
                    try:
                        event = Event.from_record(record.headers, record.value)
                    except UndecodableEvent:
                        skipped += 1  # the live consumer dead-lettered it: it counts nowhere
                        continue
                    statistics.fold(event)
                    events += 1
    finally:
        consumer.close()
        mongo.close()
    return Rebuilt(events, skipped, round(time.monotonic() - started, 2))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m feedback.rebuild", description=__doc__.split("\n")[0])
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--into", default="counters_rebuilt", help="the scorecard collection to fill")
    target.add_argument("--replace", action="store_true", help="empty and refill the live scorecard")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        logs.configure("feedback", settings.common.log_level)
        done = rebuild(settings, SCORECARD if args.replace else args.into, replace=args.replace)
    except SettingsError as error:
        print(f"feedback rebuild: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"folded {done.events} events ({done.skipped} undecodable skipped) in {done.seconds} s")


if __name__ == "__main__":
    main()
