"""Local servers that speak the notification providers' HTTP APIs, for `make run` and tests.

`--api zns` answers Zalo ZNS's POST /message/template; `--api sms` answers the SMS brandname gateway's
POST /api/v1/sms (docs/notification.md has both). Every request is appended, with the answer given, as one
JSON line to <dir>/requests.jsonl. Failures on demand:
- a phone number ending in 0000 always fails permanently (ZNS error -118, SMS HTTP 400);
- POST /_sink/failures {"phone": "0912345678", "mode": "transient" | "permanent", "times": 2} makes the
  next `times` requests for that phone fail (ZNS error -100, SMS HTTP 503 when transient); without
  `times`, every request until DELETE /_sink/failures clears the rules; mode "undelivered" accepts the
  message and then reports it undelivered.
The SMS gateway deduplicates on client_ref, as the API promises; ZNS, like Zalo, does not.

With --callback-url and --callback-secret, each accepted message is followed by a delivery receipt, POSTed
and signed as docs/notification.md ("Delivery receipts") says, retried with backoff until answered 2xx;
each try is appended to <dir>/callbacks.jsonl.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
import signal
import socketserver
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib import error as urlerror
from urllib import request as urlrequest

PHONE = re.compile(r"^84\d{9}$")
PERMANENT_SUFFIX = "0000"
MODES = ("transient", "permanent", "undelivered")
RECEIPT_DELAY = 0.2  # seconds between accepting a message and reporting it delivered
RECEIPT_TRIES = 6


def subscriber(phone: str) -> str:
    """The nine digits after the country code or the leading 0: how rules name a number in any form."""
    return phone[-9:]


class Sink:
    """What the server remembers: failure rules, accepted SMS references, and the request log."""

    def __init__(self, api: str, directory: Path, secret: str, callback_url: str = "", callback_secret: str = "") -> None:
        self.api = api
        self.secret = secret
        self.callback_url = callback_url
        self.callback_secret = callback_secret
        self.callbacks = directory / "callbacks.jsonl"
        self.log = directory / "requests.jsonl"
        self.lock = threading.Lock()
        self.rules: dict[str, dict[str, Any]] = {}
        self.accepted: dict[str, str] = {}

    def failure(self, phone: str) -> str | None:
        """The failure due for this phone now, if any: transient or permanent."""
        if phone.endswith(PERMANENT_SUFFIX):
            return "permanent"
        with self.lock:
            rule = self.rules.get(subscriber(phone))
            if rule is None:
                return None
            if rule["times"] is not None:
                rule["times"] -= 1
                if rule["times"] <= 0:
                    del self.rules[subscriber(phone)]
            return rule["mode"]

    def set_rule(self, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict) or not isinstance(body.get("phone"), str) or \
                body.get("mode") not in MODES:
            return 422, {"error": "send {phone, mode: transient|permanent|undelivered, times?}"}
        times = body.get("times")
        if times is not None and (not isinstance(times, int) or times < 1):
            return 422, {"error": "times must be a positive integer"}
        with self.lock:
            self.rules[subscriber(body["phone"])] = {"mode": body["mode"], "times": times}
        return 200, {"ok": True}

    def clear_rules(self) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.rules.clear()
        return 200, {"ok": True}

    def record(self, path: str, body: Any, status: int, outcome: str, answer: Any) -> None:
        line = json.dumps({"at": time.time(), "path": path, "body": body, "status": status, "outcome": outcome,
                           "answer": answer}, ensure_ascii=False)
        with self.lock, self.log.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def report(self, message_id: str, reference: str, delivered: bool) -> None:
        """Send the signed delivery receipt of an accepted message, in the background, until it is taken."""
        if self.callback_url:
            threading.Thread(target=self._report, args=(message_id, reference, delivered), daemon=True).start()

    def _report(self, message_id: str, reference: str, delivered: bool) -> None:
        body = json.dumps({"message_id": message_id, "reference": reference,
                           "status": "delivered" if delivered else "failed",
                           "at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
                           "error": "" if delivered else "subscriber unreachable"}).encode()
        for attempt in range(RECEIPT_TRIES):
            time.sleep(RECEIPT_DELAY * 2 ** attempt)
            stamp = str(int(time.time()))
            mac = hmac.new(self.callback_secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            call = urlrequest.Request(self.callback_url, data=body, method="POST", headers={
                "Content-Type": "application/json", "X-Motcua-Timestamp": stamp, "X-Motcua-Signature": f"sha256={mac}"})
            try:
                with urlrequest.urlopen(call, timeout=5) as answer:
                    status = answer.status
            except urlerror.HTTPError as refused:
                status = refused.code
            except OSError:
                status = 0
            line = json.dumps({"at": time.time(), "message_id": message_id, "status": status})
            with self.lock, self.callbacks.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
            if 200 <= status < 300:
                return

    def zns(self, headers: Any, body: Any) -> tuple[int, str, dict[str, Any]]:
        if headers.get("access_token") != self.secret:
            return 200, "refused", {"error": -124, "message": "Access token is invalid"}
        if not isinstance(body, dict) or not PHONE.match(str(body.get("phone", ""))):
            return 200, "refused", {"error": -108, "message": "Phone number is invalid"}
        if not isinstance(body.get("template_id"), str) or not body["template_id"]:
            return 200, "refused", {"error": -109, "message": "Template id is invalid"}
        if not isinstance(body.get("template_data"), dict) or not body["template_data"]:
            return 200, "refused", {"error": -112, "message": "Template data is invalid"}
        failure = self.failure(body["phone"])
        if failure == "permanent":
            return 200, failure, {"error": -118, "message": "Zalo account does not exist or is disabled"}
        if failure == "transient":
            return 200, failure, {"error": -100, "message": "Unknown error"}
        message_id = uuid.uuid4().hex
        self.report(message_id, str(body.get("tracking_id", "")), delivered=failure != "undelivered")
        return 200, "accepted", {"error": 0, "message": "Success", "data": {
            "msg_id": message_id, "sent_time": str(int(time.time() * 1000)),
            "quota": {"dailyQuota": "500000", "remainingQuota": "499999"}}}

    def sms(self, headers: Any, body: Any) -> tuple[int, str, dict[str, Any]]:
        if headers.get("Authorization") != f"Bearer {self.secret}":
            return 401, "refused", {"error": "unauthorized", "detail": "a valid bearer API key is required"}
        if not isinstance(body, dict):
            return 400, "refused", {"error": "bad_request", "detail": "a JSON object is required"}
        problems = [name for name, ok in (
            ("brandname", isinstance(body.get("brandname"), str) and 0 < len(body["brandname"]) <= 11),
            ("phone", PHONE.match(str(body.get("phone", ""))) is not None),
            ("text", isinstance(body.get("text"), str) and 0 < len(body["text"]) <= 1000),
            ("client_ref", isinstance(body.get("client_ref"), str) and 0 < len(body["client_ref"]) <= 64),
        ) if not ok]
        if problems:
            return 422, "refused", {"error": "invalid_request", "detail": f"invalid: {', '.join(problems)}"}
        with self.lock:
            known = self.accepted.get(body["client_ref"])
        if known is not None:
            return 200, "duplicate", {"message_id": known, "status": "accepted", "duplicate": True}
        failure = self.failure(body["phone"])
        if failure == "permanent":
            return 400, failure, {"error": "invalid_subscriber", "detail": "the number cannot receive SMS"}
        if failure == "transient":
            return 503, failure, {"error": "unavailable", "detail": "the operator's SMSC is busy"}
        message_id = uuid.uuid4().hex
        with self.lock:
            self.accepted[body["client_ref"]] = message_id
        self.report(message_id, body["client_ref"], delivered=failure != "undelivered")
        segments = -(-len(body["text"]) // 153) if len(body["text"]) > 160 else 1
        return 202, "accepted", {"message_id": message_id, "status": "accepted", "segments": segments}


def handler_for(sink: Sink) -> type[BaseHTTPRequestHandler]:
    endpoint = {"zns": "/message/template", "sms": "/api/v1/sms"}[sink.api]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            if self.path == "/_sink/failures":
                self.answer(*sink.set_rule(body))
            elif self.path == endpoint:
                status, outcome, answer = getattr(sink, sink.api)(self.headers, body)
                sink.record(self.path, body, status, outcome, answer)
                self.answer(status, answer)
            else:
                self.answer(404, {"error": "not_found"})

        def do_DELETE(self) -> None:
            self.answer(*sink.clear_rules()) if self.path == "/_sink/failures" else self.answer(404, {"error": "not_found"})

        def do_GET(self) -> None:
            self.answer(200, {"ok": True}) if self.path == "/_sink/health" else self.answer(404, {"error": "not_found"})

        def answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(HTTPStatus(status))
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the request log is requests.jsonl

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", choices=("zns", "sms"), required=True)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True, help="the ZNS access token or the SMS gateway's API key to accept")
    parser.add_argument("--callback-url", default="", help="where to POST delivery receipts (none without it)")
    parser.add_argument("--callback-secret", default="", help="the HMAC key that signs the receipts")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    sink = Sink(args.api, args.dir, args.secret, args.callback_url, args.callback_secret)
    serve(ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(sink)),
          f"{args.api} sink on 127.0.0.1:{args.port}, logging into {args.dir / 'requests.jsonl'}")


def serve(server: socketserver.BaseServer, banner: str) -> None:
    """Serve until SIGINT or SIGTERM (the stack stops its sinks so), after printing the banner."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: threading.Thread(target=server.shutdown).start())
    print(banner, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
