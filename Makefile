# The two commands: `make run` and `make test`. Everything else is set-up they share.
# The interpreter of .venv (Python 3.11 or newer): the distribution's /usr/bin/python3 when it is
# one and can make virtualenvs, else python3 on the PATH; another with `make setup PYTHON=...`.
# Distributions build theirs with profile-guided and link-time optimisation; builds without
# (pyenv's default) spend about a fifth more CPU a request (README "Serving in production").
SYSTEM_PYTHON := $(shell /usr/bin/python3 -c 'import ensurepip, sys, venv; print(sys.version_info >= (3, 11))' 2>/dev/null)
PYTHON ?= $(if $(filter True,$(SYSTEM_PYTHON)),/usr/bin/python3,python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: setup run test lint bench-inbox bench-public bench-lighthouse docs-examples clean

setup: $(VENV)/.installed static/vendor/.copied static/dist/manifest.json

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/vendor/.copied: node_modules/.installed static/scss/portal.scss
	rm -rf static/vendor
	mkdir -p static/vendor/govuk-frontend static/vendor/htmx
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/vendor/govuk-frontend/
	cp -r node_modules/govuk-frontend/dist/govuk/assets static/vendor/govuk-frontend/assets
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	mkdir -p static/vendor/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css static/vendor/swagger-ui/
	npm run --silent build:css
	touch $@

# Fingerprinted, precompressed copies of every static file (portal/assets.py).
static/dist/manifest.json: $(VENV)/.installed static/vendor/.copied portal/assets.py $(shell find static/js static/css static/favicon.svg -type f)
	$(BIN)/python -m portal.assets

instance:
	mkdir -p instance

run: setup instance
	$(FLASK) db upgrade
	$(FLASK) framework load
	$(FLASK) surveys sync
	$(FLASK) demo seed --if-empty
	$(FLASK) demo users
	$(FLASK) outbox send --loop & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/pytest

# Example documents from demo data, for review: instance/examples/ (never committed). A throwaway
# SQLite database beside them holds the demo data and the example meeting.
EXAMPLES := instance/examples
docs-examples: setup instance
	rm -rf $(EXAMPLES) && mkdir -p $(EXAMPLES)
	export DATABASE_URL=sqlite:///$(CURDIR)/$(EXAMPLES)/demo.db; \
	$(FLASK) db upgrade && $(FLASK) framework load && \
	$(FLASK) demo seed --feedback 1500 --seed 14 && $(FLASK) demo users >/dev/null && \
	$(FLASK) demo documents --out $(EXAMPLES)

# The inbox at 1,000,000 items on SQLite and on PostgreSQL (the database BENCH_PG must exist):
# every scenario, search combined with each filter among them. BENCH_DISTINCT items are seeded
# by the demo seed and copied up to the million (bench/replicate.py); --reuse keeps the data.
BENCH_PG ?= postgresql:///portal_bench
BENCH_DISTINCT ?= 100000
bench-inbox: setup
	$(BIN)/python bench/inbox.py --reuse --distinct $(BENCH_DISTINCT)
	$(BIN)/python bench/inbox.py --reuse --distinct $(BENCH_DISTINCT) --database-url $(BENCH_PG)

# Public pages beside a bare Flask app serving the same bytes (bench/public.py); needs wrk.
bench-public: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y wrk; } \
		|| { echo "bench-public needs wrk: apt-get install wrk" >&2; exit 1; }
	$(BIN)/python bench/public.py

# Lighthouse (mobile) on /, /framework and a commitment page, with Debian's Chromium.
bench-lighthouse: setup
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python bench/lighthouse.py

clean:
	rm -rf $(VENV) node_modules static/vendor
