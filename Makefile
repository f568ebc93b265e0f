# The two commands: `make demo` serves the portal with demo data, `make test` runs the suite.
VENV   := .venv
PYTHON := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
PORT   ?= 5000
# The interface's catalogs (English is the source language): compiled here, never committed.
CATALOGS := $(foreach locale,fr es ar pt,translations/$(locale)/LC_MESSAGES/messages.mo)
# The static files, and their hashed, compressed copies: built here, never committed.
STATIC_FILES := $(shell find portal/static -type f 2>/dev/null)
STATIC_BUILD := portal/static-build/manifest.json

# Every Python package, the portal's and its tests' and bench/'s, at the version and with the
# hashes in the lock file (`make lock` refreshes it from pyproject.toml's ranges). The lock
# holds every dependency: pip installs it without resolving again, and checks the result.
LOCK := requirements/portal.lock

.PHONY: setup demo serve test lint translations lock wheel clean

setup: $(VENV)/.installed portal/static/vendor/socket.io.min.js $(STATIC_BUILD) $(CATALOGS)

$(VENV)/.installed: pyproject.toml $(LOCK)
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PYTHON) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PYTHON) -m pip check
	touch $@

# The newest versions pyproject.toml allows, written with their hashes; review, test, commit.
lock: $(VENV)/.installed
	$(PYTHON) -m pip install --quiet 'pip-tools>=7.4,<8'
	$(VENV)/bin/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --all-build-deps \
		--strip-extras --no-emit-index-url --no-emit-find-links --extra test --extra bench \
		-o $(LOCK) pyproject.toml

# The wheel an IT team installs (after setup: it carries the built static files).
wheel: setup
	rm -rf build
	$(PYTHON) -m pip wheel --quiet --no-deps --no-build-isolation -w dist .

# npm ci installs the pinned Socket.IO client and jsQR (copied into portal/static/vendor), and
# oidc-provider, the OpenID provider the single sign-on tests start (tests/openid_provider.mjs).
portal/static/vendor/socket.io.min.js: package.json package-lock.json scripts/vendor-assets.mjs
	npm ci --no-audit --no-fund
	touch $@

# Every static file copied under a name that carries its content's hash, and compressed with
# gzip and brotli (portal/static_files.py serves them; docs/deployment.md).
$(STATIC_BUILD): $(STATIC_FILES) portal/static/vendor/socket.io.min.js scripts/build-assets.mjs
	node scripts/build-assets.mjs

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(VENV)/bin/pybabel --quiet compile -l $* -i $< -o $@

# After changing a message in the code or the templates: extract them all again, bring every
# catalog up to date (new messages arrive untranslated, changed ones fuzzy: the suite fails
# until they are translated), and compile.
translations: $(VENV)/.installed
	$(PYTHON) -m portal.catalogs update compile

demo: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(MAKE) --no-print-directory serve

# gunicorn.conf.py holds gunicorn's settings (threads, the log, the Socket.IO mode). The mail
# worker runs beside it and sends the outbox (without SMTP_HOST: writes each e-mail to the
# log); Ctrl-C stops both.
serve: setup
	@echo "The portal is at http://127.0.0.1:$(PORT)/"
	@$(FLASK) send-mail & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(VENV)/bin/gunicorn -c gunicorn.conf.py --bind 127.0.0.1:$(PORT) wsgi:app

test: setup
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules portal/static/vendor portal/static-build $(CATALOGS) build dist
