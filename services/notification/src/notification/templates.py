"""Rendering a template record (docs/notification.md, "Templates") into what a channel sends.

A template is one version of the words for one kind of message on one channel, stored in MongoDB:
Jinja2 text, Vietnamese first (`body`, e-mail's `subject`), English optional (`body_en`, `subject_en`,
added after the Vietnamese in an e-mail), `ascii` for an SMS sent without diacritics, and for ZNS the
Zalo template id with a Jinja2 expression per parameter. Versions never change once stored, so a compiled
template is cached by its id.

Values arrive as strings; those named `..._at` are ISO 8601 times, shown in Vietnam time by the filters
`vn_datetime` (09:00 ngày 05/03/2026) and `vn_short` (09:00 05/03/2026, plain ASCII for SMS and ZNS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import Environment, StrictUndefined, Template
from motcua.calendar import TZ

from notification.sms_text import without_diacritics

# Between the Vietnamese and the English text of an e-mail.
ENGLISH_SEPARATOR = "\n\n---\n\n"


@dataclass(frozen=True)
class Content:
    """What one channel sends: an e-mail's subject and text, an SMS text, or a ZNS template id and parameters."""

    text: str = ""
    subject: str = ""
    template_id: str = ""
    params: dict[str, str] = field(default_factory=dict)


def vn_datetime(value: str) -> str:
    # str() makes a missing value (StrictUndefined) raise instead of reaching fromisoformat.
    return datetime.fromisoformat(str(value)).astimezone(TZ).strftime("%H:%M ngày %d/%m/%Y")


def vn_short(value: str) -> str:
    return datetime.fromisoformat(str(value)).astimezone(TZ).strftime("%H:%M %d/%m/%Y")


class Renderer:
    def __init__(self) -> None:
        self.environment = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
        self.environment.filters.update(vn_datetime=vn_datetime, vn_short=vn_short)
        self._compiled: dict[tuple[str, str], Template] = {}

    def compile(self, source: str) -> Template:
        """A Jinja2 template; raises TemplateSyntaxError with the line of a mistake."""
        return self.environment.from_string(source)

    def render(self, template: dict[str, Any], values: dict[str, Any]) -> Content:
        """The content of a message on the template's channel; raises a Jinja2 error for a missing value."""
        channel = template["channel"]
        if channel == "zns":
            return Content(template_id=template["zns_template_id"],
                           params={name: self._text(template, f"params.{name}", expr, values).strip()
                                   for name, expr in template["zns_params"].items()})
        text = self._both(template, "body", values).strip()
        if channel == "sms":
            return Content(text=without_diacritics(text) if template.get("ascii") else text)
        subject = " / ".join(filter(None, (self._text(template, key, template.get(key, ""), values).strip()
                                            for key in ("subject", "subject_en"))))
        return Content(subject=subject, text=text + "\n")

    def _both(self, template: dict[str, Any], key: str, values: dict[str, Any]) -> str:
        vietnamese = self._text(template, key, template[key], values).strip()
        english = self._text(template, f"{key}_en", template.get(f"{key}_en", ""), values).strip()
        return f"{vietnamese}{ENGLISH_SEPARATOR}{english}" if english else vietnamese

    def _text(self, template: dict[str, Any], key: str, source: str, values: dict[str, Any]) -> str:
        if not source:
            return ""
        if not template.get("_id"):  # a draft being previewed: not stored, so not cached
            return self.compile(source).render(values)
        cache_key = (template["_id"], key)
        compiled = self._compiled.get(cache_key)
        if compiled is None:
            compiled = self._compiled[cache_key] = self.compile(source)
        return compiled.render(values)
