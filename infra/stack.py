"""The local stack as processes: Kafka (KRaft), FerretDB, the SMTP, ZNS and SMS sinks and the five services.

`python infra/stack.py run` is what `make run` does: start everything in order, wait for health, print
the URLs, stream nothing but keep logs under .run/logs/, and stop everything on Ctrl-C. The tests use the
same Stack class with their own ports and data directory.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.settings import KafkaSettings

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("signing", "intake", "routing", "notification", "feedback")
# The one account of the broker's SASL/PLAIN listener, which exists to test authenticated clients.
SASL_USERNAME = "motcua"
SASL_PASSWORD = "motcua-local-only"
# What the local ZNS and SMS sinks accept, and the ZNS template ids the notification service is given.
ZNS_ACCESS_TOKEN = "motcua-local-zns"
SMS_API_KEY = "motcua-local-sms"
# Whom the local SMSC (infra/smpp_sink.py) lets bind.
SMPP_SYSTEM_ID = "motcua"
SMPP_PASSWORD = "mc-local"  # SMPP 3.4 passwords hold at most 8 characters
# The keys the sinks sign their delivery receipts with, and the providers notification names them by.
CALLBACK_SECRETS = {"zalo": "motcua-local-zns-receipts", "gateway": "motcua-local-sms-receipts"}
ZNS_TEMPLATE_IDS = ("received=100001,assigned=100002,result_ready=100003,supplement_requested=100004,due_soon=100005,"
                    "apology_issued=100006,completed=100007")
# The key feedback signs rating links with; in production a Secret.
FEEDBACK_LINK_SECRET = "motcua-local-rating-links-0123456789"


@dataclass
class Ports:
    kafka: int = 9092
    controller: int = 9093
    kafka_sasl: int = 9094
    mongo: int = 27017
    mongo_debug: int = 8088
    smtp: int = 2525
    zns: int = 2530
    sms: int = 2531
    smpp: int = 2775
    pki: int = 9780
    http: dict[str, int] = field(default_factory=lambda: {
        "intake": 8081, "routing": 8082, "signing": 8083, "notification": 8084, "feedback": 8085})
    grpc: dict[str, int] = field(default_factory=lambda: {
        "intake": 50051, "routing": 50052, "signing": 50053, "notification": 50054, "feedback": 50055})

    def all(self) -> list[int]:
        """Every port of the layout."""
        return [self.kafka, self.controller, self.kafka_sasl, self.mongo, self.mongo_debug, self.smtp, self.zns,
                self.sms, self.smpp, self.pki, *self.http.values(), *self.grpc.values()]

    def in_use(self) -> list[int]:
        """The ports of the layout that something already listens on (a stack that was not stopped?)."""
        return [port for port in self.all() if port_open(port)]

    def shifted(self, offset: int) -> Ports:
        """The same layout moved by offset, for a second stack of the same kind on one machine."""
        return Ports(kafka=self.kafka + offset, controller=self.controller + offset,
                     kafka_sasl=self.kafka_sasl + offset, mongo=self.mongo + offset,
                     mongo_debug=self.mongo_debug + offset, smtp=self.smtp + offset, zns=self.zns + offset,
                     sms=self.sms + offset, smpp=self.smpp + offset, pki=self.pki + offset,
                     http={name: port + offset for name, port in self.http.items()},
                     grpc={name: port + offset for name, port in self.grpc.items()})


def wait_for(check, what: str, timeout: float, proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    """Poll check() until it is true; fail with the log's tail if the process died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not become ready in {timeout:.0f}s\n{tail}")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


