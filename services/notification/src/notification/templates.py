"""Message templates: Jinja2 files per channel and kind (templates/<channel>/<kind>.txt), Vietnamese first.

Values arrive as strings; those named `..._at` are ISO 8601 times, shown in Vietnam time by the filters
`vn_datetime` (09:00 ngày 05/03/2026) and `vn_short` (09:00 05/03/2026, plain ASCII for SMS and ZNS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from motcua.calendar import TZ


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


def vn_datetime(value: str) -> str:
    # str() makes a missing value (StrictUndefined) raise instead of reaching fromisoformat.
    return datetime.fromisoformat(str(value)).astimezone(TZ).strftime("%H:%M ngày %d/%m/%Y")


def vn_short(value: str) -> str:
    return datetime.fromisoformat(str(value)).astimezone(TZ).strftime("%H:%M %d/%m/%Y")


class Templates:
    def __init__(self) -> None:
        self.environment = Environment(loader=PackageLoader("notification", "templates"), undefined=StrictUndefined,
                                       autoescape=False, keep_trailing_newline=True)
        self.environment.filters.update(vn_datetime=vn_datetime, vn_short=vn_short)

    def email(self, kind: str, values: dict[str, Any]) -> Email:
        """The subject (first line) and the body of an e-mail."""
        subject, _, body = self.environment.get_template(f"email/{kind}.txt").render(values).partition("\n")
        return Email(subject.strip(), body.lstrip("\n"))

    def sms(self, kind: str, values: dict[str, Any]) -> str:
        """One SMS text, without diacritics (GSM-7, so that it fits in fewer segments)."""
        return self.environment.get_template(f"sms/{kind}.txt").render(values).strip()

    @staticmethod
    def zns_data(values: dict[str, str]) -> dict[str, str]:
        """The parameters of a ZNS template: the values, times in the short form."""
        return {name: vn_short(value) if name.endswith("_at") else value for name, value in values.items()}
