"""`python -m bench.signing`: signing's throughput on one core, without the stack.

One thread signs BENCH_SIGNING_N copies of a rendered result document, one after another, with the official's
key in the SoftHSM2 token `make setup` provisioned (PAdES B-B, invisible), then visible (the official's box drawn
for each signature), then invisible with the same official's key from its PKCS#12 file, then verifies every
invisible HSM-signed copy against the agency CA's CRL, keeping validation contexts as the service does. The key
stores stay open and warm, as in the service. Then the same invisible HSM
signature at PAdES B-T (each timestamped by the local PKI's TSA) and at B-LT (also embedding the signer's OCSP
answer, reused while fresh as the service does, and the agency CA's CRL), the PKI server running as a process of
its own so that its work is not counted, and the verification of the B-LT copies.
Prints the table, the ratios to the targets and between the stores, and writes .run/bench/signing.json.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.baselines import free_port
from bench.config import RUN, http_ok, wait_for
from bench.report import Result, Target, table, write_json

ROOT = Path(__file__).resolve().parents[1]
RESULTS = RUN / "signing.json"
TARGETS = {"signing.invisible_hsm": Target(40), "signing.visible_hsm": Target(10), "signing.verify": Target(80)}
# How long the service keeps OCSP answers and verification contexts by default (MOTCUA_SIGNING_REVOCATION_MAX_AGE).
REVOCATION_MAX_AGE = dt.timedelta(minutes=5)


def timed(scenario: str, n: int, job: Callable[[int], object]) -> Result:
    """Run job(0..n-1) in this thread; per second over the wall time, with the CPU time beside it."""
    latencies = []
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        start = time.perf_counter()
        job(i)
        latencies.append((time.perf_counter() - start) * 1000)
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    return Result(scenario, n, n, 0, n / seconds, latencies, TARGETS.get(scenario),
                  {"seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds, 3),
                   "per_cpu_second": round(n / cpu_seconds, 1)})


def main() -> int:
    n = int(os.environ.get("BENCH_SIGNING_N", "200"))
    os.environ.setdefault("SOFTHSM2_CONF", str(ROOT / ".data/softhsm/softhsm2.conf"))
    from cryptography import x509
    from signing import forms, stamps
    from signing.forms import FormHeader, ResultDocument
    from signing.hsm import DEFAULT_PIN, DEFAULT_TOKEN, SOFTHSM_MODULE
    from signing.keystore import FileKeyStore, Pkcs11KeyStore
    from signing.pades import Verifier, load_trust_roots, sign_pdf
    from signing.pki import DEFAULT_PASSPHRASE
    from signing.revocation import CrlFile

    pki = ROOT / ".data/pki"
    hsm = Pkcs11KeyStore(ROOT / ".cache/softhsm" / SOFTHSM_MODULE, DEFAULT_TOKEN, DEFAULT_PIN)
    files = FileKeyStore(pki, DEFAULT_PASSPHRASE.encode())
    roots = load_trust_roots(pki / "root.pem")
    verifier = Verifier(roots, max_age=REVOCATION_MAX_AGE)
    crl = CrlFile(pki / "agency-ca.crl", x509.load_pem_x509_certificate((pki / "agency-ca.pem").read_bytes()))
    decided = dt.datetime(2026, 11, 21, 9, 0)
    document = forms.render(ResultDocument(
        header=FormHeader(agency_name="UBND tỉnh Ninh Bình", issued_at=decided), dossier_code="000.00.12.H56-261121-0001",
        procedure_name="Đăng ký khai sinh", applicant_name="Trần Thị Bích Ngọc", agency_name="UBND tỉnh Ninh Bình",
        decided_at=decided), verify_url="https://motcua.example.vn/verify/bench")
    signed: list[bytes] = []

    def sign_with(store: FileKeyStore | Pkcs11KeyStore, keep: bool = False,
                  visible: bool = False) -> Callable[[int], object]:
        def job(i: int) -> None:
            appearance = (stamps.official_appearance("Nguyễn Văn An", "UBND tỉnh Ninh Bình", dt.datetime.now(dt.UTC))
                          if visible else None)
            out = sign_pdf(document, signer=store.signer("official"), field_name=f"Sig-{i}", reason="Phê duyệt",
                           location="Ninh Bình", appearance=appearance)
            if keep:
                signed.append(out)
        return job

    sign_pdf(document, signer=hsm.signer("official"), field_name="warm-up", reason="", location="")
    results = [timed("signing.invisible_hsm", n, sign_with(hsm, keep=True)),
               timed("signing.visible_hsm", n, sign_with(hsm, visible=True)),
               timed("signing.invisible_pkcs12", n, sign_with(files))]
    results.append(timed("signing.verify", n, lambda i: verifier.verify(signed[i], crl.crls()).valid or sys.exit(
        "a signed copy did not verify")))
    with pki_server(pki) as base:
        results.extend(long_term(n, hsm, document, roots, verifier, crl, base))
    hsm.close()
    print(table(results))
    by_name = {r.scenario: r for r in results}
    ratios = {f"{name} / target": round(r.per_second / r.target.min_rate, 2) for name, r in by_name.items() if r.target}
    ratios["hsm / pkcs12"] = round(by_name["signing.invisible_hsm"].per_second
                                   / by_name["signing.invisible_pkcs12"].per_second, 2)
    ratios["B-LT / B-T per CPU-second"] = round(by_name["signing.invisible_hsm_blt"].notes["per_cpu_second"]
                                                / by_name["signing.invisible_hsm_bt"].notes["per_cpu_second"], 2)
    for name, value in ratios.items():
        print(f"{name}: {value}")
    # On a shared machine the wall clock includes waiting for a CPU; per CPU-second is what one core does.
    for r in results:
        print(f"{r.scenario}: {r.notes['per_cpu_second']}/s per CPU-second of this process")
    write_json(RESULTS, {"n": n, "scenarios": [r.as_dict() for r in results], "ratios": ratios})
    print(f"\nresults: {RESULTS}")
    return 0 if all(r.met() is not False for r in results) else 1


@contextmanager
def pki_server(pki: Path) -> Iterator[str]:
    """The local PKI's server (TSA, OCSP, CRL) as a process of its own: its base URL."""
    port = free_port()
    log = RUN / "signing-pki.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "signing.pki_server", "--dir", str(pki), "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: http_ok(f"http://127.0.0.1:{port}/health"), "PKI server", 30, proc, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def long_term(n: int, hsm: Any, document: bytes, roots: list[Any], verifier: Any, crl: Any,
              base: str) -> list[Result]:
    """The invisible HSM signature at B-T and at B-LT, then the verification of the B-LT copies."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from signing.ocsp import OcspClient
    from signing.pades import (
        HttpTimeStamper,
        RevocationData,
        quiet_prefetched_revocation,
        sign_pdf,
    )

    quiet_prefetched_revocation()
    ocsp = OcspClient(crl.issuer, url=f"{base}/ocsp", max_age=REVOCATION_MAX_AGE)
    timestamper = HttpTimeStamper(f"{base}/tsa")
    signer = hsm.signer("official")
    cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
    signed: list[bytes] = []

    kept: dict[tuple[bytes, ...], RevocationData] = {}

    def sign(i: int, *, keep: bool = False, revocation: bool = False) -> None:
        data = None
        if revocation:  # what the service does per signature: the cached answer, the CRL as published
            ocsps, crls = (ocsp.status(cert).der,), tuple(c.public_bytes(Encoding.DER) for c in crl.crls())
            data = kept.setdefault(ocsps + crls, RevocationData(trust_roots=tuple(roots), ocsps=ocsps, crls=crls))
        out = sign_pdf(document, signer=signer, field_name=f"Sig-{i}", reason="Phê duyệt", location="Ninh Bình",
                       timestamper=timestamper, revocation=data)
        if keep:
            signed.append(out)

    sign(-1, revocation=True)  # warm-up: the TSA's certificates, the first OCSP answer
    results = [timed("signing.invisible_hsm_bt", n, sign),
               timed("signing.invisible_hsm_blt", n, lambda i: sign(i, keep=True, revocation=True))]
    results.append(timed("signing.verify_blt", n, lambda i: verifier.verify(signed[i], crl.crls()).signatures[0].level
                         == "B-LT" or sys.exit("a B-LT copy did not verify as B-LT")))
    return results


if __name__ == "__main__":
    sys.exit(main())