class Stack:
    def __init__(self, *, data: Path, run: Path, ports: Ports | None = None, prefix: str = "") -> None:
        self.data = data
        self.run = run
        self.ports = ports or Ports()
        self.prefix = prefix
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.logs = run / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.kafka_bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or f"127.0.0.1:{self.ports.kafka}"
        self.kafka_sasl_bootstrap = f"127.0.0.1:{self.ports.kafka_sasl}"
        self.mongo_url = os.environ.get("MONGO_URL") or f"mongodb://127.0.0.1:{self.ports.mongo}/"
        self.mail_dir = data / "mail"
        self.zns_dir = data / "zns"
        self.sms_dir = data / "sms"
        self.smpp_dir = data / "smpp"

    @property
    def kafka(self) -> KafkaSettings:
        """The kernel's KafkaSettings for this stack's broker (MOTCUA_KAFKA_* apply to an external one)."""
        from motcua.settings import Env, KafkaSettings

        return KafkaSettings.from_env(Env({**os.environ, "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap}))

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen, Path]:
        log = self.logs / f"{name}.log"
        handle = log.open("ab")
        proc = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT,
                                env={**os.environ, **(env or {})}, start_new_session=True)
        self.procs.append((name, proc))
        return proc, log

    def start_infra(self) -> None:
        if busy := self.ports.in_use():
            raise RuntimeError(f"ports {busy} are already in use: is another stack of this kind running? "
                               "(`ss -ltnp` shows by whom)")
        if "KAFKA_BOOTSTRAP_SERVERS" not in os.environ:
            self.start_kafka()
        if "MONGO_URL" not in os.environ:
            self.start_ferretdb()
        self.start_smtp()
        self.start_gateway("zns", self.zns_dir, self.ports.zns, ZNS_ACCESS_TOKEN, "zalo")
        self.start_gateway("sms", self.sms_dir, self.ports.sms, SMS_API_KEY, "gateway")
        self.start_smpp()
        self.start_pki()
        sys.path.insert(0, str(ROOT / "libs"))
        from motcua.kafka import ensure_topics

        ensure_topics(self.kafka, self.prefix)

    def start_kafka(self) -> None:
        directory = self.data / "kafka"
        directory.mkdir(parents=True, exist_ok=True)
        p = self.ports
        config = directory / "server.properties"
        jaas = (f'org.apache.kafka.common.security.plain.PlainLoginModule required username="{SASL_USERNAME}" '
                f'password="{SASL_PASSWORD}" user_{SASL_USERNAME}="{SASL_PASSWORD}";')
        config.write_text("\n".join([
            "process.roles=broker,controller", "node.id=1",
            f"controller.quorum.bootstrap.servers=127.0.0.1:{p.controller}",
            f"listeners=PLAINTEXT://127.0.0.1:{p.kafka},CONTROLLER://127.0.0.1:{p.controller},SASL://127.0.0.1:{p.kafka_sasl}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{p.kafka},SASL://127.0.0.1:{p.kafka_sasl}",
            "controller.listener.names=CONTROLLER", "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL:SASL_PLAINTEXT",
            "listener.name.sasl.sasl.enabled.mechanisms=PLAIN",
            f"listener.name.sasl.plain.sasl.jaas.config={jaas}",
            f"log.dirs={directory / 'logs'}", "offsets.topic.replication.factor=1", "offsets.topic.num.partitions=6",
            "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
            "group.initial.rebalance.delay.ms=0", "auto.create.topics.enable=false", "num.partitions=1", "",
        ]))
        classpath = str(ROOT / ".cache/kafka/libs/*")
        java = ["java", "-Xms256m", "-Xmx512m", f"-Dlog4j2.configurationFile={ROOT / 'infra/kafka/log4j2.properties'}",
                "-cp", classpath]
        if not (directory / "logs" / "meta.properties").exists():
            cluster = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            # One argument with "=": a random id may begin with "-", which would read as an option.
            subprocess.run([*java, "kafka.tools.StorageTool", "format", f"--cluster-id={cluster}", "-c", str(config),
                            "--standalone"],
                           check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        proc, log = self._spawn("kafka", [*java, "kafka.Kafka", str(config)])
        wait_for(lambda: port_open(p.kafka), "Kafka", 90, proc, log)

    def start_ferretdb(self) -> None:
        directory = self.data / "ferretdb"
        directory.mkdir(parents=True, exist_ok=True)
        # WAL with synchronous=NORMAL: a commit survives FerretDB or a service crashing, not the machine losing
        # power (infra/ferretdb/README.md); it halves the cost of every write against the default FULL.
        proc, log = self._spawn("ferretdb", [
            str(ROOT / ".cache/bin/ferretdb"), "--handler=sqlite",
            f"--sqlite-url=file:{directory}/?_pragma=synchronous(normal)",
            f"--listen-addr=127.0.0.1:{self.ports.mongo}", f"--debug-addr=127.0.0.1:{self.ports.mongo_debug}",
            "--telemetry=disable", "--log-level=warn",
            "--state-dir", str(directory)])
        wait_for(lambda: port_open(self.ports.mongo), "FerretDB", 60, proc, log)

    def start_smtp(self) -> None:
        proc, log = self._spawn("smtp", [sys.executable, str(ROOT / "infra/smtp_sink.py"), "--dir", str(self.mail_dir),
                                         "--port", str(self.ports.smtp)])
        wait_for(lambda: port_open(self.ports.smtp), "SMTP sink", 30, proc, log)

    def start_smpp(self) -> None:
        proc, log = self._spawn("smpp", [sys.executable, str(ROOT / "infra/smpp_sink.py"), "--dir", str(self.smpp_dir),
                                         "--port", str(self.ports.smpp), "--system-id", SMPP_SYSTEM_ID,
                                         "--password", SMPP_PASSWORD])
        wait_for(lambda: port_open(self.ports.smpp), "SMPP sink", 30, proc, log)

    def start_pki(self) -> None:
        """The local PKI's CRL and time-stamping authority (signing.pki_server), from the PKI `make setup` made."""
        proc, log = self._spawn("pki", [str(ROOT / ".venv/bin/python"), "-m", "signing.pki_server",
                                        "--dir", str(ROOT / ".data/pki"), "--port", str(self.ports.pki)])
        wait_for(lambda: http_ok(f"http://127.0.0.1:{self.ports.pki}/health"), "PKI server", 30, proc, log)

    def start_gateway(self, api: str, directory: Path, port: int, secret: str, provider: str) -> None:
        receipts = f"http://127.0.0.1:{self.ports.http['notification']}/api/v1/callbacks/{provider}"
        proc, log = self._spawn(api, [sys.executable, str(ROOT / "infra/gateway_sink.py"), "--api", api,
                                      "--dir", str(directory), "--port", str(port), "--secret", secret,
                                      "--callback-url", receipts, "--callback-secret", CALLBACK_SECRETS[provider]])
        wait_for(lambda: http_ok(f"http://127.0.0.1:{port}/_sink/health"), f"{api} sink", 30, proc, log)

    def service_env(self, name: str) -> dict[str, str]:
        p = self.ports
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap, "MONGO_URL": self.mongo_url,
            "MOTCUA_TOPIC_PREFIX": self.prefix, "MOTCUA_DATABASE_PREFIX": self.prefix,
            # As in the images: glibc's per-thread malloc arenas (8 per CPU) otherwise add tens of MB to
            # the RSS of a service whose threads take turns under the GIL.
            "MALLOC_ARENA_MAX": "2",
            "MOTCUA_JWT_PUBLIC_KEY": str(ROOT / ".data/keys/jwt-public.pem"),
            "MOTCUA_SIGNING_PKI_DIR": str(ROOT / ".data/pki"),
            "MOTCUA_SIGNING_PKCS11_MODULE": str(ROOT / ".cache/softhsm/libsofthsm2.so"),
            "MOTCUA_SIGNING_PKCS11_PIN": "motcua-dev-pin", "MOTCUA_SIGNING_TSA_URL": f"http://127.0.0.1:{p.pki}/tsa", "SOFTHSM2_CONF": str(ROOT / ".data/softhsm/softhsm2.conf"),
            # PAdES B-LT: the PKI process's responder, at the port of this stack (the certificates name 9780).
            "MOTCUA_SIGNING_LEVEL": "B-LT", "MOTCUA_SIGNING_OCSP_URL": f"http://127.0.0.1:{p.pki}/ocsp",
            "MOTCUA_SIGNING_ADDR": f"127.0.0.1:{p.grpc['signing']}",
            "MOTCUA_SIGNING_PUBLIC_URL": f"http://127.0.0.1:{p.http['signing']}",
            # Intake asks feedback for the receipt's rating link; a shared development machine may be slow.
            "MOTCUA_FEEDBACK_ADDR": f"127.0.0.1:{p.grpc['feedback']}", "MOTCUA_FEEDBACK_TIMEOUT_SECONDS": "5",
            "MOTCUA_SMTP_HOST": "127.0.0.1", "MOTCUA_SMTP_PORT": str(p.smtp),
            "MOTCUA_ZNS_URL": f"http://127.0.0.1:{p.zns}", "MOTCUA_ZNS_ACCESS_TOKEN": ZNS_ACCESS_TOKEN,
            "MOTCUA_ZNS_TEMPLATE_IDS": ZNS_TEMPLATE_IDS,
            "MOTCUA_SMS_URL": f"http://127.0.0.1:{p.sms}", "MOTCUA_SMS_API_KEY": SMS_API_KEY,
            "MOTCUA_SMPP_PORT": str(p.smpp), "MOTCUA_SMPP_SYSTEM_ID": SMPP_SYSTEM_ID, "MOTCUA_SMPP_PASSWORD": SMPP_PASSWORD,
            # The local sinks wake nobody at night: messages go at any hour (tests of quiet hours set their own).
            "MOTCUA_NOTIFICATION_QUIET_HOURS": "none",
            "MOTCUA_NOTIFICATION_CALLBACK_SECRETS": ",".join(f"{name}={key}" for name, key in CALLBACK_SECRETS.items()),
            **({"MOTCUA_SIGNING_CREDENTIALS_FILE": str(ROOT / f".data/keys/service-{name}.jwt")}
               if name in ("intake", "routing") else {}),
            "MOTCUA_FEEDBACK_LINK_SECRET": FEEDBACK_LINK_SECRET,
            "MOTCUA_FEEDBACK_PUBLIC_URL": f"http://127.0.0.1:{p.http['feedback']}",
            **{f"MOTCUA_{s.upper()}_HTTP_PORT": str(port) for s, port in p.http.items()},
            **{f"MOTCUA_{s.upper()}_GRPC_PORT": str(port) for s, port in p.grpc.items()},
        }

    def start_service(self, name: str, *, label: str = "", env: dict[str, str] | None = None,
                      role: str = "all") -> subprocess.Popen:
        service_env = {**self.service_env(name), **(env or {})}
        port = service_env[f"MOTCUA_{name.upper()}_HTTP_PORT"]
        proc, log = self._spawn(label or name, [str(ROOT / ".venv/bin/python"), "-m", name, role], service_env)
        wait_for(lambda: http_ok(f"http://127.0.0.1:{port}/readyz"), name, 120, proc, log)
        return proc

    def start_services(self) -> None:
        for name in SERVICES:
            self.start_service(name)

    @contextmanager
    def serving(self, prefix: str, *names: str) -> Iterator[str]:
        """Run the named services on topics and databases of their own prefix; yields intake's base URL."""
        from motcua.kafka import ensure_topics

        self.prefix = prefix
        ensure_topics(self.kafka, prefix)
        try:
            for name in names:
                self.start_service(name, label=f"{name}-{prefix}")
            yield f"http://127.0.0.1:{self.ports.http['intake']}"
        finally:
            for name in reversed(names):
                self.stop(f"{name}-{prefix}")
            self.prefix = ""

    def stop(self, name: str | None = None) -> None:
        """Stop one process by name (or all, newest first), gracefully, then by force."""
        targets = [(n, p) for n, p in reversed(self.procs) if name is None or n == name]
        for _, proc in targets:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for n, proc in targets:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            self.procs.remove((n, proc))


def main() -> None:
    stack = Stack(data=ROOT / ".data", run=ROOT / ".run")
    stop = False

    def on_signal(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        print("Starting Kafka, FerretDB and the SMTP, ZNS, SMS and SMPP sinks ...", flush=True)
        stack.start_infra()
        for name in SERVICES:
            print(f"Starting {name} ...", flush=True)
            stack.start_service(name)
        p = stack.ports
        print("\nmotcua is running. Logs: .run/logs/   Sinks: .data/mail/, .data/zns/, .data/sms/, .data/smpp/\n")
        for name in SERVICES:
            print(f"  {name:<13} http://127.0.0.1:{p.http[name]}   gRPC 127.0.0.1:{p.grpc[name]}")
        print(f"  {'kafka':<13} 127.0.0.1:{p.kafka}\n  {'mongodb':<13} {stack.mongo_url}")
        print("\nTry: curl http://127.0.0.1:8081/api/v1/procedures    (README: the whole flow by hand)")
        print("Press Ctrl-C to stop.", flush=True)
        while not stop:
            for name, proc in stack.procs:
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; see .run/logs/{name}.log", flush=True)
                    stop = True
            time.sleep(0.5)
    finally:
        print("Stopping ...", flush=True)
        stack.stop()
        print("Stopped.")


if __name__ == "__main__":
    main()
