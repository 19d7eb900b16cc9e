"""The admin's side of rules and templates: list them, add a template version, preview, change a rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from jinja2 import TemplateError
from motcua.errors import FieldError, InvalidInput, NotFound, invalid
from motcua.topics import DOSSIER, EVENT_TYPES

from notification.catalog import parse_template, sample, template_record
from notification.settings import CHANNELS, KINDS
from notification.sms_text import count
from notification.templates import Renderer

# How many times a new version is numbered again when another admin took the number first.
VERSION_TRIES = 5


class Admin:
    def __init__(self, *, repo: Any, renderer: Renderer,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.renderer = renderer
        self.clock = clock

    def templates(self, kind: str | None = None) -> list[dict[str, Any]]:
        return self.repo.list_templates(kind)

    def template(self, kind: str, channel: str, version: int | None = None) -> dict[str, Any]:
        found = self.repo.get_template(kind, channel, version)
        if found is None:
            raise NotFound(detail=f"no template {kind}/{channel}" + (f" version {version}" if version else ""),
                           detail_vi="Không tìm thấy mẫu thông báo")
        return found

    def create_version(self, kind: str, channel: str, body: dict[str, Any], author: str) -> dict[str, Any]:
        """Store the body as the next version of the kind's template on the channel; earlier ones stay as they are."""
        fields = parse_template(kind, channel, body, self.renderer)
        for _ in range(VERSION_TRIES):
            latest = self.repo.get_template(kind, channel)
            record = template_record(kind, channel, (latest["version"] if latest else 0) + 1, fields, author,
                                     self.clock())
            if self.repo.create_template(record):
                return record
        raise InvalidInput(detail="other versions are being added at the same time; try again",
                           detail_vi="Đang có phiên bản khác được thêm cùng lúc, vui lòng thử lại")

    def preview(self, kind: str, channel: str, body: dict[str, Any]) -> dict[str, Any]:
        """A stored version (the latest by default) or a draft, rendered with the given or the sample values."""
        data = body.get("data", {})
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise invalid("/data", "data là đối tượng giá trị chuỗi", "data must be an object of string values")
        if "template" in body:
            draft = body["template"] if isinstance(body["template"], dict) else {}
            template = {"_id": "", "kind": kind, "channel": channel, "version": 0,
                        **parse_template(kind, channel, draft, self.renderer)}
        else:
            version = body.get("version")
            if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
                raise invalid("/version", "version là số nguyên dương", "version must be a positive integer")
            template = self.template(kind, channel, version)
        try:
            content = self.renderer.render(template, {**sample(kind), **data})
        except TemplateError as error:
            raise invalid("/data", f"Không dựng được mẫu: {error}", f"the template does not render: {error}") from error
        shown: dict[str, Any] = {"kind": kind, "channel": channel, "version": template["version"]}
        if channel == "sms":
            return {**shown, "text": content.text, **asdict(count(content.text))}
        if channel == "zns":
            return {**shown, "template_id": content.template_id, "params": content.params}
        return {**shown, "subject": content.subject, "text": content.text}

    def rules(self) -> list[dict[str, Any]]:
        return self.repo.list_rules()

    def save_rule(self, event_type: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create or replace the rule of a dossier event type."""
        known = EVENT_TYPES.get(event_type)
        if known is None or known.topic != DOSSIER:
            raise NotFound(detail=f"{event_type} is not a dossier event type", detail_vi="Không có loại sự kiện này")
        problems = []
        if body.get("kind") not in KINDS:
            problems.append(FieldError("/kind", f"kind là một trong: {', '.join(KINDS)}", f"kind must be one of: {', '.join(KINDS)}"))
        channels = body.get("channels", [])
        if not isinstance(channels, list) or any(c not in CHANNELS for c in channels) or len(set(channels)) != len(channels):
            problems.append(FieldError("/channels", f"channels là danh sách kênh khác nhau trong: {', '.join(CHANNELS)}",
                                       f"channels must list distinct channels of: {', '.join(CHANNELS)}"))
        for flag in ("urgent", "enabled"):
            if not isinstance(body.get(flag, flag == "enabled"), bool):
                problems.append(FieldError(f"/{flag}", f"{flag} là true hoặc false", f"{flag} must be true or false"))
        if problems:
            raise InvalidInput(detail="the rule is not valid", detail_vi="Quy tắc thông báo không hợp lệ", errors=problems)
        rule = {"_id": event_type, "kind": body["kind"], "channels": channels, "urgent": body.get("urgent", False),
                "enabled": body.get("enabled", True)}
        self.repo.save_rule(rule)
        return rule
