# The two commands: `make demo` serves the portal with demo data, `make test` runs the suite.
VENV   := .venv
PYTHON := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
PORT   ?= 5000

.PHONY: setup demo serve test lint clean

setup: $(VENV)/.installed portal/static/vendor/socket.io.min.js

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test]'
	touch $@

# npm ci installs the pinned Socket.IO client and copies it into portal/static/vendor.
portal/static/vendor/socket.io.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

demo: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(MAKE) --no-print-directory serve

# gunicorn's threads serve pages and WebSocket connections alike (simple-websocket).
serve: setup
	@echo "The portal is at http://127.0.0.1:$(PORT)/"
	$(VENV)/bin/gunicorn --workers 1 --threads 64 --bind 127.0.0.1:$(PORT) \
		--access-logfile - wsgi:app

test: setup
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules portal/static/vendor
