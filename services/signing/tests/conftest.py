"""Fixtures shared by signing's tests: a local PKI and builders of valid form messages."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from motcua import devtoken
from motcua.auth import TokenVerifier
from motcua.events import timestamp
from motcua.rpc import build_server
from motcua.v1 import common_pb2, signing_pb2, signing_pb2_grpc
from signing import forms, pki_server
from signing.authorisation import Authoriser, parse_service_keys
from signing.forms import FormHeader, ResultDocument
from signing.hsm import (
    SOFTHSM_MODULE,
    init_softhsm_token,
    provision_signers,
    softhsm_config,
)
from signing.keystore import FileKeyStore, Pkcs11KeyStore
from signing.pades import load_trust_roots
from signing.pki import OFFICIAL_ID, PkiPaths, provision_local_pki
from signing.revocation import CrlFile
from signing.service import SigningService
from signing.servicer import SigningServicer

ROOT = Path(__file__).resolve().parents[3]
PASSPHRASE = "test-passphrase"
TOKEN_LABEL = "motcua-test"
TOKEN_PIN = "test-pin-1234"
CODE = "000.00.12.H56-260217-0007"
RECEIVED_AT = dt.datetime(2026, 2, 17, 1, 30, tzinfo=dt.UTC)
PUBLIC_URL = "https://motcua.example.vn"
AUTHORISER = Authoriser(parse_service_keys("intake:seal, routing:official"))


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiPaths:
    return provision_local_pki(tmp_path_factory.mktemp("pki"), passphrase=PASSPHRASE)


@pytest.fixture(scope="session")
def keys(pki: PkiPaths) -> FileKeyStore:
    return FileKeyStore(pki.directory, PASSPHRASE.encode())


@pytest.fixture(scope="session")
def roots(pki: PkiPaths) -> list[x509.Certificate]:
    return load_trust_roots(pki.root_cert)


@pytest.fixture(scope="session")
def document() -> bytes:
    decided_at = dt.datetime(2026, 2, 17, 14, 30)
    result = ResultDocument(
        header=FormHeader(agency_name="UBND tỉnh Ninh Bình", issued_at=decided_at),
        dossier_code="000.00.12.H56-260217-0007",
        procedure_name="Đăng ký khai sinh",
        applicant_name="Trần Thị Bích Ngọc",
        agency_name="UBND tỉnh Ninh Bình",
        decided_at=decided_at,
    )
    return forms.render(result, verify_url="https://motcua.example.vn/xac-thuc/000.00.12.H56-260217-0007")


def _at(days: float = 0.0, hours: float = 0.0) -> Any:
    return timestamp(RECEIVED_AT + dt.timedelta(days=days, hours=hours))


class FormMessages:
    """Builders of valid form messages for SignPdfRequest; keyword arguments replace fields."""

    code = CODE

    @staticmethod
    def header(**overrides: Any) -> signing_pb2.FormHeader:
        fields: dict[str, Any] = {"parent_agency_name": "UBND tỉnh Ninh Bình",
                                  "agency_name": "Trung tâm Phục vụ hành chính công", "document_number": "125/TNHS",
                                  "place_name": "Ninh Bình", "issued_at": _at()}
        return signing_pb2.FormHeader(**{**fields, **overrides})

    @classmethod
    def receipt(cls, **overrides: Any) -> signing_pb2.Receipt:
        fields: dict[str, Any] = {
            "header": cls.header(), "receiving_unit": "Bộ phận Một cửa", "dossier_code": CODE,
            "applicant_name": "Trần Thị Bích Ngọc", "applicant_phone": "0912345678",
            "procedure_code": "1.001193", "procedure_name": "Đăng ký khai sinh",
            "documents": [signing_pb2.ReceivedDocument(name="Tờ khai đăng ký khai sinh", copies=1),
                          signing_pb2.ReceivedDocument(name="Giấy chứng nhận kết hôn", reused=True)],
            "received_at": _at(), "appointment_at": _at(days=7), "clerk_name": "Lê Văn Hùng",
            "channel": common_pb2.CHANNEL_ONLINE,
            "lookup_url": "https://dichvucong.ninhbinh.gov.vn/tra-cuu?ma=000.00.12.H56-260217-0007",
        }
        return signing_pb2.Receipt(**{**fields, **overrides})

    @classmethod
    def supplement_request(cls, **overrides: Any) -> signing_pb2.SupplementRequest:
        fields: dict[str, Any] = {
            "header": cls.header(document_number="126/YCBS"), "dossier_code": CODE,
            "applicant_name": "Trần Thị Bích Ngọc", "procedure_name": "Đăng ký khai sinh",
            "items": [signing_pb2.SupplementItem(document_name="Giấy chứng sinh",
                                                 reason="Bản chụp mờ, cần bản sao có chứng thực")],
            "due_at": _at(days=10),
        }
        return signing_pb2.SupplementRequest(**{**fields, **overrides})

    @classmethod
    def refusal(cls, **overrides: Any) -> signing_pb2.Refusal:
        fields: dict[str, Any] = {
            "header": cls.header(document_number="127/TCHS"), "dossier_code": CODE,
            "applicant_name": "Trần Thị Bích Ngọc", "procedure_name": "Đăng ký khai sinh",
            "reasons": ["Hồ sơ không thuộc thẩm quyền giải quyết"],
        }
        return signing_pb2.Refusal(**{**fields, **overrides})

    @classmethod
    def apology(cls, **overrides: Any) -> signing_pb2.Apology:
        fields: dict[str, Any] = {
            "header": cls.header(agency_name="Sở Tư pháp", issued_at=_at(days=6)), "dossier_code": CODE,
            "applicant_name": "Trần Thị Bích Ngọc", "procedure_name": "Đăng ký khai sinh",
            "reason": "Cần xác minh thêm thông tin", "original_appointment_at": _at(days=7),
            "new_appointment_at": _at(days=14), "deciding_agency": "Sở Tư pháp tỉnh Ninh Bình",
        }
        return signing_pb2.Apology(**{**fields, **overrides})

    @staticmethod
    def hand_over(**overrides: Any) -> signing_pb2.HandOver:
        fields: dict[str, Any] = {
            "step": "Thẩm định", "giver": "Lê Văn Hùng", "receiver": "Nguyễn Thị Lan",
            "handed_over_at": _at(hours=1), "due_at": _at(days=2),
            "result": signing_pb2.HAND_OVER_RESULT_ON_TIME,
        }
        return signing_pb2.HandOver(**{**fields, **overrides})

    @classmethod
    def control_sheet(cls, **overrides: Any) -> signing_pb2.ControlSheet:
        fields: dict[str, Any] = {
            "header": cls.header(document_number=""), "dossier_code": CODE,
            "rows": [cls.hand_over(), cls.hand_over(step="Phê duyệt", result=signing_pb2.HAND_OVER_RESULT_UNSPECIFIED)],
        }
        return signing_pb2.ControlSheet(**{**fields, **overrides})

    @staticmethod
    def result(**overrides: Any) -> signing_pb2.ResultDocument:
        fields: dict[str, Any] = {
            "dossier_code": CODE, "procedure_name": "Đăng ký khai sinh", "applicant_name": "Trần Thị Bích Ngọc",
            "agency_name": "UBND tỉnh Ninh Bình", "decided_at": _at(days=5),
        }
        return signing_pb2.ResultDocument(**{**fields, **overrides})


@pytest.fixture(scope="session")
def messages() -> type[FormMessages]:
    return FormMessages


@dataclass(frozen=True)
class Token:
    """A provisioned SoftHSM2 token: where its PKCS#11 module is, its label and PIN, the signers' certificates."""

    module: Path
    label: str
    pin: str
    certificates: dict[str, x509.Certificate]


