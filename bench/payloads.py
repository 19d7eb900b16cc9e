"""Request bodies: valid applicants, and ~200 KB PDF and PNG files made at start, distinct per dossier."""

from __future__ import annotations

import json
import random
import struct
import zlib
from dataclasses import dataclass
from typing import Any

ATTACHMENT_BYTES = 200 * 1024
MARKER_DIGITS = 8
BOUNDARY = "motcua-bench-5b1f0c2e9d7a"


def applicant(i: int) -> dict[str, object]:
    """A valid applicant with a personal id and a phone number of their own (the lookup's second factor)."""
    return {"full_name": "Nguyễn Thị Lan", "citizen_id": f"001190{i % 10**6:06d}", "birth_year": 1990,
            "phone": f"09{i % 10**8:08d}", "email": f"lan.{i}@example.vn"}


@dataclass(frozen=True)
class Form:
    """How to fill in a dossier of one procedure: its code, where it is received, its mandatory documents.

    With `typed`, each file goes in `documents` as {"type", "attachment"}; otherwise in `attachments`.
    """

    procedure: str
    agency: str
    document_types: tuple[str, ...]
    typed: bool

    @classmethod
    def choose(cls, procedures: list[dict[str, Any]], documents: int = 2) -> Form:
        """The first procedure of the catalog with the standard workflow and exactly `documents` mandatory ones."""
        for procedure in procedures:
            if procedure.get("workflow", "standard") != "standard":
                continue
            if "documents" in procedure:
                types = tuple(d["id"] for d in procedure["documents"] if d.get("mandatory"))
            else:
                types = tuple(procedure.get("required_documents", ()))
            if len(types) == documents:
                agencies = procedure.get("agencies") or [""]
                return cls(procedure["code"], agencies[0], types, "documents" in procedure)
        raise LookupError(f"no procedure in the catalog has exactly {documents} mandatory documents")

    def dossier(self, i: int, files: tuple[str, ...]) -> bytes:
        """Dossier i received at the counter, with one file per mandatory document, as a JSON body."""
        body: dict[str, object] = {"procedure_code": self.procedure, "channel": "counter", "applicant": applicant(i)}
        if self.typed:
            body["documents"] = [{"type": t, "attachment": f} for t, f in zip(self.document_types, files, strict=True)]
        else:
            body["attachments"] = list(files)
        return json.dumps(body, ensure_ascii=False).encode()


def _marker(i: int) -> bytes:
    return f"{i % 10**MARKER_DIGITS:0{MARKER_DIGITS}d}".encode()


class Stamped:
    """A file with a fixed-width number inside, so each copy has its own bytes (and SHA-256)."""

    def __init__(self, template: bytes, offset: int) -> None:
        self.template = template
        self.offset = offset

    def copy(self, i: int) -> bytes:
        return self.template[:self.offset] + _marker(i) + self.template[self.offset + MARKER_DIGITS:]


def pdf(size: int = ATTACHMENT_BYTES, seed: int = 1193) -> Stamped:
    """A one-page PDF with a correct cross-reference table, padded to about `size` by an extra stream."""
    text = b"BT /F1 18 Tf 72 770 Td (motcua bench " + b"0" * MARKER_DIGITS + b") Tj ET\n"
    padding = random.Random(seed).randbytes(max(size - 900, 0))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
         b" /Resources << /Font << /F1 5 0 R >> >> >>"),
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(padding) + padding + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    data = bytes(out)
    return Stamped(data, data.index(b"(motcua bench ") + len(b"(motcua bench "))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class StampedPng:
    """A noise PNG whose tEXt chunk carries the copy's number (so only that small chunk is rebuilt)."""

    def __init__(self, head: bytes, tail: bytes) -> None:
        self.head = head
        self.tail = tail

    def copy(self, i: int) -> bytes:
        return self.head + _chunk(b"tEXt", b"Comment\x00motcua bench " + _marker(i)) + self.tail


def png(size: int = ATTACHMENT_BYTES, seed: int = 1193) -> StampedPng:
    """An RGB PNG of random pixels (incompressible, so the file is about `size`)."""
    width = 256
    height = max(size // (width * 3 + 1), 1)
    noise = random.Random(seed)
    rows = b"".join(b"\x00" + noise.randbytes(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    head = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
    tail = _chunk(b"IDAT", zlib.compress(rows, 1)) + _chunk(b"IEND", b"")
    return StampedPng(head, tail)


def multipart(filename: str, content_type: str, content: bytes) -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body with one `file` field, and its headers."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode()
    body = head + content + f"\r\n--{BOUNDARY}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Content-Length": str(len(body))}
