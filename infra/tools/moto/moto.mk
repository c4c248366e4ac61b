# moto: a local AWS stand-in for the adapter tests (included by the root Makefile).
#
#   make moto-venv                 create .venv-moto/ and install infra/tools/moto/requirements.txt
#   make moto-start [MOTO_PORT=N]  start moto_server on 127.0.0.1:N, or on a free port the
#                                  kernel chooses; prints the endpoint once it answers
#   make moto-stop MOTO_PORT=N     stop the moto that moto-start left on N
#   make moto-list                 the motos this clone started and left running
#
# In a recipe of the root Makefile,
#   $(call with_moto,go test ./...)
# starts a moto of its own on a free port, runs the command with MOTO_ENDPOINT
# set to it, stops that moto whether or not the command failed (or was
# interrupted), and exits with the command's status. No fixed port, no shared
# pid file: two runs, in one clone or two, never meet (infra/tools/moto/moto.sh).

MOTO_PORT ?=
MOTO_PYTHON ?= python3
MOTO_VENV := .venv-moto
MOTO_REQUIREMENTS := infra/tools/moto/requirements.txt
# The stamp is newer than requirements.txt once they are installed, so the
# install re-runs only when requirements.txt changes.
MOTO_STAMP := $(MOTO_VENV)/.installed
MOTO_SH := MOTO_VENV=$(MOTO_VENV) infra/tools/moto/moto.sh

with_moto = moto_port=$$($(MOTO_SH) start) || exit 1; \
	trap '$(MOTO_SH) stop '"$$moto_port" EXIT; trap 'exit 130' INT TERM; \
	MOTO_ENDPOINT=http://127.0.0.1:$$moto_port; export MOTO_ENDPOINT; $(1)

.PHONY: moto-venv moto-start moto-stop moto-list

moto-venv: $(MOTO_STAMP)

$(MOTO_STAMP): $(MOTO_REQUIREMENTS)
	test -x $(MOTO_VENV)/bin/python || $(MOTO_PYTHON) -m venv $(MOTO_VENV)
	$(MOTO_VENV)/bin/pip install --quiet --disable-pip-version-check -r $(MOTO_REQUIREMENTS)
	touch $@

moto-start: $(MOTO_STAMP)
	@port=$$($(MOTO_SH) start $(MOTO_PORT)) && \
	  echo "use it with MOTO_ENDPOINT=http://127.0.0.1:$$port REQUIRE_MOTO=1; stop it with make moto-stop MOTO_PORT=$$port"

moto-stop:
	@$(MOTO_SH) stop $(MOTO_PORT)

moto-list:
	@$(MOTO_SH) list
