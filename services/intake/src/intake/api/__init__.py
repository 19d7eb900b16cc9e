"""Intake's REST resources, one blueprint module each."""

from __future__ import annotations

from flask import request
from motcua.auth import Principal, TokenVerifier


def caller(tokens: TokenVerifier) -> Principal:
    """The authenticated caller of this request (401 without a valid bearer token)."""
    return tokens.from_header(request.headers.get("Authorization"))


def whole_number(text: str) -> bool:
    """At most nine ASCII digits: str.isdigit() alone accepts '²', and int() refuses very long numbers."""
    return text.isascii() and text.isdigit() and len(text) <= 9
