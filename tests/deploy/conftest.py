"""The charts rendered once per session with helm, into a scratch copy (the work tree is left alone).

HELM names the helm binary (default: .cache/bin/helm, which `make setup` installs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ROOT / "helm"
SERVICES = ("intake", "routing", "signing", "notification", "feedback")
VALUE_SETS = ("default", *sorted(p.stem for p in (CHARTS / "motcua" / "ci").glob("*.yaml")))
Docs = list[dict[str, Any]]


def helm_binary() -> str:
    helm = os.environ.get("HELM") or str(ROOT / ".cache" / "bin" / "helm")
    if not Path(helm).exists() and not shutil.which(helm):
        pytest.fail(f"no helm at {helm}: run `make setup` (or set HELM)")
    return helm


@pytest.fixture(scope="session")
def charts(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, dict[str, str]]:
    """helm, a copy of helm/ with every file:// dependency built, and the environment to run helm in."""
    helm = helm_binary()
    work = tmp_path_factory.mktemp("charts")
    shutil.copytree(CHARTS, work, dirs_exist_ok=True, ignore=shutil.ignore_patterns("charts", "Chart.lock"))
    env = {**os.environ, **{f"HELM_{k}_HOME": str(work / ".helm" / k.lower()) for k in ("CACHE", "CONFIG", "DATA")}}
    for chart in (*SERVICES, "motcua"):
        subprocess.run([helm, "dependency", "build", "--skip-refresh", str(work / chart)], check=True,
                       capture_output=True, env=env)
    return helm, work, env


@pytest.fixture(scope="session")
def template(charts: tuple[str, Path, dict[str, str]]) -> Callable[..., Docs]:
    """Renders the umbrella chart (or another) with value sets of ci/ (or files) and --set pairs (a__b=c)."""
    helm, work, env = charts

    def render(*value_sets: str | Path, chart: str = "motcua", **settings: Any) -> Docs:
        args = [helm, "template", "motcua", str(work / chart), "--namespace", "motcua"]
        for name in value_sets:
            if isinstance(name, Path):
                args += ["--values", str(name)]
            elif name != "default":
                args += ["--values", str(work / "motcua" / "ci" / f"{name}.yaml")]
        for key, value in settings.items():
            args += ["--set", f"{key.replace('__', '.')}={value}"]
        done = subprocess.run(args, check=False, capture_output=True, text=True, env=env)
        if done.returncode:
            raise RenderError(done.stderr)
        return [doc for doc in yaml.safe_load_all(done.stdout) if doc]

    return render


class RenderError(Exception):
    """helm template refused the values; the message is helm's."""


@pytest.fixture(scope="session")
def rendered(template: Callable[..., Docs]) -> dict[str, Docs]:
    """Every value set of the check: the defaults and each helm/motcua/ci/*.yaml."""
    return {name: template(name) for name in VALUE_SETS}


def find(docs: Docs, kind: str, name: str | None = None) -> list[dict[str, Any]]:
    """The objects of a kind (and name)."""
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def one(docs: Docs, kind: str, name: str) -> dict[str, Any]:
    found = find(docs, kind, name)
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    """The service container of a Deployment."""
    return deployment["spec"]["template"]["spec"]["containers"][0]
