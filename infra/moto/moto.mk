# moto: a local AWS stand-in for the adapter tests (included by the root Makefile).
#
#   make moto-venv    create .venv-moto/ and install infra/moto/requirements.txt
#   make moto-start   start moto_server on 127.0.0.1:$(MOTO_PORT), wait until it answers
#   make moto-stop    stop it (no error when it is not running)
#
# Tests find it through MOTO_ENDPOINT. In a recipe of the root Makefile,
#   $(call with_moto,go test ./...)
# starts moto, runs the command with MOTO_ENDPOINT set, stops moto whether or
# not the command failed, and exits with the command's status.

MOTO_PORT ?= 5055
MOTO_ENDPOINT ?= http://127.0.0.1:$(MOTO_PORT)
MOTO_PYTHON ?= python3
MOTO_VENV := .venv-moto
MOTO_REQUIREMENTS := infra/moto/requirements.txt
# The stamp is newer than requirements.txt once they are installed, so the
# install re-runs only when requirements.txt changes.
MOTO_STAMP := $(MOTO_VENV)/.installed
MOTO_PIDFILE := .cache/moto-$(MOTO_PORT).pid
MOTO_LOG := .cache/moto-$(MOTO_PORT).log

with_moto = $(MAKE) --no-print-directory moto-start && { MOTO_ENDPOINT=$(MOTO_ENDPOINT) $(1); rc=$$?; $(MAKE) --no-print-directory moto-stop; exit $$rc; }

.PHONY: moto-venv moto-start moto-stop

moto-venv: $(MOTO_STAMP)

$(MOTO_STAMP): $(MOTO_REQUIREMENTS)
	test -x $(MOTO_VENV)/bin/python || $(MOTO_PYTHON) -m venv $(MOTO_VENV)
	$(MOTO_VENV)/bin/pip install --quiet --disable-pip-version-check -r $(MOTO_REQUIREMENTS)
	touch $@

# Starts moto unless our pid file names a live process, then polls until it
# answers HTTP (up to about 30 s), printing its log when it does not.
moto-start: $(MOTO_STAMP)
	@mkdir -p .cache
	@if [ -f $(MOTO_PIDFILE) ] && kill -0 "$$(cat $(MOTO_PIDFILE))" 2>/dev/null; then \
		echo "moto already running (pid $$(cat $(MOTO_PIDFILE))) at $(MOTO_ENDPOINT)"; \
	else \
		nohup $(MOTO_VENV)/bin/moto_server -H 127.0.0.1 -p $(MOTO_PORT) >$(MOTO_LOG) 2>&1 & \
		echo $$! >$(MOTO_PIDFILE); \
	fi
	@for i in $$(seq 1 150); do \
		if $(MOTO_VENV)/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)' $(MOTO_ENDPOINT) 2>/dev/null; then \
			echo "moto listening at $(MOTO_ENDPOINT) (pid $$(cat $(MOTO_PIDFILE)))"; exit 0; \
		fi; \
		if ! kill -0 "$$(cat $(MOTO_PIDFILE))" 2>/dev/null; then \
			echo "moto exited; its log:" >&2; cat $(MOTO_LOG) >&2; rm -f $(MOTO_PIDFILE); exit 1; \
		fi; \
		sleep 0.2; \
	done; \
	echo "moto did not answer at $(MOTO_ENDPOINT); its log:" >&2; cat $(MOTO_LOG) >&2; exit 1

moto-stop:
	@if [ -f $(MOTO_PIDFILE) ]; then \
		pid=$$(cat $(MOTO_PIDFILE)); \
		if kill "$$pid" 2>/dev/null; then \
			for i in $$(seq 1 50); do kill -0 "$$pid" 2>/dev/null || break; sleep 0.1; done; \
			echo "moto stopped (pid $$pid)"; \
		fi; \
		rm -f $(MOTO_PIDFILE); \
	fi
