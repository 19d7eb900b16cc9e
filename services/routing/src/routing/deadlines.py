"""Working-time arithmetic of a dossier's deadlines (thời hạn giải quyết), on the national calendar.

The legal time of a dossier is the working time from its reception to its appointment. Each step gets its
share of it from the moment it is assigned. A supplement request stops the clock: what was left of the
step's and of the dossier's time when it stopped is counted again from the moment the supplement arrives.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from motcua import calendar
from motcua.v1 import events_pb2

EARLY = events_pb2.TIMELINESS_EARLY
ON_TIME = events_pb2.TIMELINESS_ON_TIME
LATE = events_pb2.TIMELINESS_LATE


def legal_time(received_at: datetime, appointment_at: datetime) -> timedelta:
    """The working time a dossier has, from its reception to its appointment."""
    return calendar.working_time_between(received_at, appointment_at)


def step_due(assigned_at: datetime, legal: timedelta, share: int) -> datetime:
    """When a step assigned at assigned_at is due: its share (in %) of the legal time, in working time."""
    return calendar.add_working_time(assigned_at, legal * share / 100)


def resumed(due_at: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """A due time moved by a pause: the working time left at the pause, counted from the resumption."""
    left = calendar.working_time_between(paused_at, due_at)
    if left <= timedelta():
        return due_at
    return calendar.add_working_time(resumed_at, left)


def paused_working_time(paused_at: datetime, resumed_at: datetime) -> timedelta:
    """The working time a pause took, which the dossier's processing time leaves out."""
    return max(calendar.working_time_between(paused_at, resumed_at), timedelta())


def timeliness(done_at: datetime, due_at: datetime, supplement_requests: int = 0) -> int:
    """Early (before the due day), on time, or late; more than one supplement request counts as late."""
    if supplement_requests > 1 or done_at > due_at:
        return LATE
    if done_at.astimezone(calendar.TZ).date() < due_at.astimezone(calendar.TZ).date():
        return EARLY
    return ON_TIME
