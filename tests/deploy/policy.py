"""The rules every rendered motcua manifest must keep, checked without a cluster.

Each rule is a function of one parsed object that returns the problems it finds. The helm check runs
them over every rendered value set (`python tests/deploy/policy.py <rendered.yaml>...`) and
tests/deploy/test_policy.py runs them per value set and shows that each rule catches what it should.
Only the standard library and PyYAML are used, so the helm check needs nothing else.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]
SECRET_NAMES = ("MONGO_URL", "PASSWORD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY")
UID = 10001
WORKLOAD_KINDS = ("Deployment", "Job")
# Kinds that kubernetes-validate has no schema for (CRDs); check_custom_resources covers them here.
CUSTOM_KINDS = {"ServiceMonitor": "monitoring.coreos.com/v1", "PrometheusRule": "monitoring.coreos.com/v1",
                "KafkaTopic": ("kafka.strimzi.io/v1", "kafka.strimzi.io/v1beta2")}


def load(paths: Iterable[Path | str]) -> Iterator[tuple[str, Doc]]:
    """Every non-empty object of the rendered files, with the file's name."""
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for doc in yaml.safe_load_all(handle):
                if doc:
                    yield Path(path).stem, doc


def name_of(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def pod_spec(doc: Doc) -> Doc | None:
    if doc.get("kind") not in WORKLOAD_KINDS:
        return None
    return doc["spec"]["template"]["spec"]


def check_pod_security(doc: Doc) -> list[str]:
    """Pods run as the non-root uid 10001 with the runtime's default seccomp profile, without a token."""
    pod = pod_spec(doc)
    if pod is None:
        return []
    problems = []
    psc = pod.get("securityContext", {})
    if not (psc.get("runAsNonRoot") is True and psc.get("runAsUser") == UID):
        problems.append(f"pod is not runAsNonRoot with uid {UID}")
    if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append("pod seccompProfile is not RuntimeDefault")
    if pod.get("automountServiceAccountToken") is not False:
        problems.append("pod mounts a service account token")
    if pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC"):
        problems.append("pod shares a host namespace")
    return problems


def containers(doc: Doc) -> Iterator[tuple[str, Doc]]:
    pod = pod_spec(doc) or {}
    for kind in ("initContainers", "containers"):
        for container in pod.get(kind, []):
            yield kind, container


def check_container_security(doc: Doc) -> list[str]:
    """Every container: non-root, read-only root filesystem, no escalation, all capabilities dropped."""
    problems = []
    for _, c in containers(doc):
        sc = c.get("securityContext", {})
        if sc.get("runAsNonRoot") is not True or sc.get("runAsUser", UID) == 0:
            problems.append(f"{c['name']} may run as root")
        if sc.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{c['name']} may write its root filesystem")
        if sc.get("allowPrivilegeEscalation") is not False or sc.get("privileged"):
            problems.append(f"{c['name']} may escalate privileges")
        if sc.get("capabilities", {}).get("drop") != ["ALL"] or sc.get("capabilities", {}).get("add"):
            problems.append(f"{c['name']} does not drop ALL capabilities (or adds some)")
        if not any(m["mountPath"] == "/tmp" for m in c.get("volumeMounts", [])):
            problems.append(f"{c['name']} has no writable /tmp")
    return problems


def check_resources(doc: Doc) -> list[str]:
    """Every container, init containers included, requests and limits cpu and memory."""
    problems = []
    for _, c in containers(doc):
        resources = c.get("resources", {})
        for kind in ("requests", "limits"):
            if not resources.get(kind, {}).keys() >= {"cpu", "memory"}:
                problems.append(f"{c['name']} lacks cpu/memory {kind}")
    return problems


def check_probes(doc: Doc) -> list[str]:
    """Every long-running container has startup, liveness and readiness probes."""
    if doc.get("kind") != "Deployment":
        return []
    return [f"{c['name']} lacks a {probe}" for kind, c in containers(doc) if kind == "containers"
            for probe in ("startupProbe", "livenessProbe", "readinessProbe") if probe not in c]


def check_image(doc: Doc) -> list[str]:
    """Images are pinned by a tag other than latest, or by digest."""
    problems = []
    for _, c in containers(doc):
        image = c["image"]
        tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
        if "@sha256:" not in image and (not tag or tag == "latest"):
            problems.append(f"{c['name']} image {image} is not pinned")
    return problems


def check_secrets(doc: Doc) -> list[str]:
    """No secret is rendered as a value: in a ConfigMap, an env value, or a Secret object of the chart."""
    if doc.get("kind") == "Secret":
        return ["the chart renders a Secret: secrets must be referenced, never carried in values"]
    if doc.get("kind") == "ConfigMap":
        return [f"{key} in a ConfigMap" for key in doc.get("data", {}) if any(s in key for s in SECRET_NAMES)]
    problems = []
    for _, c in containers(doc):
        for env in c.get("env", []):
            if any(s in env["name"] for s in SECRET_NAMES) and "secretKeyRef" not in env.get("valueFrom", {}):
                problems.append(f"{c['name']}: {env['name']} is not read from a Secret")
    return problems


def check_spread_and_budget(doc: Doc) -> list[str]:
    """Deployments spread their pods over nodes; a PDB never blocks every eviction."""
    if doc.get("kind") == "PodDisruptionBudget":
        spec = doc["spec"]
        if spec.get("maxUnavailable") in (0, "0", "0%") or spec.get("minAvailable") == "100%":
            return ["PodDisruptionBudget allows no eviction"]
        return []
    if doc.get("kind") != "Deployment":
        return []
    keys = {t["topologyKey"] for t in doc["spec"]["template"]["spec"].get("topologySpreadConstraints", [])}
    return [] if "kubernetes.io/hostname" in keys else ["pods are not spread over nodes"]


def check_network_policy(doc: Doc) -> list[str]:
    """A NetworkPolicy restricts both directions and lets out nothing beyond named ports."""
    if doc.get("kind") != "NetworkPolicy":
        return []
    spec = doc["spec"]
    problems = []
    if set(spec.get("policyTypes", [])) != {"Ingress", "Egress"}:
        problems.append("NetworkPolicy does not restrict both ingress and egress")
    for rule in spec.get("egress", []):
        if not rule.get("ports"):
            problems.append(f"an egress rule allows every port: {rule}")
    for rule in spec.get("ingress", []):
        if not rule.get("ports"):
            problems.append(f"an ingress rule allows every port: {rule}")
    return problems


def check_custom_resources(doc: Doc) -> list[str]:
    """The CRD objects that kubernetes-validate cannot check have the shape their operators expect."""
    kind = doc.get("kind")
    if kind not in CUSTOM_KINDS:
        return []
    versions = CUSTOM_KINDS[kind]
    if doc.get("apiVersion") not in (versions if isinstance(versions, tuple) else (versions,)):
        return [f"{kind} has apiVersion {doc.get('apiVersion')}"]
    spec = doc.get("spec", {})
    problems = []
    if kind == "ServiceMonitor":
        if not spec.get("selector", {}).get("matchLabels") or not spec.get("endpoints"):
            problems.append("ServiceMonitor selects nothing or has no endpoint")
        for endpoint in spec.get("endpoints", []):
            if endpoint.get("port") != "http" or endpoint.get("path") != "/metrics":
                problems.append(f"ServiceMonitor endpoint {endpoint} is not http /metrics")
    elif kind == "KafkaTopic":
        if not doc["metadata"].get("labels", {}).get("strimzi.io/cluster"):
            problems.append("KafkaTopic has no strimzi.io/cluster label")
        for field in ("topicName", "partitions", "replicas"):
            if field not in spec:
                problems.append(f"KafkaTopic lacks spec.{field}")
        if not isinstance(spec.get("partitions"), int) or not isinstance(spec.get("replicas"), int):
            problems.append("KafkaTopic partitions and replicas must be integers")
    elif kind == "PrometheusRule":
        for group in spec.get("groups", []):
            for rule in group.get("rules", []):
                if set(rule) - {"alert", "record", "expr", "for", "labels", "annotations"}:
                    problems.append(f"rule with unknown fields: {sorted(rule)}")
                if ("alert" in rule) == ("record" in rule) or not rule.get("expr"):
                    problems.append(f"rule is neither one alert nor one record, or has no expr: {rule}")
                if "alert" in rule:
                    labels, annotations = rule.get("labels", {}), rule.get("annotations", {})
                    if labels.get("severity") not in ("warning", "critical"):
                        problems.append(f"{rule['alert']} has no severity warning or critical")
                    if not {"summary", "description", "runbook_url"} <= annotations.keys():
                        problems.append(f"{rule['alert']} lacks a summary, description or runbook_url")
    return problems


RULES: list[Callable[[Doc], list[str]]] = [
    check_pod_security, check_container_security, check_resources, check_probes, check_image,
    check_secrets, check_spread_and_budget, check_network_policy, check_custom_resources,
]


def problems_in(docs: Iterable[tuple[str, Doc]]) -> list[str]:
    """Every rule over every object: '<value set>: <Kind/name>: <problem>' lines."""
    return [f"{source}: {name_of(doc)}: {problem}" for source, doc in docs for rule in RULES for problem in rule(doc)]


def main(argv: list[str]) -> int:
    docs = list(load(argv))
    problems = problems_in(docs)
    for problem in problems:
        print(f"policy: {problem}", file=sys.stderr)
    workloads = sum(1 for _, doc in docs if doc["kind"] in WORKLOAD_KINDS)
    print(f"{len(docs)} objects, {workloads} workloads, {len(RULES)} rules, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
