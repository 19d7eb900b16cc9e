"""`python -m feedback.rebuild [--into NAME | --replace] [--workers N]`: the scorecard folded again from the topics'
beginning.

Reads every partition of the topics feedback consumes, from the first offset to the end offset found at the
start, sums each event in memory as the live consumer would count it (scorecard.addition), then writes each
counter once, into a scorecard of its own (`--into`, default `counters_rebuilt`, to compare or inspect) or,
with `--replace`, into the live one after emptying it (stop the workers first: docs/feedback.md).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from motcua import logs, store
from motcua.events import Event, Position, UndecodableEvent
from motcua.settings import KafkaSettings, SettingsError
from motcua.topics import CONSUMES, qualified

from feedback.repository import SCORECARD, Repository
from feedback.scorecard import Addition, addition, folded_at
from feedback.settings import Settings

WRITE_BATCH = 500
# Ids remembered per partition to drop an event the relay published twice.
RECENT_IDS = 100_000
# Distinct additions counted in memory before they are spread over their counters.
REPEATS_KEPT = 200_000
MAX_WORKERS = 4


@dataclass(frozen=True)
class Rebuilt:
    events: int
    skipped: int
    seconds: float


@dataclass
class Repeats:
    """One addition, how many events made it, and the last offset of each partition among them."""

    addition: Addition
    times: int = 0
    folded: dict[str, int] = field(default_factory=dict)


class Tally:
    """The scorecard summed in memory, written once at the end: a counter per key, a member list per period.

    Events that add the same amounts to the same counters (one agency's on-time completions of one
    procedure in one month, say) are first counted together, and spread over their counters once: a year's
    millions of events repeat far fewer additions. Each counter also gets the offset marks the live fold
    would have left (the last offset folded from each partition), so that a worker resuming after
    `--replace` skips what the rebuild counted.
    """

    def __init__(self, repeats_kept: int = REPEATS_KEPT) -> None:
        self.counters: dict[str, dict[str, Any]] = {}
        self.members: dict[str, set[str]] = defaultdict(set)
        self.repeats: dict[tuple[Any, ...], Repeats] = {}
        self.repeats_kept = repeats_kept

    def fold(self, event: Event) -> None:
        added = addition(event)
        if added is None:
            return
        mark, offset = folded_at(event)
        same = added.same()
        repeats = self.repeats.get(same)
        if repeats is None:
            if len(self.repeats) >= self.repeats_kept:
                self.spread()
            repeats = self.repeats[same] = Repeats(added)
        repeats.times += 1
        if repeats.folded.get(mark, -1) < offset:
            repeats.folded[mark] = offset

    def spread(self) -> None:
        """Add the additions counted so far to their counters, and start counting afresh."""
        for repeats in self.repeats.values():
            added = repeats.addition
            for key, labels in added.counters():
                counter = self.counters.setdefault(key, {**labels, "folded": {}})
                for mark, offset in repeats.folded.items():
                    counter["folded"][mark] = max(counter["folded"].get(mark, -1), offset)
                for name, amount in added.amounts.items():
                    # The live fold's $inc on "levels.s5l4" makes the same nested document.
                    *parents, leaf = name.split(".")
                    target = counter
                    for parent in parents:
                        target = target.setdefault(parent, {})
                    target[leaf] = target.get(leaf, 0) + amount * repeats.times
                self.members[f"{labels['dimension']}|{labels['period']}"].add(labels["value"])
        self.repeats.clear()

    def merge(self, other: Tally) -> None:
        """Add another tally's counters and member lists to this one's (both spread)."""
        for key, counter in other.counters.items():
            if key in self.counters:
                add_up(self.counters[key], counter)
            else:
                self.counters[key] = counter
        for key, values in other.members.items():
            self.members[key] |= values

    def write(self, repo: Repository) -> None:
        self.spread()
        counters = [{"_id": key, **fields} for key, fields in self.counters.items()]
        members = [{"_id": key, "values": sorted(values)} for key, values in self.members.items()]
        for collection, documents in ((repo.counters, counters), (repo.members, members)):
            for start in range(0, len(documents), WRITE_BATCH):
                collection.insert_many(documents[start:start + WRITE_BATCH], ordered=False)


def add_up(counter: dict[str, Any], other: dict[str, Any]) -> None:
    """Add another tally's counter of the same key: amounts summed, offset marks the later of the two."""
    for name, value in other.items():
        if name == "folded":
            for mark, offset in value.items():
                counter[name][mark] = max(counter[name].get(mark, -1), offset)
        elif isinstance(value, dict):
            add_up(counter.setdefault(name, {}), value)
        elif isinstance(value, int):
            counter[name] = counter.get(name, 0) + value


