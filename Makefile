# Two commands do all the set-up:
#   make baseline   install into .venv and run the baseline scenario with its plots (results/baseline)
#   make test       install into .venv (with test tools and Chromium), check style and types, run
#                   the whole test suite, then the quick tests on a core install at minimum versions
#   make forecast   the forecast of 2020: screen and fit on the 2019 war, forecasts from three
#                   origins, scores (scripts/forecast-2020.sh; about 18 minutes on 2 cores)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: baseline forecast test test-min lint install clean

$(STAMP): pyproject.toml
	@test -x $(PY) || "$$(scripts/find-python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

baseline: $(STAMP)
	$(PY) -m libyasim.model
	$(VENV)/bin/libyasim run scenarios/baseline.toml --runs 1500 --out results/baseline --force
	$(VENV)/bin/libyasim run scenarios/baseline.toml --prior --runs 1500 \
		--out results/baseline-prior --force --quiet
	$(VENV)/bin/libyasim validate results/baseline --reference results/baseline-prior --force

forecast: $(STAMP)
	$(PY) -m libyasim.model
	LIBYASIM=$(VENV)/bin/libyasim scripts/forecast-2020.sh

test: $(STAMP) lint
	scripts/install-browser.sh
	$(PY) -m libyasim.model
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)
	$(MAKE) test-min

# style and types (configured in pyproject.toml)
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy src

# the core alone, at the lowest versions pyproject.toml allows, in a fresh build/min-venv
test-min:
	scripts/test-min-versions.sh

clean:
	rm -rf $(VENV) results
