"""A small SMPP 3.4 server (SMSC) for `make run` and tests: it binds transmitters and records every PDU.

It answers bind_transmitter (checking system_id and password), submit_sm (a message id per part),
enquire_link and unbind, and appends each PDU it receives as one JSON line to <dir>/pdus.jsonl: the
command, its sequence number, the raw bytes in hex and, for submit_sm, the decoded fields (addresses,
esm_class, data_coding, the short message in hex and as text without its UDH) with the status answered.

Failures on demand, by destination number:
- ending in 0000: refused for good (ESME_RINVDSTADR, 0x0B);
- ending in 0058: throttled (ESME_RTHROTTLED, 0x58) on its first two submits, accepted after.
"""

from __future__ import annotations

import argparse
import json
import socketserver
import struct
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from gateway_sink import serve  # run as a script from infra/, beside it

BIND_TRANSMITTER, SUBMIT_SM, UNBIND, ENQUIRE_LINK = 0x00000002, 0x00000004, 0x00000006, 0x00000015
RESPONSE = 0x80000000
NAMES = {BIND_TRANSMITTER: "bind_transmitter", SUBMIT_SM: "submit_sm", UNBIND: "unbind", ENQUIRE_LINK: "enquire_link"}
ROK, RINVCMDID, RINVBNDSTS, RINVPASWD, RINVDSTADR, RTHROTTLED = 0x00, 0x03, 0x04, 0x0E, 0x0B, 0x58
THROTTLED_TIMES = 2


def c_string(body: bytes, at: int) -> tuple[str, int]:
    end = body.index(b"\0", at)
    return body[at:end].decode("latin-1"), end + 1


def submit_fields(body: bytes) -> dict[str, Any]:
    """The mandatory fields of a submit_sm body (SMPP 3.4, 4.4.1)."""
    fields: dict[str, Any] = {}
    fields["service_type"], at = c_string(body, 0)
    fields["source_addr_ton"], fields["source_addr_npi"] = body[at], body[at + 1]
    fields["source_addr"], at = c_string(body, at + 2)
    fields["dest_addr_ton"], fields["dest_addr_npi"] = body[at], body[at + 1]
    fields["destination_addr"], at = c_string(body, at + 2)
    fields["esm_class"], fields["protocol_id"], fields["priority_flag"] = body[at], body[at + 1], body[at + 2]
    _, at = c_string(body, at + 3)  # schedule_delivery_time
    _, at = c_string(body, at)  # validity_period
    fields["registered_delivery"], fields["data_coding"] = body[at], body[at + 2]
    length = body[at + 4]
    message = body[at + 5:at + 5 + length]
    fields["short_message_hex"] = message.hex()
    text = message[message[0] + 1:] if fields["esm_class"] & 0x40 else message  # without the UDH
    fields["udh_hex"] = message[:message[0] + 1].hex() if fields["esm_class"] & 0x40 else ""
    fields["text"] = text.decode("utf-16-be") if fields["data_coding"] == 8 else text.decode("latin-1")
    return fields


class Smsc:
    """What the server remembers: the credentials it accepts, throttle counts, and the PDU log."""

    def __init__(self, directory: Path, system_id: str, password: str) -> None:
        self.system_id = system_id
        self.password = password
        self.log = directory / "pdus.jsonl"
        self.lock = threading.Lock()
        self.throttled: dict[str, int] = {}

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock, self.log.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"at": time.time(), **entry}, ensure_ascii=False) + "\n")

    def submit_status(self, destination: str) -> int:
        if destination.endswith("0000"):
            return RINVDSTADR
        if destination.endswith("0058"):
            with self.lock:
                seen = self.throttled.get(destination, 0)
                self.throttled[destination] = seen + 1
            return RTHROTTLED if seen < THROTTLED_TIMES else ROK
        return ROK


def handler_for(smsc: Smsc) -> type[socketserver.BaseRequestHandler]:
    class Session(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            bound = False
            while True:
                header = self.read(16)
                if header is None:
                    return
                length, command, _, sequence = struct.unpack(">LLLL", header)
                body = self.read(length - 16) or b"" if length > 16 else b""
                entry: dict[str, Any] = {"command": NAMES.get(command, hex(command)), "sequence": sequence,
                                         "hex": (header + body).hex()}
                if command == BIND_TRANSMITTER:
                    system_id, at = c_string(body, 0)
                    password, _ = c_string(body, at)
                    ok = (system_id, password) == (smsc.system_id, smsc.password)
                    bound = ok
                    entry.update(system_id=system_id, status=ROK if ok else RINVPASWD)
                    self.answer(command, ROK if ok else RINVPASWD, sequence, smsc.system_id.encode() + b"\0")
                elif command == SUBMIT_SM:
                    fields = submit_fields(body)
                    status = smsc.submit_status(fields["destination_addr"]) if bound else RINVBNDSTS
                    message_id = uuid.uuid4().hex[:16] if status == ROK else ""
                    entry.update(fields, status=status, message_id=message_id)
                    self.answer(command, status, sequence, message_id.encode() + b"\0")
                elif command in (ENQUIRE_LINK, UNBIND):
                    self.answer(command, ROK, sequence, b"")
                else:
                    self.answer(0x00000000, RINVCMDID, sequence, b"")  # generic_nack
                smsc.record(entry)
                if command == UNBIND:
                    return

        def read(self, size: int) -> bytes | None:
            data = b""
            while len(data) < size:
                chunk = self.request.recv(size - len(data))
                if not chunk:
                    return None
                data += chunk
            return data

        def answer(self, command: int, status: int, sequence: int, body: bytes) -> None:
            resp = RESPONSE | command if command else RESPONSE
            self.request.sendall(struct.pack(">LLLL", 16 + len(body), resp, status, sequence) + body)

    return Session


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--system-id", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    serve(Server(("127.0.0.1", args.port), handler_for(Smsc(args.dir, args.system_id, args.password))),
          f"SMPP sink on 127.0.0.1:{args.port}, logging into {args.dir / 'pdus.jsonl'}")


if __name__ == "__main__":
    main()
