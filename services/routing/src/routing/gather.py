"""Writes to a busy document, gathered: what several threads add to one key while a write of that key is
under way goes into the next write, together.

Routing's consumer lanes open many dossiers at once, and their alarms fall into the same minute buckets and
their tasks into the same queue documents. One update per dossier would rewrite such a document once per
dossier, one after the other (FerretDB 1.x serialises the updates of a collection and rewrites the whole
document). Gathered, the threads waiting for a key are written by one update: the first thread writes for
itself; those arriving meanwhile queue, and when the write ends the first of them writes for all of them.
Every caller returns only once its own items are stored, or raises what their write raised, so a handler
marks its event handled only after its effect is in the database, as without gathering.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class _Waiter:
    items: list[Any]
    woken: threading.Event = field(default_factory=threading.Event)
    batch: list[_Waiter] | None = None  # set when this waiter is handed the next write, with who is in it
    error: BaseException | None = None


class Gather:
    """Calls write(key, items) with the items of every add() of that key waiting at the time."""

    def __init__(self, write: Callable[[Hashable, list[Any]], None]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._waiting: dict[Hashable, list[_Waiter]] = {}  # a key is present while a write of it is under way

    def add(self, key: Hashable, items: list[Any]) -> None:
        """Store items under key, with what other threads add meanwhile; returns once they are stored."""
        me = _Waiter(list(items))
        with self._lock:
            waiting = self._waiting.get(key)
            if waiting is None:
                self._waiting[key] = []
                me.batch = [me]
            else:
                waiting.append(me)
        if me.batch is None:
            me.woken.wait()
        if me.batch is not None:
            self._write_for(key, me, me.batch)
        if me.error is not None:
            raise me.error

    def _write_for(self, key: Hashable, me: _Waiter, batch: list[_Waiter]) -> None:
        error: BaseException | None = None
        try:
            self._write(key, [item for waiter in batch for item in waiter.items])
        except Exception as failure:  # noqa: BLE001 - every thread in the batch raises it, not only this one
            error = failure
        with self._lock:
            waiting = self._waiting[key]
            if waiting:
                successor = waiting[0]
                successor.batch = list(waiting)
                self._waiting[key] = []
            else:
                successor = None
                del self._waiting[key]
        for waiter in batch:
            waiter.error = error
            if waiter is not me:
                waiter.woken.set()
        if successor is not None:
            successor.woken.set()
