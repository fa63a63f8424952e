# CoP Digest. `make run` and `make test` work on a fresh machine with only Python 3.11+
# and the package registries; everything else is installed here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAMPLE_PERIOD := 2026-10
CHROMIUM := /usr/bin/chromium

.PHONY: run test bench lint preview screenshots clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

## run: the main job on the sample organisation in feeds/, offline
run: $(VENV)/.installed
	$(VENV)/bin/digest --config digest.toml run --period $(SAMPLE_PERIOD)

## preview: serve the sample's built issues in a browser
preview: $(VENV)/.installed
	$(VENV)/bin/digest --config digest.toml preview --period $(SAMPLE_PERIOD)

# Debian's chromium drives the browser tests (Playwright cannot download browsers here).
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

## test: install what the tests need (chromium included) and run them
test: $(VENV)/.installed-test $(CHROMIUM) $(if $(wildcard package.json),node_modules/.installed)
	$(PY) -m ruff check .
	$(PY) -m mypy digest
	$(PY) -m pytest -n 2 -q

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

## bench: collection, sending and outcome-extraction benchmarks (figures printed, not asserted)
bench: $(VENV)/.installed-bench
	@# every bench runs and prints its figures; the target fails at the end if any failed
	@failed=; for b in bench/collect_bench.py bench/send_bench.py bench/outcomes_bench.py bench/report_bench.py bench/soak_bench.py bench/personal_bench.py bench/bench_content.py bench/preview_bench.py bench/size_bench.py bench/followup_bench.py bench/render_bench.py bench/extract_speed.py; do \
		echo "== $$b"; $(PY) $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "missed or failed:$$failed"; exit 1; fi

## screenshots: refresh docs/screenshots/ from the sample organisation
screenshots: $(VENV)/.installed-test $(CHROMIUM)
	$(PY) -m tests.test_browser

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .

clean:
	rm -rf out var bench/out .pytest_cache
