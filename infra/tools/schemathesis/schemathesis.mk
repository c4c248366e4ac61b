# schemathesis: checks the local server against api/openapi.yaml (included by
# the root Makefile).
#
#   make schemathesis-venv  create .venv-schemathesis/ and install infra/tools/schemathesis/requirements.txt
#   make api-fuzz           build and start the local server (GitHub sandbox, a
#                           throw-away DATA_DIR) on a free loopback port, confirm
#                           from its own log that it is the one answering, run
#                           schemathesis against it, stop the server whatever
#                           the result, and fail when schemathesis found a 5xx
#                           or an answer that breaks the description
#                           (infra/tools/schemathesis/api-fuzz.sh)
#
# The webhook token is given to the server and, through infra/tools/schemathesis/hooks.py,
# put into the generated webhook bodies, so that the run explores past the 401.
# The run is bounded by API_FUZZ_EXAMPLES per operation (about 30 s in all). It
# fails too when the server logged an error, or when no webhook request got
# past the token check (the hook did not work). Its "schema validation mismatch"
# warning for the OAuth pages is expected: random link ids, states and codes are
# unknown to the server, so those requests get 400 as documented.

SCHEMATHESIS_PYTHON ?= python3
SCHEMATHESIS_VENV := .venv-schemathesis
SCHEMATHESIS_REQUIREMENTS := infra/tools/schemathesis/requirements.txt
SCHEMATHESIS_STAMP := $(SCHEMATHESIS_VENV)/.installed
API_FUZZ_EXAMPLES ?= 100
# Empty: a new random seed each run (schemathesis prints it); set it to replay a run.
API_FUZZ_SEED ?=
API_FUZZ_TOKEN := api-fuzz-webhook-token-0123456789
API_FUZZ_CHECKS := not_a_server_error,unsupported_method,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance

.PHONY: schemathesis-venv api-fuzz

schemathesis-venv: $(SCHEMATHESIS_STAMP)

$(SCHEMATHESIS_STAMP): $(SCHEMATHESIS_REQUIREMENTS)
	test -x $(SCHEMATHESIS_VENV)/bin/python || $(SCHEMATHESIS_PYTHON) -m venv $(SCHEMATHESIS_VENV)
	$(SCHEMATHESIS_VENV)/bin/pip install --quiet --disable-pip-version-check -r $(SCHEMATHESIS_REQUIREMENTS)
	touch $@

api-fuzz: $(SCHEMATHESIS_STAMP)
	@mkdir -p bin
	$(GO) build -o bin/local ./infra/local
	@VENV=$(SCHEMATHESIS_VENV) TOKEN=$(API_FUZZ_TOKEN) EXAMPLES=$(API_FUZZ_EXAMPLES) CHECKS=$(API_FUZZ_CHECKS) \
	  SEED=$(API_FUZZ_SEED) COUNTS=$(TEST_COUNTS) infra/tools/schemathesis/api-fuzz.sh
