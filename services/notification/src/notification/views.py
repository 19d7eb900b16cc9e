"""How a message record is shown (REST and gRPC): the recipient only masked."""

from __future__ import annotations

from typing import Any

from motcua.events import timestamp
from motcua.v1 import notification_pb2


def message_json(m: dict[str, Any]) -> dict[str, Any]:
    return {"message_id": m["_id"], "dossier_code": m["dossier_code"], "channel": m["channel"],
            "template": m["template"], "recipient": m["recipient_masked"], "state": m["state"],
            "attempts": m.get("attempts", 0), "created_at": m["created_at"].isoformat(),
            "sent_at": m["sent_at"].isoformat() if m.get("sent_at") else None, "error": m.get("error", ""),
            "deferred_until": m["deferred_until"].isoformat() if m.get("deferred_until") else None,
            "delivered_at": m["delivered_at"].isoformat() if m.get("delivered_at") else None,
            "provider": m.get("provider", ""), "provider_message_id": m.get("provider_message_id", ""),
            "route": [step["channel"] for step in m.get("route", [])], "urgent": m.get("urgent", False),
            "template_version": current_version(m),
            "history": [{**entry, "at": entry["at"].isoformat()} for entry in m.get("history", [])]}


def current_version(m: dict[str, Any]) -> int:
    """The template version of the message's current channel."""
    return m["route"][m["route_index"]].get("template_version", 0) if m.get("route") else 0


def message_proto(m: dict[str, Any]) -> notification_pb2.Message:
    out = notification_pb2.Message(message_id=m["_id"], dossier_code=m["dossier_code"], channel=m["channel"],
                                   template=m["template"], recipient_masked=m["recipient_masked"], state=m["state"],
                                   attempts=m.get("attempts", 0), created_at=timestamp(m["created_at"]),
                                   error=m.get("error", ""), provider=m.get("provider", ""),
                                   provider_message_id=m.get("provider_message_id", ""),
                                   route=[step["channel"] for step in m.get("route", [])],
                                   template_version=current_version(m))
    if m.get("sent_at"):
        out.sent_at.CopyFrom(timestamp(m["sent_at"]))
    if m.get("delivered_at"):
        out.delivered_at.CopyFrom(timestamp(m["delivered_at"]))
    return out


def template_json(t: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in t.items() if k not in ("_id", "created_at")}, "created_at": t["created_at"].isoformat()}


def rule_json(r: dict[str, Any]) -> dict[str, Any]:
    return {"event_type": r["_id"], "kind": r["kind"], "channels": r.get("channels", []),
            "urgent": r.get("urgent", False), "enabled": r.get("enabled", True)}
