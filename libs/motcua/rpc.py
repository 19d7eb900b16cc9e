"""gRPC servers and clients: health, reflection, deadlines, error mapping, metrics, JWT metadata."""

from __future__ import annotations

import logging
import threading
import time
from collections import namedtuple
from collections.abc import Callable, Iterable
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status

from motcua import metrics
from motcua.errors import DomainError

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 32 * 1024 * 1024


def status_for(error: DomainError, service: str) -> status_pb2.Status:
    """The google.rpc.Status for a domain error: field violations as BadRequest, the reason as ErrorInfo."""
    details = []
    info = error_details_pb2.ErrorInfo(reason=error.reason or error.slug.upper().replace("-", "_"), domain=service)
    if error.detail_vi:
        info.metadata["detail_vi"] = error.detail_vi
    details.append(info)
    if error.errors:
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=e.pointer, description=e.message_en)
                for e in error.errors
            ]
        )
        details.append(bad)
    packed = []
    for detail in details:
        item = any_pb2.Any()
        item.Pack(detail)
        packed.append(item)
    return status_pb2.Status(code=error.grpc_code.value[0], message=error.detail, details=packed)


class _ServerInterceptor(grpc.ServerInterceptor):
    """Counts and times every unary and streaming call, refuses expired deadlines, maps domain errors."""

    def __init__(self, service: str) -> None:
        self.service = service

    def intercept_service(self, continuation: Callable[..., Any], details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(details)
        if handler is None or not handler.unary_unary:
            return handler
        method = details.method
        inner = handler.unary_unary

        def wrapped(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                remaining = context.time_remaining()
                if remaining is not None and remaining <= 0:
                    code = grpc.StatusCode.DEADLINE_EXCEEDED
                    context.abort(code, "deadline exceeded before the call started")
                return inner(request, context)
            except DomainError as error:
                code = error.grpc_code
                context.abort_with_status(rpc_status.to_status(status_for(error, self.service)))
            except Exception as error:  # the context's own abort raises too; keep its code
                aborted = context.code() if hasattr(context, "code") else None
                if aborted is not None and aborted != grpc.StatusCode.OK:
                    code = aborted
                    raise
                code = grpc.StatusCode.INTERNAL
                log.exception("unhandled error in %s", method)
                context.abort(code, f"internal error: {type(error).__name__}")
            finally:
                metrics.observe_grpc(method, code.name, time.perf_counter() - started)

        return grpc.unary_unary_rpc_method_handler(
            wrapped,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def build_server(
    *,
    service: str,
    port: int,
    register: Iterable[Callable[[grpc.Server], None]],
    service_names: Iterable[str],
    max_workers: int = 16,
    bind_host: str = "0.0.0.0",
) -> tuple[grpc.Server, health.HealthServicer]:
    """A gRPC server with health, reflection and the shared interceptor; not started."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=f"{service}-grpc"),
        interceptors=[_ServerInterceptor(service)],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    for add in register:
        add(server)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = list(service_names)
    for name in ["", *names]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    reflection.enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    bound_port = server.add_insecure_port(f"{bind_host}:{port}")
    if bound_port == 0:
        raise OSError(f"cannot bind the gRPC port {port}")
    return server, health_servicer


def error_details(error: grpc.RpcError) -> dict[str, Any]:
    """The reason and field violations a peer attached to a failed call."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    found: dict[str, Any] = {"reason": "", "fields": {}}
    if status is None:
        return found
    for item in status.details:
        info = error_details_pb2.ErrorInfo()
        bad = error_details_pb2.BadRequest()
        if item.Is(info.DESCRIPTOR):
            item.Unpack(info)
            found["reason"] = info.reason
        elif item.Is(bad.DESCRIPTOR):
            item.Unpack(bad)
            found["fields"] = {v.field: v.description for v in bad.field_violations}
    return found


def channel(address: str, *, token_file: Path | None = None) -> grpc.Channel:
    """A client channel to a peer service, with the same message size limits as the servers.

    With `token_file`, every call carries `authorization: Bearer <the file's content>`: the calling service's
    own token, which whoever issues it (the identity provider, a sidecar) may renew in place.
    """
    insecure = grpc.insecure_channel(
        address,
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    return insecure if token_file is None else grpc.intercept_channel(insecure, _BearerToken(token_file))


class _CallDetails(
    namedtuple("_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
    grpc.ClientCallDetails,
):
    """Call details with metadata replaced (grpc.ClientCallDetails has no constructor of its own)."""


class _BearerToken(grpc.UnaryUnaryClientInterceptor):
    """Adds the service's bearer token to each unary call, reading the file again when it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._header = ""

    def header(self) -> str:
        status = self.path.stat()
        stamp = (status.st_mtime_ns, status.st_size)
        with self._lock:
            if stamp != self._stamp:
                self._header, self._stamp = f"Bearer {self.path.read_text(encoding='utf-8').strip()}", stamp
            return self._header

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: grpc.ClientCallDetails,
                              request: Any) -> Any:
        metadata = [*(details.metadata or ()), ("authorization", self.header())]
        return continuation(_CallDetails(details.method, details.timeout, metadata, details.credentials,
                                         details.wait_for_ready, details.compression), request)