class Recent:
    """Event ids seen lately on one partition: the relay may publish an event twice, close together."""

    def __init__(self, size: int = RECENT_IDS) -> None:
        self.ids: OrderedDict[str, None] = OrderedDict()
        self.size = size

    def first_time(self, event_id: str) -> bool:
        if event_id in self.ids:
            return False
        self.ids[event_id] = None
        if len(self.ids) > self.size:
            self.ids.popitem(last=False)
        return True


def read(kafka: KafkaSettings, partitions: list[tuple[str, int, int]]) -> tuple[Tally, int, int]:
    """Fold partitions, each `(topic, partition, end offset)`, from their first offset to that end; returns
    the tally, spread, and how many events were folded and how many were undecodable."""
    consumer = KafkaConsumer(**kafka.client_options(), group_id=None, enable_auto_commit=False,
                             client_id="motcua-feedback-rebuild")
    tally, events, skipped = Tally(), 0, 0
    try:
        end = {TopicPartition(topic, partition): last for topic, partition, last in partitions}
        consumer.assign(list(end))
        consumer.seek_to_beginning(*end)
        recent = {tp: Recent() for tp in end}
        while any(consumer.position(tp) < end[tp] for tp in end):
            for tp, records in consumer.poll(timeout_ms=1000, max_records=5000).items():
                for record in records:
                    if record.offset >= end[tp]:
                        continue
                    try:
                        event = Event.from_record(record.headers, record.value,
                                                  Position(record.topic, record.partition, record.offset))
                    except UndecodableEvent:
                        skipped += 1  # the live consumer dead-lettered it: it counts nowhere
                        continue
                    if recent[tp].first_time(event.id):
                        tally.fold(event)
                        events += 1
    finally:
        consumer.close()
    tally.spread()
    return tally, events, skipped


def rebuild(settings: Settings, scorecard: str, *, replace: bool = False, workers: int = 1) -> Rebuilt:
    """Fold every event of the consumed topics in memory, then write the named scorecard, emptied first.

    With several workers, each process reads a share of the partitions (decoding records is what takes the
    time) and the parent adds their tallies up.
    """
    common = settings.common
    if scorecard == SCORECARD and not replace:
        raise SettingsError("rebuilding into the live scorecard needs --replace")
    started = time.monotonic()
    consumer = KafkaConsumer(**common.kafka.client_options(), group_id=None, enable_auto_commit=False,
                             client_id="motcua-feedback-rebuild")
    try:
        topics = [qualified(t.name, common.topic_prefix) for t in CONSUMES["feedback"]]
        found = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        end = consumer.end_offsets(found)
    finally:
        consumer.close()
    partitions = sorted(((tp.topic, tp.partition, end[tp]) for tp in found), key=lambda p: -p[2])
    shares = [share for share in (partitions[n::workers] for n in range(workers)) if share]
    if len(shares) > 1:
        with multiprocessing.get_context("spawn").Pool(len(shares)) as pool:
            parts = pool.starmap(read, [(common.kafka, share) for share in shares])
    else:
        parts = [read(common.kafka, partitions)]
    tally, events, skipped = Tally(), 0, 0
    for part, folded, undecodable in parts:
        tally.merge(part)
        events += folded
        skipped += undecodable
    mongo = store.connect(common.mongo_url, "motcua-feedback-rebuild")
    try:
        repo = Repository(store.database(mongo, "feedback", common.database_prefix), scorecard)
        repo.counters.drop()
        repo.members.drop()
        tally.write(repo)
    finally:
        mongo.close()
    return Rebuilt(events, skipped, round(time.monotonic() - started, 2))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m feedback.rebuild", description=__doc__.split("\n")[0])
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--into", default="counters_rebuilt", help="the scorecard collection to fill")
    target.add_argument("--replace", action="store_true", help="empty and refill the live scorecard")
    parser.add_argument("--workers", type=int, default=min(len(os.sched_getaffinity(0)), MAX_WORKERS),
                        help="processes reading the partitions (default: the CPUs this process may use, at most 4)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        settings = Settings.from_env()
        logs.configure("feedback", settings.common.log_level)
        done = rebuild(settings, SCORECARD if args.replace else args.into, replace=args.replace,
                       workers=args.workers)
    except SettingsError as error:
        print(f"feedback rebuild: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"folded {done.events} events ({done.skipped} undecodable skipped) in {done.seconds} s")


if __name__ == "__main__":
    main()
