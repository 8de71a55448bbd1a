# Two commands on a fresh machine with Python 3.11+:  make demo  and  make test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FRONTDOOR_ENV ?= development

# Installs come from the lock files (exact versions, checked by hash); `make lock` renews them
# after pyproject.toml changes: production.txt is the app and its production extra (what a
# council's server installs), dev.txt adds the test tools, at the same versions.
LOCK     := requirements/production.txt
DEV_LOCK := requirements/dev.txt
LOCK_IN  := pyproject.toml requirements/build.in
COMPILE   = $(BIN)/uv pip compile --quiet --generate-hashes --universal --python-version 3.11

.PHONY: demo test test-unit install install-test browser model db lint bench lock clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The project itself goes in without dependencies (all in the lock) and without fetching a
# build backend (setuptools is in the lock too).
define install_locked
	$(BIN)/pip install --quiet --require-hashes -r $(1)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/pip check >/dev/null || { $(BIN)/pip check; \
	  echo "$(1) does not match pyproject.toml: run make lock"; exit 1; }
endef

.stamp-install: pyproject.toml $(LOCK) | $(BIN)/python
	$(call install_locked,$(LOCK))
	touch $@

.stamp-install-test: pyproject.toml $(DEV_LOCK) .stamp-install
	$(call install_locked,$(DEV_LOCK))
	touch $@

# Renew the lock files from pyproject.toml, keeping every version already pinned that still
# fits (add UPGRADE=--upgrade for the newest). Online, or from uv's cache when offline.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet 'uv>=0.5,<1'
	$(COMPILE) $(UPGRADE) --extra production -o $(LOCK) $(LOCK_IN) \
	  || $(COMPILE) --offline --extra production -o $(LOCK) $(LOCK_IN)
	$(COMPILE) $(UPGRADE) --extra production --extra test -c $(LOCK) -o $(DEV_LOCK) $(LOCK_IN) \
	  || $(COMPILE) --offline --extra production --extra test -c $(LOCK) -o $(DEV_LOCK) $(LOCK_IN)

# Residents' words in Welsh: extract the marked English strings, merge them into the Welsh
# catalogue (frontdoor/translations/cy/LC_MESSAGES/messages.po, where a translator works),
# and compile the .mo files, which are committed (tests/test_i18n.py checks they are current).
PYBABEL = $(BIN)/pybabel
translations: .stamp-install
	$(PYBABEL) extract -F babel.cfg -k lazy_gettext -k lazy_pgettext:1c,2 --no-location \
	  --sort-output --omit-header -o frontdoor/translations/messages.pot .
	$(PYBABEL) update -i frontdoor/translations/messages.pot -d frontdoor/translations \
	  --no-fuzzy-matching --width 100
	$(PYBABEL) compile -d frontdoor/translations --statistics

install: .stamp-install
install-test: .stamp-install-test

# Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

model: .stamp-install
	$(BIN)/frontdoor train --if-missing

db: .stamp-install
	$(BIN)/frontdoor db upgrade
	$(BIN)/frontdoor load-config

demo: model db
	$(BIN)/frontdoor demo
	@echo ""
	@echo "  frontdoor demo (fictional council data) on http://127.0.0.1:5000"
	@echo "    web chat:            http://127.0.0.1:5000/chat"
	@echo "    a resident's phone:  http://127.0.0.1:5000/dev/sms"
	@echo "    SMS webhook:         POST http://127.0.0.1:5000/sms/inbound (Twilio-signed)"
	@echo "    chat API (OpenAPI):  http://127.0.0.1:5000/chat/api/openapi.json"
	@echo ""
	@echo "    coordinators' inbox: http://127.0.0.1:5000/inbox (sign-ins above)"
	@echo ""
	# The worker sends coordinators' replies (shown on /dev/sms) and prints notifications.
	$(BIN)/frontdoor worker & trap 'kill $$!' EXIT INT TERM; \
	  $(BIN)/frontdoor run --host 127.0.0.1 --port 5000

# pytest keeps the test modules it rewrites (and its plugins': about 330 modules) as
# bytecode in __pycache__; where the environment forbids writing bytecode
# (PYTHONDONTWRITEBYTECODE), every run parses and rewrites them all again, seconds of work.
PYTEST = env -u PYTHONDONTWRITEBYTECODE FRONTDOOR_ENV=test $(BIN)/pytest

test: .stamp-install-test browser
	$(BIN)/ruff check frontdoor tests bench
	$(BIN)/mypy frontdoor
	$(BIN)/lint-imports
	$(PYTEST) $(PYTEST_ARGS)

# The unit tier alone (no database, no trained model): seconds, for the edit-test loop.
test-unit: .stamp-install-test
	$(PYTEST) -m unit --durations=5 $(PYTEST_ARGS)

lint: .stamp-install-test
	$(BIN)/ruff check frontdoor tests bench
	$(BIN)/mypy frontdoor
	$(BIN)/lint-imports

bench: .stamp-install-test model
	$(BIN)/python bench/triage.py
	$(BIN)/python bench/answers.py

clean:
	rm -rf $(VENV) .stamp-* instance
