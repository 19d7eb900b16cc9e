#!/usr/bin/env bash
# Installs everything the local stack and the tests need, into .venv/ and .cache/ (both ignored by git).
# Idempotent: each step leaves a stamp holding the hash of its inputs and is skipped while they are unchanged.
# Usage: infra/setup.sh [venv|proto|kafka|ferretdb|helm|softhsm|fonts|keys|chromium|all]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source infra/versions.env
CACHE=$ROOT/.cache
STAMPS=$CACHE/stamps
PY=${PYTHON:-python3.11}
VENV=$ROOT/.venv
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
mkdir -p "$STAMPS" "$CACHE/bin"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fresh() {  # fresh NAME INPUT...: true when the stamp matches the inputs' hash
  local want; want=$(cat "${@:2}" 2>/dev/null | sha256sum | cut -d' ' -f1)
  echo "$want" > "$STAMPS/$1.want"  # also when the stamp matches but the product is missing
  [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$want" ]
}
stamp() { mv "$STAMPS/$1.want" "$STAMPS/$1"; }
need() { command -v "$1" >/dev/null || { echo "setup: '$1' is needed ($2)" >&2; exit 1; }; }

venv() {
  local inputs=(constraints.txt requirements-dev.txt libs/pyproject.toml services/*/pyproject.toml)
  if fresh venv "${inputs[@]}" && [ -x "$VENV/bin/python" ]; then return; fi
  say "Python virtualenv (.venv)"
  need "$PY" "Python 3.11"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip==25.3
  local editable=(-e libs)
  for s in services/*/; do editable+=(-e "$s"); done
  "$VENV/bin/pip" install -q -c constraints.txt -r requirements-dev.txt "${editable[@]}"
  stamp venv
}

proto() {
  if fresh proto proto/motcua/v1/*.proto constraints.txt && [ -f libs/motcua/v1/events_pb2.py ]; then return; fi
  say "Protobuf and gRPC code (libs/motcua/v1)"
  rm -rf libs/motcua/v1 && mkdir -p libs/motcua/v1 && touch libs/motcua/v1/__init__.py
  "$VENV/bin/python" -m grpc_tools.protoc -Iproto --python_out=libs --grpc_python_out=libs --pyi_out=libs \
    proto/motcua/v1/*.proto
  stamp proto
}

kafka() {
  if fresh kafka infra/kafka/pom.xml && [ -d "$CACHE/kafka/libs" ]; then return; fi
  say "Apache Kafka jars (Maven, infra/kafka/pom.xml)"
  need mvn "Maven, to fetch Kafka"; need java "a Java 17+ runtime, to run Kafka"
  rm -rf "$CACHE/kafka/libs"
  mvn -q -B -f infra/kafka/pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$CACHE/kafka/libs" -DincludeScope=runtime
  stamp kafka
}

ferretdb() {
  if fresh ferretdb infra/ferretdb/go.mod infra/ferretdb/go.sum infra/ferretdb/*.patch \
    && [ -x "$CACHE/bin/ferretdb" ]; then return; fi
  say "FerretDB $FERRETDB_VERSION (go build, SQLite storage, with infra/ferretdb/*.patch)"
  need go "Go, to build FerretDB and Helm"
  need patch "patch, to apply infra/ferretdb/*.patch"
  local src=$CACHE/ferretdb-src
  rm -rf "$src" && mkdir -p "$src"
  cp infra/ferretdb/go.mod infra/ferretdb/go.sum infra/ferretdb/tools.go "$src/"
  (cd "$src" && go mod vendor \
    && echo "$FERRETDB_VERSION" > vendor/github.com/FerretDB/FerretDB/build/version/version.txt \
    && for p in "$ROOT"/infra/ferretdb/*.patch; do patch -s -p1 -d vendor/github.com/FerretDB/FerretDB < "$p"; done \
    && GOFLAGS=-mod=vendor go build -trimpath -o "$CACHE/bin/ferretdb" github.com/FerretDB/FerretDB/cmd/ferretdb)
  stamp ferretdb
}

helm() {
  if fresh helm infra/versions.env && [ -x "$CACHE/bin/helm" ]; then return; fi
  say "Helm $HELM_VERSION (go install)"
  need go "Go, to build Helm"
  GOBIN="$CACHE/bin" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  stamp helm
}

softhsm() {
  local dir=$CACHE/softhsm
  if fresh softhsm infra/versions.env && [ -e "$dir/libsofthsm2.so" ]; then return; fi
  say "SoftHSM2 $SOFTHSM_VERSION (Debian packages unpacked into .cache/softhsm)"
  need apt-get "apt, to download SoftHSM2's Debian packages"; need dpkg-deb "dpkg-deb, to unpack them"
  rm -rf "$dir" "$CACHE/softhsm-debs" && mkdir -p "$CACHE/softhsm-debs"
  (cd "$CACHE/softhsm-debs" && apt-get download -q "softhsm2=$SOFTHSM_VERSION" "softhsm2-common=$SOFTHSM_VERSION" \
    "libsofthsm2=$SOFTHSM_VERSION") || { echo "setup: apt-get download failed (apt-get update first?)" >&2; exit 1; }
  for deb in "$CACHE"/softhsm-debs/*.deb; do dpkg-deb -x "$deb" "$dir"; done
  local missing; missing=$(ldd "$dir"/usr/bin/softhsm2-util "$dir"/usr/lib/*/softhsm/libsofthsm2.so | grep "not found" || true)
  [ -z "$missing" ] || { echo "setup: SoftHSM2 needs shared libraries this system lacks: $missing" >&2; exit 1; }
  (cd "$dir" && ln -sf usr/lib/*/softhsm/libsofthsm2.so libsofthsm2.so)  # one path on every architecture
  stamp softhsm
}

chromium() {
  # The browser tests drive Debian's Chromium through Playwright; Playwright never downloads a browser here.
  [ -x /usr/bin/chromium ] && return
  say "Chromium $CHROMIUM_VERSION (Debian package, for the browser tests)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: /usr/bin/chromium is needed by the browser tests: apt-get install chromium as root" >&2; exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "chromium=$CHROMIUM_VERSION" ||
    { echo "setup: chromium $CHROMIUM_VERSION has left the archive; installing its successor" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }
}

fonts() {
  # Signing's forms embed DejaVu Serif (full Vietnamese coverage) from Debian's packages, as its image does.
  local dir=/usr/share/fonts/truetype/dejavu
  [ -f $dir/DejaVuSerif.ttf ] && [ -f $dir/DejaVuSerif-Bold.ttf ] && [ -f $dir/DejaVuSerif-Italic.ttf ] && return
  say "DejaVu fonts $DEJAVU_VERSION (Debian packages, for signing's forms)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: signing needs $dir/DejaVuSerif*.ttf: apt-get install fonts-dejavu-core fonts-dejavu-extra as root" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "fonts-dejavu-core=$DEJAVU_VERSION" "fonts-dejavu-extra=$DEJAVU_VERSION" ||
    { echo "setup: fonts-dejavu $DEJAVU_VERSION has left the archive; installing its successor" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-dejavu-core fonts-dejavu-extra; }
}

keys() {
  say "Development JWT keys (.data/keys), local PKI (.data/pki) and SoftHSM2 token (.data/softhsm)"
  "$VENV/bin/python" -m motcua.devtoken --keys .data/keys --keygen >/dev/null
  for caller in intake routing; do  # the tokens these services show signing (docs/signing.md, Authorisation)
    "$VENV/bin/python" -m motcua.devtoken --keys .data/keys --role service --sub "$caller" --agency "" \
      --ttl 31536000 > ".data/keys/service-$caller.jwt"
  done
  "$VENV/bin/python" -m signing.pki --dir .data/pki >/dev/null
  "$VENV/bin/python" -m signing.hsm --state .data/softhsm --pki .data/pki --softhsm "$CACHE/softhsm" >/dev/null
}

case "${1:-all}" in
  venv) venv ;;
  proto) venv; proto ;;
  kafka) kafka ;;
  ferretdb) ferretdb ;;
  helm) helm ;;
  softhsm) softhsm ;;
  chromium) chromium ;;
  keys) venv; proto; softhsm; keys ;;
  fonts) fonts ;;
  all) venv; proto; kafka; ferretdb; helm; softhsm; fonts; keys; chromium ;;
  *) echo "usage: $0 [venv|proto|kafka|ferretdb|helm|softhsm|fonts|keys|chromium|all]" >&2; exit 2 ;;
esac
