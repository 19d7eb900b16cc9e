"""The platform's scenarios through intake's public API, and the e-mails they lead to."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from motcua.devtoken import PRIVATE, token

from bench import payloads
from bench.load import HttpClient, Job, LoadResult, Outcome, expect, run_load
from bench.mail import MailWatcher
from bench.payloads import Form
from bench.report import Result, Target

SUBMIT_TARGET = Target(500)
E2E_TARGET = Target(200, max_p99_ms=2000)
ATTACHMENTS_TARGET = Target(300, max_p99_ms=100)
LOOKUP_TARGET = Target(2000, max_p99_ms=100)
STALL_SECONDS = 30.0
SHARED_FILE_BYTES = 4096
TOKEN_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Submitted:
    """A dossier the bench created: its code, the phone it was submitted with, when the request started."""

    code: str
    phone: str
    started: float


def _upload(client: HttpClient, filename: str, content_type: str, content: bytes,
            auth: dict[str, str]) -> tuple[Outcome | None, str]:
    body, headers = payloads.multipart(filename, content_type, content)
    status, answer = client.request("POST", "/api/v1/attachments", body, {**auth, **headers})
    failed = expect(status, answer, 200, 201)
    return (failed, "") if failed else (None, json.loads(answer)["sha256"])


class Intake:
    """Intake's REST API as a clerk at the counter of the agency that receives the bench's procedure."""

    def __init__(self, *, port: int, concurrency: int, run_id: str, keys: Path, stop: threading.Event) -> None:
        self.port = port
        self.concurrency = concurrency
        self.run_id = run_id
        self.stop = stop
        client = HttpClient("127.0.0.1", port)
        try:
            status, body = client.request("GET", "/api/v1/procedures")
            if status != 200:
                raise RuntimeError(f"GET /api/v1/procedures answered {status}: {body[:300]!r}")
            self.form = Form.choose(json.loads(body)["procedures"])
            clerk = token((keys / PRIVATE).read_bytes(), sub="bench-clerk", roles=["clerk"], agency=self.form.agency,
                          name="Bench", ttl=TOKEN_SECONDS)
            self.auth = {"Authorization": f"Bearer {clerk}"}
            self.shared_files = self._shared_files(client)
        finally:
            client.close()

    def _shared_files(self, client: HttpClient) -> tuple[str, ...]:
        """One small file per mandatory document, uploaded once, for the dossiers without files of their own."""
        small_pdf = payloads.pdf(SHARED_FILE_BYTES, seed=7)
        ids = []
        for k, document_type in enumerate(self.form.document_types):
            failed, sha256 = _upload(client, f"{document_type}.pdf", "application/pdf", small_pdf.copy(k), self.auth)
            if failed:
                raise RuntimeError(f"uploading a shared document failed: {failed.error}")
            ids.append(sha256)
        return tuple(ids)

    def describe(self) -> dict[str, object]:
        return {"procedure": self.form.procedure, "agency": self.form.agency,
                "documents": list(self.form.document_types)}

    def _load(self, job: Job, n: int) -> LoadResult:
        return run_load(job, n=n, concurrency=self.concurrency, host="127.0.0.1", port=self.port, stop=self.stop)

    def _submit(self, client: HttpClient, i: int, files: tuple[str, ...]) -> Outcome:
        headers = {**self.auth, "Content-Type": "application/json", "Idempotency-Key": f"bench-{self.run_id}-{i:08d}"}
        status, body = client.request("POST", "/api/v1/dossiers", self.form.dossier(i, files), headers)
        return expect(status, body, 201) or Outcome(True, json.loads(body)["code"])

    def dossier_body(self, i: int) -> bytes:
        """Dossier i as intake.submit sends it (the baseline posts the same bodies)."""
        return self.form.dossier(i, self.shared_files)

    def submit(self, n: int) -> tuple[Result, list[Submitted]]:
        """N dossiers at the counter, each with its own Idempotency-Key, the documents uploaded beforehand."""
        load = self._load(lambda client, i: self._submit(client, i, self.shared_files), n)
        return Result.from_load("intake.submit", load, SUBMIT_TARGET), _submitted(load)

    def submit_with_attachments(self, n: int, first: int) -> tuple[Result, list[Submitted]]:
        """N dossiers, each after uploading its own ~200 KB PDF and ~200 KB PNG; latency covers all three."""
        pdf, png = payloads.pdf(), payloads.png()
        kinds = (("pdf", "application/pdf", pdf.copy), ("png", "image/png", png.copy))

        def job(client: HttpClient, k: int) -> Outcome:
            i = first + k
            files = []
            for (extension, content_type, copy), document_type in zip(kinds, self.form.document_types, strict=True):
                failed, sha256 = _upload(client, f"{document_type}-{i}.{extension}", content_type, copy(i), self.auth)
                if failed:
                    return failed
                files.append(sha256)
            return self._submit(client, i, tuple(files))

        load = self._load(job, n)
        return (Result.from_load("intake.submit_with_attachments", load, ATTACHMENTS_TARGET,
                                 attachment_bytes=[len(pdf.copy(0)), len(png.copy(0))]),
                _submitted(load, first))

    def lookup(self, n: int, dossiers: list[Submitted]) -> Result:
        """N public lookups (code + phone, no token), spread over the dossiers submitted before."""
        def job(client: HttpClient, i: int) -> Outcome:
            dossier = dossiers[(i * 7919) % len(dossiers)]
            status, body = client.request("GET", f"/api/v1/dossiers/{dossier.code}?phone={quote(dossier.phone)}")
            return expect(status, body, 200) or Outcome(True)

        if not dossiers:
            return Result("intake.lookup", 0, 0, 0, 0.0, target=LOOKUP_TARGET, notes={"skipped": "no dossiers"})
        return Result.from_load("intake.lookup", self._load(job, n), LOOKUP_TARGET)


def _submitted(load: LoadResult, first: int = 0) -> list[Submitted]:
    return [Submitted(s.outcome.value, str(payloads.applicant(first + s.index)["phone"]), s.started)
            for s in load.ok]


def e2e(dossiers: list[Submitted], watcher: MailWatcher, *, timeout: float, stop: threading.Event) -> Result:
    """Submission to the first e-mail about each dossier in the SMTP sink, waiting with a deadline."""
    anchor_ns, anchor = time.time_ns(), time.perf_counter()
    wanted = {d.code for d in dossiers}
    started = time.monotonic()
    last_progress, arrived = started, 0
    while not stop.is_set():
        watcher.scan()
        now_arrived = len(wanted.intersection(watcher.first_ns))
        now = time.monotonic()
        if now_arrived > arrived:
            arrived, last_progress = now_arrived, now
        if arrived == len(wanted) or now - started > timeout or now - last_progress > STALL_SECONDS:
            break
        stop.wait(0.2)
    latencies, arrivals = [], []
    for dossier in dossiers:
        received_ns = watcher.first_ns.get(dossier.code)
        if received_ns is not None:
            at = anchor + (received_ns - anchor_ns) / 1e9
            arrivals.append(at)
            latencies.append((at - dossier.started) * 1000)
    missing = len(dossiers) - len(latencies)
    seconds = max(max(arrivals) - min(d.started for d in dossiers), 1e-9) if arrivals else 0.0
    notes = {"seconds": round(seconds, 3), "never_arrived": missing, "waited_seconds": round(time.monotonic() - started, 1),
             "emails_in_sink": watcher.total}
    return Result("e2e", len(dossiers), len(latencies), missing, len(latencies) / seconds if seconds else 0.0,
                  latencies, E2E_TARGET, notes)
