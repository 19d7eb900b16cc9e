#!/usr/bin/env bash
# Checks the Helm charts the way CI does: builds their file:// dependencies (offline), lints every chart
# with --strict, renders the umbrella with its default values and with each helm/motcua/ci/*.yaml (and
# each service chart on its own), makes sure bad values are refused by the values schemas or the
# templates, checks the rules every manifest keeps (tests/deploy/policy.py), and validates every
# rendered object strictly against the Kubernetes schemas of each supported version.
#
#   HELM=/path/to/helm PYTHON=/path/to/python bash infra/helm-check.sh
#
# PYTHON must have kubernetes-validate and PyYAML installed (pip install kubernetes-validate==1.37.0).
# Everything it writes goes under .run/helm/: a copy of the charts with their built dependencies
# (the work tree is left alone), Helm's own cache and config, and the rendered manifests.
set -euo pipefail

: "${HELM:?set HELM to the helm binary}"
: "${PYTHON:?set PYTHON to a python that has kubernetes-validate installed}"

# The Kubernetes versions the charts support; the oldest is the one helm lints and renders for.
KUBERNETES_VERSIONS=(1.29.0 1.30.0 1.31.0 1.32.0 1.33.0)
SERVICES=(intake routing signing notification feedback)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/.run/helm"
charts="$out/charts"
rendered="$out/rendered"
logs="$out/logs"
started=$SECONDS

fail() {
  echo "helm-check: FAILED: $*" >&2
  exit 1
}

# Runs a command with its output in a log file; on failure shows the log and stops.
run_logged() {
  local log="$1" what="$2"
  shift 2
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "$what (log: ${log#"$root"/})"
  fi
}

check_tools() {
  "$HELM" version --short >/dev/null 2>&1 || fail "HELM=$HELM does not run"
  "$PYTHON" -m kubernetes_validate --version >/dev/null 2>&1 \
    || fail "PYTHON=$PYTHON has no kubernetes-validate (pip install kubernetes-validate==1.37.0)"
  echo "helm-check: helm $("$HELM" version --short), kubernetes-validate $("$PYTHON" -m kubernetes_validate --version)"
}

# A fresh copy of the charts, without whatever a local `helm dependency build` left in helm/, and a
# Helm home of its own so that no user repository or cache is consulted.
prepare() {
  rm -rf "$out"
  mkdir -p "$charts" "$rendered" "$logs"
  cp -R "$root/helm/." "$charts/"
  rm -rf "$charts"/*/charts "$charts"/*/Chart.lock
  export HELM_CACHE_HOME="$out/home/cache"
  export HELM_CONFIG_HOME="$out/home/config"
  export HELM_DATA_HOME="$out/home/data"
}

# The library chart is packaged into each service chart, and each service chart (with its charts/)
# into the umbrella, so the service charts go first.
build_dependencies() {
  local chart
  for chart in "${SERVICES[@]}" motcua; do
    run_logged "$logs/dependency-$chart.log" "helm dependency build $chart" \
      "$HELM" dependency build --skip-refresh "$charts/$chart"
  done
  echo "helm-check: dependencies built for ${SERVICES[*]} motcua"
}

# helm lint exits non-zero on a warning with --strict; the grep also catches one that it only prints.
lint() {
  local log="$logs/lint-$1.log"
  shift
  run_logged "$log" "helm lint --strict $*" "$HELM" lint --strict --kube-version "${KUBERNETES_VERSIONS[0]}" "$@"
  if grep -q '\[WARNING\]' "$log"; then
    cat "$log" >&2
    fail "helm lint warned: $*"
  fi
  linted=$((linted + 1))
}

