#!/usr/bin/env bash
# Checks the Helm charts the way CI does: builds their file:// dependencies (offline), lints every chart
# with --strict, renders the umbrella with its default values and with each helm/motcua/ci/*.yaml (and
# each service chart on its own), makes sure bad values are refused by the values schemas, checks the
# secure defaults, and validates every rendered object against the Kubernetes schemas.
#
#   HELM=/path/to/helm PYTHON=/path/to/python bash infra/helm-check.sh
#
# PYTHON must have kubernetes-validate installed (pip install kubernetes-validate==1.37.0).
# Everything it writes goes under .run/helm/: a copy of the charts with their built dependencies
# (the work tree is left alone), Helm's own cache and config, and the rendered manifests.
set -euo pipefail

: "${HELM:?set HELM to the helm binary}"
: "${PYTHON:?set PYTHON to a python that has kubernetes-validate installed}"

KUBERNETES_VERSION=1.30.0
SERVICES=(intake routing signing notification feedback)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/.run/helm"
charts="$out/charts"
rendered="$out/rendered"
logs="$out/logs"

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
  run_logged "$log" "helm lint --strict $*" "$HELM" lint --strict --kube-version "$KUBERNETES_VERSION" "$@"
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
  if ! "$HELM" template "$@" --namespace motcua --kube-version "$KUBERNETES_VERSION" \
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

# Each of these must be refused, by a values schema or by a template's required/fail.
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
    "feedback.serviceMonitor.interval=often"
    "global.kafka.bootstrapServers=kafka"
    "global.mongo.existingSecret="
    "global.jwt.publicKeySecret="
    "routing.enabled=maybe"
  )
  local setting
  rejected=0
  for setting in "${bad[@]}"; do
    if "$HELM" template motcua "$charts/motcua" --set "$setting" >/dev/null 2>&1; then
      fail "a bad value was accepted: --set $setting"
    fi
    rejected=$((rejected + 1))
  done
  echo "helm-check: $rejected bad values refused"
}

# What the schemas cannot see: the secure defaults are in place and no secret is rendered as a value.
check_policy() {
  if ! "$PYTHON" - "$rendered"/*.yaml <<'EOF'
import sys
import yaml

SECRET_VARS = ("MONGO_URL", "PASSWORD", "PASSPHRASE", "SECRET", "TOKEN")
problems = []
for path in sys.argv[1:]:
    for doc in yaml.safe_load_all(open(path)):
        if not doc:
            continue
        where = f"{path.rsplit('/', 1)[-1]}: {doc['kind']}/{doc['metadata']['name']}"
        if doc["kind"] == "ConfigMap":
            problems += [f"{where}: {k} in a ConfigMap" for k in doc.get("data", {}) if any(s in k for s in SECRET_VARS)]
        if doc["kind"] != "Deployment":
            continue
        pod = doc["spec"]["template"]["spec"]
        psc = pod.get("securityContext", {})
        if not (psc.get("runAsNonRoot") and psc.get("runAsUser") == 10001):
            problems.append(f"{where}: pod not runAsNonRoot with uid 10001")
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{where}: pod seccompProfile is not RuntimeDefault")
        for c in pod["containers"]:
            sc = c.get("securityContext", {})
            if not sc.get("readOnlyRootFilesystem") or sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: {c['name']} may write its root filesystem or escalate")
            if sc.get("capabilities", {}).get("drop") != ["ALL"]:
                problems.append(f"{where}: {c['name']} does not drop ALL capabilities")
            if not all(c.get("resources", {}).get(k, {}).keys() >= {"cpu", "memory"} for k in ("requests", "limits")):
                problems.append(f"{where}: {c['name']} lacks cpu/memory requests or limits")
            if not {"startupProbe", "livenessProbe", "readinessProbe"} <= c.keys():
                problems.append(f"{where}: {c['name']} lacks a probe")
            if not any(m["mountPath"] == "/tmp" for m in c.get("volumeMounts", [])):
                problems.append(f"{where}: {c['name']} has no writable /tmp")
            for env in c.get("env", []):
                if any(s in env["name"] for s in SECRET_VARS) and "secretKeyRef" not in env.get("valueFrom", {}):
                    problems.append(f"{where}: {env['name']} is not read from a Secret")
for problem in problems:
    print(f"policy: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
  then
    fail "secure defaults not met (see the policy: lines above)"
  fi
  echo "helm-check: secure defaults and secret references hold in every Deployment"
}

# kubernetes-validate only warns, and exits 0, for a kind it has no schema for. It ships none for
# CRDs, so ServiceMonitor (monitoring.coreos.com/v1) is the one kind allowed through unvalidated;
# any other unknown kind fails the check.
validate_all() {
  local file log name objects passed skipped
  validated=0
  skipped_total=0
  for file in "$rendered"/*.yaml; do
    name="$(basename "$file" .yaml)"
    log="$logs/validate-$name.log"
    if ! "$PYTHON" -m kubernetes_validate --strict --kubernetes-version "$KUBERNETES_VERSION" "$file" >"$log" 2>&1; then
      grep -E '^(ERROR|FATAL)' "$log" >&2 || cat "$log" >&2
      fail "$name does not validate against Kubernetes $KUBERNETES_VERSION"
    fi
    if grep '^WARN' "$log" | grep -v 'kind ServiceMonitor with api version monitoring.coreos.com/' >&2; then
      fail "$name has objects of a kind kubernetes-validate has no schema for"
    fi
    objects=$(grep -c '^kind:' "$file")
    passed=$(grep -c '^INFO .* passed for resource' "$log" || true)
    skipped=$(grep -c '^WARN' "$log" || true)
    [ "$objects" -eq $((passed + skipped)) ] \
      || fail "$name: $objects objects rendered but $passed validated and $skipped skipped"
    if [ "$skipped" -gt 0 ]; then
      echo "helm-check: $name: $skipped ServiceMonitor objects not validated: kubernetes-validate has no schema for CRDs"
    fi
    validated=$((validated + passed))
    skipped_total=$((skipped_total + skipped))
  done
  echo "helm-check: $validated objects valid against Kubernetes $KUBERNETES_VERSION (strict)"
}

check_tools
prepare
build_dependencies
lint_all
render_all
reject_bad_values
check_policy
validate_all
echo "helm-check: OK: $linted lint runs, $rendered_sets value sets rendered, $validated objects valid" \
  "against Kubernetes $KUBERNETES_VERSION (strict), $skipped_total ServiceMonitors unvalidated (no CRD schema)," \
  "$rejected bad values refused"