@pytest.fixture(scope="session")
def token(pki: PkiPaths, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Token]:
    """A SoftHSM2 token of its own for the test session, from the packages `make setup` unpacked."""
    unpacked = ROOT / ".cache" / "softhsm"
    conf = softhsm_config(tmp_path_factory.mktemp("softhsm"))
    init_softhsm_token(unpacked, conf, label=TOKEN_LABEL, pin=TOKEN_PIN, so_pin=TOKEN_PIN)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))  # read by SoftHSM when this process first loads the module
        module = unpacked / SOFTHSM_MODULE
        yield Token(module, TOKEN_LABEL, TOKEN_PIN, provision_signers(module, TOKEN_LABEL, TOKEN_PIN, pki, PASSPHRASE))


@pytest.fixture(scope="session")
def hsm_keys(token: Token) -> Iterator[Pkcs11KeyStore]:
    store = Pkcs11KeyStore(token.module, token.label, token.pin)
    yield store
    store.close()


@dataclass(frozen=True)
class JwtKeys:
    """A key pair standing in for the identity provider, and the callers' gRPC metadata it signs."""

    private: bytes
    verifier: TokenVerifier

    def metadata(self, sub: str, *roles: str) -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {devtoken.token(self.private, sub=sub, roles=list(roles))}")]

    @property
    def official(self) -> list[tuple[str, str]]:
        """The holder of the official's certificate: a leader whose subject is the id in its UID."""
        return self.metadata(OFFICIAL_ID, "leader")

    @property
    def clerk(self) -> list[tuple[str, str]]:
        """A clerk (văn thư) who applies the organisation's seal."""
        return self.metadata("van-thu-1", "seal_clerk")


