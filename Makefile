# fivestar: two commands for a fresh machine, `make demo` and `make test`.
SHELL := /bin/bash
export UV_CACHE_DIR ?= $(CURDIR)/.cache/uv
UV := $(CURDIR)/.cache/tools/bin/uv
RUN := $(UV) run --frozen

.PHONY: setup demo test unit bench bench-release-day eval eval-ner lint catalogue-up catalogue-down catalogue-status review dagster stop

setup:
	@scripts/setup.sh

## The main job end to end on the bundled datasets. Locally the URIs fivestar mints are
## the linked-data front's own address, so every one of them resolves (FIVESTAR_BASE_URI).
demo: setup catalogue-up
	FIVESTAR_BASE_URI=$${FIVESTAR_BASE_URI:-http://127.0.0.1:$${FIVESTAR_LINKEDDATA_PORT:-$$((8090 + $${FIVESTAR_PORT_OFFSET:-0}))}} \
	  $(RUN) python -m fivestar_dev demo

## The whole test suite (starts the local catalogue itself).
test: setup catalogue-up
	$(RUN) pytest

## Unit tests only (no catalogue).
unit: setup
	$(RUN) pytest -m "not integration and not browser"

## Speed and memory benchmarks (large extracts generated on demand): `fivestar stage`
## end to end and each stage's function, at 100k and 1M rows; ROWS=10M adds 10M.
bench: setup
	$(RUN) python -m benchmarks.run $(if $(ROWS),--up-to $(ROWS)) $(BENCH_ARGS)

## Person-name scrubbing measured on held-out names: recall and over-redaction.
## EVAL_ARGS="--corpora first,other,third,fourth,fifth,seventh" to leave the blind sixth out.
eval: setup
	$(RUN) python -m benchmarks.names.evaluate $(EVAL_ARGS)

## The statistical NER experiment (a small spaCy model trained here; not in the pipeline:
## see the README): aggregate figures only. CORPUS=fifth for the blind corpus.
eval-ner: setup
	$(RUN) python -m benchmarks.names.ner_experiment --corpus $(or $(CORPUS),fourth)

## A release day on the distributed profile, once with 1 and once with 2 Celery
## workers: 8 datasets staged, each approved as it is staged and published
## (FULL=1: fifty datasets, up to 250 000 rows).
bench-release-day: setup catalogue-up
	$(RUN) python -m benchmarks.release_day $(if $(FULL),--full,) $(BENCH_ARGS)

lint: setup
	$(RUN) ruff check .

catalogue-up: setup
	@catalogue/bin/up

catalogue-down:
	@catalogue/bin/down

catalogue-status:
	@catalogue/bin/status

## The review service (the Transparency Champion's app and the decisions' API),
## started in the background as its own OS user, fivestar-review.
review: setup
	$(RUN) fivestar service start

## Dagster UI on the asset graph.
dagster: setup
	umask 077 && DAGSTER_HOME=$(CURDIR)/.fivestar/dagster $(RUN) dagster dev -w workspace.yaml

## Stop what `make demo` left running (Dagster daemon and UIs, review service) and the catalogue.
stop:
	@for f in .fivestar/dagster-daemon.pid .fivestar/dagster-ui.pid \
	  .fivestar/dagster-operator-ui.pid .fivestar/review.pid; do \
	  [ -f $$f ] && kill -- -$$(cat $$f) 2>/dev/null; rm -f $$f; done; true
	@catalogue/bin/down
