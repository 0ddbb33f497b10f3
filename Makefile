# Two commands do all set-up on a fresh machine: `make site` and `make test`.
# Both create .venv from the pinned requirements.txt; nothing installed elsewhere is used.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test lint check serve clean browser-deps build-deps bench links links-online check-links diff diff-comment links-issue

# The oldest Python supported is 3.11.2 (Debian 12's): scripts/check_python.py says so before anything is made.
# --no-compile: Python compiles a module when it is first imported; compiling every installed file
# up front was a quarter of the install's CPU (48 s against 35 s, 2 December 2026).
# pip first, pinned: the pip that `python -m venv` brings with Python 3.11 (23.2) spends 11 s of CPU
# choosing among the files the package index lists for the pins below; 26.3 spends 4 s (2 December 2026).
# The engine itself: built by the setuptools pinned in requirements.txt (pip would fetch the newest into a
# build environment of its own first: 1.4 s more), -qq or setuptools' notice about editable installs shows.
PIP := pip==26.3
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) scripts/check_python.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(PIP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt
	$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# CHECK_FORMAT=github prints GitHub Actions annotations (CI); fmt and schema checks keep diffs small and the
# committed JSON Schema in step with generator/schema.py.
CHECK_FORMAT ?= text
check: $(STAMP)
	$(BIN)/python -m generator check --format $(CHECK_FORMAT)
	$(BIN)/python -m generator fmt --check
	$(BIN)/python -m generator schema --check

site: $(STAMP)
	$(BIN)/python scripts/build_site.py

# Links of the built site: internal links and #fragments, external addresses for form only.
links: site
	$(BIN)/python scripts/check_links.py site

# The same check of the site already in site/, without building it again (CI builds once).
check-links: $(STAMP)
	$(BIN)/python scripts/check_links.py site

# Opt-in: also fetch external addresses (cache in .build/link-cache.json, retries, rate limit).
# LINKS_REPORT=FILE also writes the result as Markdown (the weekly workflow's standing issue).
LINKS_REPORT ?=
links-online: site
	$(BIN)/python scripts/check_links.py site --online $(if $(LINKS_REPORT),--report $(LINKS_REPORT))

# What a change does to the dossier against BASE (a git revision), as Markdown in .build/diff.md.
BASE ?= origin/main
diff: $(STAMP)
	$(BIN)/python -m generator diff $(BASE) --out .build/diff.md

# CI only (GITHUB_REPOSITORY, GITHUB_TOKEN): one comment on pull request PR, one standing issue.
diff-comment:
	$(PYTHON) scripts/github_report.py comment --pr $(PR) --body-file .build/diff.md
links-issue:
	$(PYTHON) scripts/github_report.py issue --title "Weekly external link check" --label external-links \
		--body-file .build/links-report.md

# Synthetic dossiers of 1,000 and 10,000 records; writes bench/results/latest.{json,md}. Takes long.
BENCH_ARGS ?= --sizes 1000 10000 --runs 3
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# --dirty: a change re-renders only the pages it reaches (generator/incremental.py), not the whole site.
# Served at http://$(SERVE_ADDR) under the path of site_url (from DOSSIER_SITE_URL); strict stays on
# (the plugin shows MkDocs' dirty-build warning as information). Another address: make serve SERVE_ADDR=...
SERVE_ADDR ?= 127.0.0.1:8000
serve: $(STAMP)
	$(BIN)/mkdocs serve --dirty --dev-addr $(SERVE_ADDR)

browser-deps:
	bash scripts/install-browser.sh

# Debian/Ubuntu packages that making .venv compiles against (pyicu), through sudo when not root (CI runners).
build-deps:
	PYTHON=$(PYTHON) bash scripts/install-build-deps.sh

# Lint and format check first (ruff, pinned): seconds, and the cheapest failure to read.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The test run starts its processes and builds at once, and each would compile the same modules on its first
# import: scripts/warm_modules.py imports what the engine, its commands and its tests use, once, first, so that
# they share the compiled modules (3 s on one core; `make site` alone does not need it).
COMPILED := $(VENV)/.compiled-stamp
$(COMPILED): $(STAMP)
	$(BIN)/python scripts/warm_modules.py
	touch $(COMPILED)

# One test process a core (pytest-xdist); a test file's tests stay together in one process, so its
# module fixtures are made once, and conftest.once_per_run shares the session builds between processes.
# Files are handed out in collection order, the longest first (conftest.LONGEST_FIRST), not by test count.
# PYTHONDONTWRITEBYTECODE (set in many container images) is cleared for the run: its processes, some three
# hundred, then share the engine's and the tests' compiled modules instead of each compiling them again
# (11 s of CPU, 2 December 2026); the caches go to __pycache__/, which git ignores.
test: export PYTHONDONTWRITEBYTECODE =
test: $(COMPILED) browser-deps lint
	$(BIN)/python -m pytest -q -n auto --dist loadfile --no-loadscope-reorder

clean:
	rm -rf $(VENV) .build site
