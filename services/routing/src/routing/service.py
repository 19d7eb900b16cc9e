"""The rules of routing: open a dossier's workflow, move its task along the steps, decide and return it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from motcua import outbox
from motcua.auth import Principal
from motcua.events import Event
from motcua.events import timestamp as ts
from motcua.topics import DOSSIER_STATUS_CHANGED, TASK_ASSIGNED
from motcua.v1 import common_pb2, events_pb2

from routing import assignment, deadlines, errors, metrics, statistics, workflows
from routing.queues import Entry, Match, Queues, part_for
from routing.repository import Repository
from routing.scheduler import Alarms

IN_PROGRESS = common_pb2.DOSSIER_STATUS_IN_PROGRESS
SUPPLEMENT = common_pb2.DOSSIER_STATUS_SUPPLEMENT_REQUESTED
STOPPED = common_pb2.DOSSIER_STATUS_STOPPED
DECIDED = common_pb2.DOSSIER_STATUS_DECIDED
RETURNED = common_pb2.DOSSIER_STATUS_RETURNED
RECEIVED = common_pb2.DOSSIER_STATUS_RECEIVED
Kick = Callable[[str, Any], None]


class ResultSigner(Protocol):
    """The signing service as routing sees it: render and sign a result (official, then seal), return id and hash."""

    def sign_result(self, dossier: dict[str, Any], decided_at: datetime) -> tuple[str, str]: ...


def status_event(code: str, before: int, after: int, department: str, at: datetime, note: str = "") -> Event:
    return Event.new(DOSSIER_STATUS_CHANGED, events_pb2.DossierStatusChanged(
        dossier_code=code, status=after, previous_status=before, department=department, changed_at=ts(at), note=note),
        subject=code, source="routing")


class RoutingService:
    def __init__(self, *, repo: Repository, queues: Queues, kick: Kick, alarms: Alarms,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.queues = queues
        self.kick = kick
        self.alarms = alarms
        self.clock = clock

    # roster and workflows
    def load_officers(self, officers: list[dict[str, Any]]) -> None:
        for officer in officers:
            self.repo.save_officer(officer)

    def set_leave(self, principal: Principal, sub: str, leave: Any) -> dict[str, Any]:
        """Replace an official's leave periods."""
        principal.require("admin")
        periods = assignment.parse_leave(leave)
        officer = self.repo.set_leave(sub, periods)
        if officer is None:
            raise errors.officer_not_found(sub)
        return officer

    def seed_workflows(self, shipped: list[dict[str, Any]]) -> None:
        for body in shipped:
            self.repo.seed_workflow(workflows.validate(body["id"], body), self.clock())

    def save_workflow(self, principal: Principal, workflow_id: str, body: Any) -> dict[str, Any]:
        principal.require("admin")
        return self.repo.save_workflow(workflows.validate(workflow_id, body), principal.sub, self.clock())

    def workflow(self, principal: Principal, workflow_id: str) -> dict[str, Any]:
        principal.require("admin")
        found = self.repo.get_workflow(workflow_id)
        if found is None:
            raise errors.workflow_not_found(workflow_id)
        return found

    def list_workflows(self, principal: Principal) -> list[dict[str, Any]]:
        principal.require("admin")
        return self.repo.list_workflows()

    # events
    def open_dossier(self, event: Event) -> None:
        """A received dossier enters processing at the first step of its procedure version's workflow."""
        received: events_pb2.DossierReceived = event.payload  # type: ignore[assignment]
        code = received.dossier_code
        stored = self.repo.get_dossier(code)
        if stored is not None:
            # A redelivery: the process that opened the dossier may have stopped before its queue write.
            if stored["status"] == IN_PROGRESS:
                self.queues.put(stored)
            return
        workflow = self._workflow_for(received)
        now = self.clock()
        received_at, appointment = received.received_at.ToDatetime(UTC), received.appointment_at.ToDatetime(UTC)
        dossier = {
            "_id": code, "procedure_code": received.procedure_code, "procedure_version": received.procedure_version,
            "procedure_name": received.procedure_name, "applicant_name": received.applicant.full_name,
            "agency_id": received.agency_id, "department": received.department, "channel": received.channel,
            "status": IN_PROGRESS, "received_at": received_at, "received_by": received.received_by,
            "appointment_at": appointment, "original_appointment_at": appointment,
            "legal_seconds": deadlines.legal_time(received_at, appointment).total_seconds(),
            "workflow": {"id": workflow["_id"], "version": workflow.get("version", 1), "steps": workflow["steps"]},
            "supplement_requests": 0, "paused_seconds": 0.0, "comments": [], "history": [], "fired": [],
        }
        task, assigned = self._new_task(dossier, 0, now, str(uuid.uuid5(uuid.NAMESPACE_URL, event.id)))
        dossier["task"] = task
        dossier["history"] = [self.row(dossier, None, task, now, received.received_by or "một cửa", "receive", "")]
        self.alarms.schedule(dossier, now)
        if self.repo.insert_dossier(outbox.with_outbox(dossier, assigned, status_event(
                code, RECEIVED, IN_PROGRESS, task["department"], now))):
            self.repo.change_load(task["assignee"], task["weight"])
            metrics.tasks_assigned.labels(task["department"]).inc()
            metrics.dossiers_opened.labels(received.agency_id, received.department, received.procedure_code).inc()
            self.queues.put(dossier)
            self.kick("dossiers", code)

    def resume(self, event: Event) -> None:
        """The supplement arrived (intake's SupplementProvided): the clock restarts with the time that was left."""
        provided: events_pb2.SupplementProvided = event.payload  # type: ignore[assignment]
        dossier = self.repo.get_dossier(provided.dossier_code)
        if not provided.after_reception or dossier is None or dossier["status"] != SUPPLEMENT:
            return
        now = max(provided.provided_at.ToDatetime(UTC), dossier["paused_at"])
        paused = dossier["paused_at"]
        task = {**dossier["task"], "due_at": deadlines.resumed(dossier["task"]["due_at"], paused, now), "updated_at": now}
        appointment = deadlines.resumed(dossier["appointment_at"], paused, now)
        moved = {**dossier, "task": task, "appointment_at": appointment}
        self.alarms.schedule(moved, now)
        changed = status_event(dossier["_id"], SUPPLEMENT, IN_PROGRESS, task["department"], now, "Đã nhận hồ sơ bổ sung")
        paused_seconds = deadlines.paused_working_time(paused, now).total_seconds()
        updated = self.repo.update_dossier(dossier["_id"], {"status": SUPPLEMENT, "paused_at": paused}, {
            "$set": {"status": IN_PROGRESS, "task": task, "appointment_at": appointment},
            "$unset": {"paused_at": ""}, "$inc": {"paused_seconds": paused_seconds}, "$push": outbox.append(changed)})
        if updated is not None:
            self.queues.put(updated)
            self.kick("dossiers", dossier["_id"])

    def _workflow_for(self, received: events_pb2.DossierReceived) -> dict[str, Any]:
        found = self.repo.first_workflow(
            workflows.resolve_ids(received.procedure_code, received.procedure_version, received.workflow))
        if found is None:
            raise errors.workflow_not_found(received.workflow or workflows.DEFAULT_ID)
        return found

    # gauges
    def count_open_dossiers(self) -> dict[str, metrics.OpenCount]:
        """Dossiers in progress and past their appointment per agency; the roster's agencies with none count 0."""
        counts = dict.fromkeys(self.repo.list_agencies(), metrics.OpenCount(0, 0))
        for agency, (in_progress, overdue) in self.repo.count_by_agency(IN_PROGRESS, self.clock()).items():
            counts[agency] = metrics.OpenCount(in_progress, overdue)
        return counts

    def report_open_dossiers(self) -> None:
        """Refresh the in-progress and overdue gauges from the stored dossiers."""
        metrics.open_dossiers.update(self.count_open_dossiers())

    # the workbench's reads
    def queue(self, principal: Principal, *, match: Match, unclaimed: bool,
              after: tuple[datetime, str] | None, limit: int) -> list[Entry]:
        """The caller's open tasks (and with unclaimed those of their group waiting for a claim), by due time."""
        principal.require("officer", "leader")
        owners = [principal.sub]
        if unclaimed:
            owners += [f"pool:{principal.agency}|{principal.department}|{role}" for role in sorted(principal.roles)]
        return self.queues.page(owners, match, after, limit)

    def dossier(self, principal: Principal, code: str) -> dict[str, Any]:
        """A dossier for the officials of its current step or of its receiving department."""
        principal.require("officer", "leader", "clerk")
        dossier = self.get(code)
        task = dossier.get("task") or {}
        here = {(task.get("agency"), task.get("department")), (dossier["agency_id"], dossier["department"])}
        if (principal.agency, principal.department) not in here and not (
                "clerk" in principal.roles and principal.agency == dossier["agency_id"]):
            raise errors.not_yours(code)
        return dossier

    def statistics(self, principal: Principal, agency: str, received: dict[str, Any]) -> list[tuple[str, str, Any]]:
        """The read model of an agency for its leaders (or an admin): per department, procedure and official."""
        principal.require("leader", "admin")
        agency = agency or principal.agency
        if "admin" not in principal.roles and agency != principal.agency:
            raise errors.not_yours(agency)
        query: dict[str, Any] = {"agency_id": agency}
        if received:
            query["received_at"] = received
        return statistics.rows(statistics.fold(self.repo.list_dossiers(query, statistics.FIELDS)))

    # the workbench's actions
    def claim(self, principal: Principal, code: str, task_id: str) -> dict[str, Any]:
        """Take a task that waits for a claim; of two officials racing, exactly one gets it."""
        dossier = self.current_task(principal, code, task_id, action="")
        task = dossier["task"]
        if task["assignee"] == principal.sub:
            return dossier  # claimed already by the caller: a repeated call changes nothing
        if task["assignee"]:
            raise errors.already_claimed(code)
        if principal.sub not in {o["_id"] for o in assignment.available(self.repo, task, self.clock())}:
            raise errors.not_yours(code)
        now = self.clock()
        updated = self.repo.update_task(code, task["task_id"], {"$set": {
            "task.assignee": principal.sub, "task.updated_at": now}}, condition={"task.assignee": ""})
        if updated is None:
            raise errors.already_claimed(code)
        self.repo.change_load(principal.sub, task["weight"])
        self.queues.drop(task)
        self.queues.put(updated)
        return updated

    def forward(self, principal: Principal, code: str, task_id: str, comment: str) -> dict[str, Any]:
        dossier = self.current_task(principal, code, task_id, action="forward")
        return self._move(principal, dossier, dossier["task"]["index"] + 1, "forward", comment)

    def return_to_previous(self, principal: Principal, code: str, task_id: str, comment: str) -> dict[str, Any]:
        if not comment.strip():
            raise errors.comment_required("return")
        dossier = self.current_task(principal, code, task_id, action="return")
        return self._move(principal, dossier, dossier["task"]["index"] - 1, "return", comment)

    def reassign(self, principal: Principal, code: str, task_id: str, assignee: str, comment: str) -> dict[str, Any]:
        """A leader of the task's agency hands the task to another available official of the step's group."""
        principal.require("leader")
        dossier = self.get(code)
        task = dossier.get("task") or {}
        if principal.agency != task.get("agency"):
            raise errors.not_yours(code)
        self._check_current(dossier, task_id)
        now = self.clock()
        assignment.check_candidate(self.repo, task, assignee, now)
        return self._reassign(principal, dossier, assignee, comment, now)

    def request_supplement(self, principal: Principal, code: str, task_id: str, items: list[dict[str, str]],
                           note: str) -> dict[str, Any]:
        """Ask the citizen for more documents: status 5, and the clock stops until the supplement arrives."""
        dossier = self.current_task(principal, code, task_id, action="supplement")
        now = self.clock()
        text = note or "; ".join(f"{i['name']}: {i['reason']}" for i in items)
        changed = status_event(code, IN_PROGRESS, SUPPLEMENT, dossier["task"]["department"], now, text)
        request = {"items": items, "note": note, "requested_by": principal.sub, "requested_at": now}
        updated = self.apply(dossier, {
            "$set": {"status": SUPPLEMENT, "paused_at": now, "task.updated_at": now},
            "$inc": {"supplement_requests": 1}, "$push": {**outbox.append(changed), "supplements": request}})
        self.queues.drop(dossier["task"])
        return updated

    def reject(self, principal: Principal, code: str, task_id: str, comment: str) -> dict[str, Any]:
        """Stop processing with a reason (status 8), where the workflow's step allows refusal."""
        if not comment.strip():
            raise errors.comment_required("reject")
        dossier = self.current_task(principal, code, task_id, action="reject")
        now = self.clock()
        task = dossier["task"]
        changed = status_event(code, IN_PROGRESS, STOPPED, task["department"], now, comment)
        row = self.row(dossier, task, None, now, principal.sub, "reject", comment)
        updated = self.apply(dossier, {"$set": {"status": STOPPED, "stopped_at": now, "stop_reason": comment},
                                         "$push": {**outbox.append(changed), "history": row}})
        self.repo.change_load(task["assignee"], -task["weight"])
        self.queues.drop(task)
        return updated

    def add_comment(self, principal: Principal, code: str, task_id: str, text: str) -> dict[str, Any]:
        if not text.strip():
            raise errors.comment_required("a comment")
        principal.require("officer", "leader")
        dossier = self.dossier(principal, code)
        self._check_current(dossier, task_id)
        comment = {"author": principal.sub, "text": text, "at": self.clock(), "step": dossier["task"]["step"]}
        return self.apply(dossier, {"$push": {"comments": comment}})

    # helpers
    def get(self, code: str) -> dict[str, Any]:
        dossier = self.repo.get_dossier(code)
        if dossier is None:
            raise errors.dossier_not_found(code)
        return dossier

    @staticmethod
    def _check_current(dossier: dict[str, Any], task_id: str) -> None:
        if dossier["status"] != IN_PROGRESS:
            raise errors.stale(dossier["_id"], dossier["status"])
        if task_id and task_id != dossier["task"]["task_id"]:
            raise errors.task_moved(dossier["_id"], task_id, dossier["task"]["step"])

    def current_task(self, principal: Principal, code: str, task_id: str, *, action: str) -> dict[str, Any]:
        """The dossier whose current task the caller may act on with this action, or a clear refusal."""
        principal.require("officer", "leader")
        dossier = self.get(code)
        task = dossier.get("task") or {}
        if (principal.agency, principal.department) != (task.get("agency"), task.get("department")):
            raise errors.not_yours(code)
        self._check_current(dossier, task_id)
        if action and task["assignee"] != principal.sub:
            raise errors.not_yours(code)
        if action and action not in task["actions"]:
            raise errors.action_not_allowed(action, task["step"])
        return dossier

    def apply(self, dossier: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
        """Apply an update while the task the caller saw is current; kick the relay."""
        task = dossier["task"]
        updated = self.repo.update_task(dossier["_id"], task["task_id"], update, condition={"status": IN_PROGRESS})
        if updated is None:
            current = self.get(dossier["_id"])
            self._check_current(current, task["task_id"])
            raise errors.task_moved(dossier["_id"], task["task_id"], current["task"]["step"])
        self.kick("dossiers", dossier["_id"])
        return updated

    def _new_task(self, dossier: dict[str, Any], index: int, now: datetime, task_id: str) -> tuple[dict[str, Any], Event]:
        step = workflows.step_at(dossier, index)
        assignee = assignment.choose(self.repo, step, now)
        due = deadlines.step_due(now, timedelta(seconds=dossier["legal_seconds"]), step["share"])
        task = {"task_id": task_id, "index": index, "step": step["id"], "step_name": step["name"], "role": step["role"],
                "agency": step["agency"], "department": step["department"], "pool": assignment.pool_of(step),
                "assignee": assignee, "assignment": step["assignment"], "weight": step["weight"],
                "actions": step["actions"], "assigned_at": now, "due_at": due, "updated_at": now,
                "queue_part": part_for(task_id)}
        assigned = Event.new(TASK_ASSIGNED, events_pb2.TaskAssigned(
            dossier_code=dossier["_id"], task_id=task_id, step=step["id"], department=step["department"],
            assignee=assignee, assigned_at=ts(now), due_at=ts(due)), subject=dossier["_id"], source="routing")
        return task, assigned

    @staticmethod
    def row(dossier: dict[str, Any], before: dict[str, Any] | None, after: dict[str, Any] | None, at: datetime,
             giver: str, action: str, note: str) -> dict[str, Any]:
        """One hand-over of the control sheet; the giving step is judged against its own due time."""
        return {"step": (after or before or {}).get("step_name", ""), "giver": giver,
                "receiver": (after["assignee"] or after["pool"]) if after else "", "at": at,
                "due_at": before["due_at"] if before else None, "action": action, "note": note,
                "result": deadlines.timeliness(at, before["due_at"]) if before else 0,
                "step_of_giver": before["step"] if before else "", "assignee_of_giver": before["assignee"] if before else "",
                "since": before["assigned_at"] if before else None}

    def _move(self, principal: Principal, dossier: dict[str, Any], index: int, action: str,
              comment: str) -> dict[str, Any]:
        now = self.clock()
        before = dossier["task"]
        task, assigned = self._new_task(dossier, index, now, str(uuid.uuid4()))
        row = self.row(dossier, before, task, now, principal.sub, action, comment)
        events = [assigned]
        if task["department"] != before["department"]:
            events.append(status_event(dossier["_id"], IN_PROGRESS, IN_PROGRESS, task["department"], now, task["step_name"]))
        self.alarms.schedule({**dossier, "task": task}, now)
        updated = self.apply(dossier, {"$set": {"task": task}, "$push": {**outbox.append(*events), "history": row}})
        self.repo.change_load(before["assignee"], -before["weight"])
        self.repo.change_load(task["assignee"], task["weight"])
        self.queues.drop(before)
        self.queues.put(updated)
        metrics.tasks_assigned.labels(task["department"]).inc()
        return updated

    def _reassign(self, principal: Principal, dossier: dict[str, Any], assignee: str, comment: str,
                  now: datetime) -> dict[str, Any]:
        before = dossier["task"]
        task = {**before, "assignee": assignee, "updated_at": now}
        assigned = Event.new(TASK_ASSIGNED, events_pb2.TaskAssigned(
            dossier_code=dossier["_id"], task_id=task["task_id"], step=task["step"], department=task["department"],
            assignee=assignee, assigned_at=ts(now), due_at=ts(task["due_at"])), subject=dossier["_id"], source="routing")
        row = self.row(dossier, None, task, now, principal.sub, "reassign", comment)
        updated = self.apply(dossier, {"$set": {"task.assignee": assignee, "task.updated_at": now},
                                         "$push": {**outbox.append(assigned), "history": row}})
        self.repo.change_load(before["assignee"], -before["weight"])
        self.repo.change_load(assignee, task["weight"])
        self.queues.drop(before)
        self.queues.put(updated)
        return updated

