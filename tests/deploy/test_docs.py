"""The deployment guide's examples are real: its values file renders and keeps the rules, its
Kubernetes resources parse, and the names it uses are the charts'."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.deploy import policy
from tests.deploy.conftest import ROOT, find, one

GUIDE = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```yaml\n(.*?)```", GUIDE, flags=re.DOTALL)


def test_the_guides_values_file_renders_and_keeps_the_rules(template, tmp_path):
    (values,) = [block for block in BLOCKS if block.startswith("global:")]
    path = tmp_path / "motcua-values.yaml"
    path.write_text(values, encoding="utf-8")
    docs = template(path)
    assert policy.problems_in(("guide", doc) for doc in docs) == []
    assert len(find(docs, "KafkaTopic")) == 8 and find(docs, "PrometheusRule")
    signing = one(docs, "NetworkPolicy", "signing")["spec"]["ingress"]
    grpc = next(rule for rule in signing if rule["ports"][0]["port"] == 50053)
    assert [peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for peer in grpc["from"]] == [
        "intake", "routing"]
    assert one(docs, "ConfigMap", "intake")["data"]["MOTCUA_INTAKE_PUBLIC_URL"] == "https://dichvucong.example.vn"


@pytest.mark.parametrize("block", [b for b in BLOCKS if "apiVersion:" in b])
def test_the_guides_resources_parse(block):
    docs = [doc for doc in yaml.safe_load_all(block) if doc]
    assert all(doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"] for doc in docs)


def test_the_guide_names_the_chart_values_that_exist(template):
    for secret in ("motcua-mongo", "motcua-jwt", "motcua-signing-pki", "motcua-signing-passphrase"):
        assert secret in GUIDE
    docs = template("default")
    assert one(docs, "Deployment", "signing-server")
    assert "wait-for-dependencies" in GUIDE