lint_all() {
  local chart values
  linted=0
  for chart in motcua-lib "${SERVICES[@]}" motcua; do
    lint "$chart" "$charts/$chart"
  done
  for values in "$charts"/motcua/ci/*.yaml; do
    lint "motcua-$(basename "$values" .yaml)" "$charts/motcua" --values "$values"
  done
  echo "helm-check: helm lint --strict passed ($linted runs, no warnings)"
}

render() {
  local name="$1" log="$logs/template-$1.log"
  shift
  if ! "$HELM" template "$@" --namespace motcua --kube-version "${KUBERNETES_VERSIONS[0]}" \
    >"$rendered/$name.yaml" 2>"$log"; then
    cat "$log" >&2
    fail "helm template $name (log: ${log#"$root"/})"
  fi
  grep -q '^kind:' "$rendered/$name.yaml" || fail "helm template $name rendered no object"
  rendered_sets=$((rendered_sets + 1))
}

render_all() {
  local chart values
  rendered_sets=0
  render motcua-default motcua "$charts/motcua"
  for values in "$charts"/motcua/ci/*.yaml; do
    render "motcua-$(basename "$values" .yaml)" motcua "$charts/motcua" --values "$values"
  done
  for chart in "${SERVICES[@]}"; do
    render "$chart" "$chart" "$charts/$chart"
  done
  echo "helm-check: rendered $rendered_sets value sets into ${rendered#"$root"/}/"
}

# Each of these must be refused, by a values schema or by a template's required/fail; several
# settings in one case are separated by commas, as --set takes them.
reject_bad_values() {
  local bad=(
    "intake.ports.http=0"
    "intake.server.replicaCount=two"
    "intake.logLevel=VERBOSE"
    "intake.server.resources.limits=null"
    "intake.portz.http=8081"
    "intake.maxAttachmentBytes=-1"
    "routing.signingAddr=signing"
    "signing.pki.existingSecret=Not_A_Name"
    "notification.smtp.username=motcua"
    "notification.channels={zns,email}"
    "notification.channels={sms,fax}"
    "feedback.serviceMonitor.interval=often"
    "global.kafka.bootstrapServers=kafka"
    "global.mongo.existingSecret="
    "global.jwt.publicKeySecret="
    "routing.enabled=maybe"
    "global.image.tag=latest"
    "intake.image.tag=latest"
    "intake.securityContext.runAsNonRoot=false"
    "intake.podSecurityContext.runAsUser=0"
    "intake.waitForDependencies.resources=null"
    "intake.server.autoscaling.enabled=true,intake.server.autoscaling.maxReplicas=1"
    "routing.worker.autoscaling.kafkaLag.targetAverageValue=0"
    "signing.networkPolicy.grpcCallers={billing}"
    "intake.topologySpread[0].whenUnsatisfiable=Sometimes"
    "global.kafka.sasl.enabled=true"
    "global.kafka.sasl.mechanism=GSSAPI"
    "global.kafka.tls.clientSecret=motcua-user"
    "global.kafka.topicPrefix=has space"
    "kafkaTopics.replicas=0"
    "kafkaTopics.topics[0].partitions=0"
    "kafkaTopics.config.min\\.insync\\.replicas=5"
    "kafkaTopics.strimzi.enabled=true,kafkaTopics.job.enabled=true"
    "kafkaTopics.strimzi.apiVersion=kafka.strimzi.io/v1alpha1"
    "prometheusRule.slo.availability=1.5"
    "prometheusRule.slo.latency.thresholdSeconds=0.3"
    "prometheusRule.runbookBaseUrl=docs/runbooks.md"
    "dashboards.labels.grafana_dashboard=1"
  )
  local setting
  rejected=0
  for setting in "${bad[@]}"; do
    if "$HELM" template motcua "$charts/motcua" --set "$setting" >/dev/null 2>"$logs/bad-value.log"; then
      fail "a bad value was accepted: --set $setting"
    fi
    rejected=$((rejected + 1))
  done
  echo "helm-check: $rejected bad values refused"
}

# What the schemas cannot see: the rules of tests/deploy/policy.py (secure defaults, resources, probes,
# pinned images, secrets only by reference, spread, NetworkPolicies, the shape of the CRD objects).
check_policy() {
  if ! "$PYTHON" "$root/tests/deploy/policy.py" "$rendered"/*.yaml >"$logs/policy.log" 2>&1; then
    cat "$logs/policy.log" >&2
    fail "the manifests break the rules of tests/deploy/policy.py (see the policy: lines above)"
  fi
  echo "helm-check: policy rules hold: $(tail -n 1 "$logs/policy.log")"
}

# Every object against every version, strictly (unknown fields are errors), in one Python process.
# kubernetes-validate has no schema for CRDs: ServiceMonitor, PrometheusRule and KafkaTopic are the
# kinds allowed through, and check_policy checks their shape; any other unknown kind fails.
validate_all() {
  if ! "$PYTHON" - "${KUBERNETES_VERSIONS[*]}" "$rendered"/*.yaml >"$logs/validate.log" 2>&1 <<'PY'
import functools
import sys
from pathlib import Path

import yaml
from kubernetes_validate import utils

utils.schema_contents = functools.lru_cache(maxsize=None)(utils.schema_contents)
CUSTOM_KINDS = {"ServiceMonitor", "PrometheusRule", "KafkaTopic"}
versions = sys.argv[1].split()
errors, valid, custom = [], 0, 0
for path in sys.argv[2:]:
    docs = [doc for doc in yaml.safe_load_all(open(path, encoding="utf-8")) if doc]
    for version in versions:
        for doc in docs:
            where = f"{Path(path).stem}: {doc['kind']}/{doc['metadata']['name']} on Kubernetes {version}"
            try:
                utils.validate(doc, version, strict=True)
                valid += 1
            except utils.SchemaNotFoundError:
                if doc["kind"] not in CUSTOM_KINDS:
                    errors.append(f"{where}: kubernetes-validate has no schema for {doc['apiVersion']}")
                custom += 1
            except utils.ValidationError as error:
                errors.append(f"{where}: {'.'.join(str(p) for p in error.path)}: {error.message}")
for error in errors:
    print(f"ERROR {error}")
print(f"{valid} {custom // len(versions)}")
sys.exit(1 if errors else 0)
PY
  then
    grep '^ERROR' "$logs/validate.log" >&2 || cat "$logs/validate.log" >&2
    fail "manifests do not validate against Kubernetes ${KUBERNETES_VERSIONS[*]}"
  fi
  read -r validated custom < <(tail -n 1 "$logs/validate.log")
  echo "helm-check: $validated object validations passed against Kubernetes ${KUBERNETES_VERSIONS[*]} (strict);" \
    "$custom custom resources (ServiceMonitor, PrometheusRule, KafkaTopic) checked by the policy rules instead"
}

check_tools
prepare
build_dependencies
lint_all
render_all
reject_bad_values
check_policy
validate_all
echo "helm-check: OK in $((SECONDS - started))s: $linted lint runs, $rendered_sets value sets rendered," \
  "$validated validations against Kubernetes ${KUBERNETES_VERSIONS[*]} (strict), $rejected bad values refused"
