# motcua: the front door. `make help` lists the targets.
SHELL := bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
SERVICES := intake routing signing notification feedback

.PHONY: help setup proto run test test-unit test-integration lint helm-lint clean $(addprefix run-,$(SERVICES))

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
	@.venv/bin/ruff check libs services tests infra

helm-lint: setup ## helm lint --strict and rendered manifests validated against Kubernetes 1.30
	@HELM=.cache/bin/helm PYTHON=$(PY) bash infra/helm-check.sh

$(addprefix run-,$(SERVICES)): run-%: setup
	@set -a; source <($(PY) -c "import sys; sys.path.insert(0,'infra'); from stack import Stack; from pathlib import Path; \
	  [print(f'{k}={v}') for k,v in Stack(data=Path('.data'), run=Path('.run')).service_env('$*').items()]"); set +a; \
	  $(PY) -m $* all

clean: ## Remove what the build downloaded, generated and stored (.venv .cache .data .run)
	rm -rf .venv .cache .data .run libs/motcua/v1
