"""Notification's REST admin API: one blueprint per resource, each behind the admin role."""

from __future__ import annotations

from typing import Any

from flask import request
from motcua.errors import MalformedRequest


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a problem saying it is not one."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise MalformedRequest(detail="the body must be a JSON object", detail_vi="Nội dung phải là một đối tượng JSON")
    return body
