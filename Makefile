# The two commands: `make run` and `make test`. Everything else is set-up they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: setup run test lint bench-inbox clean

setup: $(VENV)/.installed static/vendor/.copied

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

bench-inbox: setup
	$(BIN)/python bench/inbox.py --reuse

clean:
	rm -rf $(VENV) node_modules static/vendor
