# motcua: the front door. `make help` lists the targets.
SHELL := bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
SERVICES := intake routing signing notification feedback

.PHONY: help setup proto run test test-unit test-integration lint helm-lint images bench clean $(addprefix run-,$(SERVICES))

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'
	@echo "  run-<service>      Run one service against an already running stack (e.g. make run-intake)"

setup: ## Install everything: .venv, generated code, Kafka, FerretDB, Helm, dev keys and PKI
	@infra/setup.sh all

proto: ## Generate the protobuf and gRPC code into libs/motcua/v1
	@infra/setup.sh proto

run: setup ## Start Kafka, FerretDB, an SMTP sink and all five services; Ctrl-C stops everything
	@$(PY) infra/stack.py

test: setup helm-lint ## Set up, check the charts, then run every test
	@$(PY) -m pytest

test-unit: setup ## Only the unit tests (no Kafka, no database)
	@$(PY) -m pytest libs/tests services -q

lint: setup ## ruff over the code
	@.venv/bin/ruff check libs services tests infra bench

bench: setup ## Benchmarks on the local stack: throughput, latency percentiles, memory (BENCH_N, BENCH_CONCURRENCY)
	@$(PY) -m bench.run

helm-lint: setup ## Chart checks: helm lint --strict, value sets rendered and validated against Kubernetes 1.29-1.33, policy
	@HELM=.cache/bin/helm PYTHON=$(PY) bash infra/helm-check.sh

# Where Docker is available: `make images REGISTRY=registry.example.vn/ VERSION=1.4.2` (REGISTRY ends with /).
REGISTRY ?=
VERSION ?= 0.1.0
images: $(addprefix image-,$(SERVICES)) ## Build the five service images with docker (REGISTRY, VERSION)

image-%:
	docker build -f services/$*/Dockerfile --build-arg VERSION=$(VERSION) -t $(REGISTRY)motcua/$*:$(VERSION) .

$(addprefix run-,$(SERVICES)): run-%: setup
	@set -a; source <($(PY) -c "import sys; sys.path.insert(0,'infra'); from stack import Stack; from pathlib import Path; \
	  [print(f'{k}={v}') for k,v in Stack(data=Path('.data'), run=Path('.run')).service_env('$*').items()]"); set +a; \
	  $(PY) -m $* all

clean: ## Remove what the build downloaded, generated and stored (.venv .cache .data .run)
	rm -rf .venv .cache .data .run libs/motcua/v1