@pytest.fixture(scope="session")
def jwt_keys(tmp_path_factory: pytest.TempPathFactory) -> JwtKeys:
    private, public = devtoken.keygen(tmp_path_factory.mktemp("jwt"))
    return JwtKeys(private.read_bytes(), TokenVerifier.from_file(public))


class MemoryRepository:
    """Signed documents kept in memory, for the tests that exercise the service and its gRPC edge."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}

    def save_document(self, record: dict[str, Any], content: bytes) -> None:
        self.records[record["_id"]] = record
        self.contents[record["_id"]] = content

    def get_document(self, document_id: str) -> dict[str, Any] | None:
        return self.records.get(document_id)

    def get_content(self, record: dict[str, Any]) -> bytes:
        return self.contents[record["_id"]]


class AuditRecords:
    """The audit port kept in memory: the records appended, in order."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        self.records.append(dict(record))
        return dict(record)


@pytest.fixture
def audit() -> AuditRecords:
    return AuditRecords()


@pytest.fixture
def repo() -> MemoryRepository:
    return MemoryRepository()


def crl_of(pki: PkiPaths) -> CrlFile:
    return CrlFile(pki.crl, x509.load_pem_x509_certificate(pki.agency_ca_cert.read_bytes()))


@pytest.fixture
def service(audit: AuditRecords, repo: MemoryRepository, keys: FileKeyStore, pki: PkiPaths,
            roots: list[x509.Certificate]) -> SigningService:
    """The signing service on the session's PKI (PKCS#12 keys, its CRL), storing in memory."""
    return SigningService(repo=repo, kick=lambda *_: None, keys=keys, revocation=crl_of(pki), authoriser=AUTHORISER,
                          audit=audit, trust_roots=roots, public_url=PUBLIC_URL)


Server = tuple[str, Callable[[], None]]


@contextmanager
def running(paths: PkiPaths, passphrase: str, port: int = 0, *, full_chain: bool = False) -> Iterator[Server]:
    """The PKI server of `paths` (CRL, OCSP, TSA) in this process, on `port` or a free one: its base URL, and how
    to stop it early."""
    http = pki_server.server(paths, passphrase, port or free_port(), full_chain=full_chain)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    stopped = threading.Event()

    def stop() -> None:
        if not stopped.is_set():
            stopped.set()
            http.shutdown()
            http.server_close()

    try:
        yield f"http://127.0.0.1:{http.server_address[1]}", stop
    finally:
        stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(servicer: SigningServicer) -> Iterator[str]:
    """Serve `servicer` with the platform's gRPC server on a free local port; yield its address."""
    port = free_port()
    server, _ = build_server(
        service="signing", port=port, bind_host="127.0.0.1",
        register=[lambda s: signing_pb2_grpc.add_SigningServicer_to_server(servicer, s)],
        service_names=[signing_pb2.DESCRIPTOR.services_by_name["Signing"].full_name])
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(None)
