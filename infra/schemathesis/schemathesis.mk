# schemathesis: checks the local server against api/openapi.yaml (included by
# the root Makefile).
#
#   make schemathesis-venv  create .venv-schemathesis/ and install infra/schemathesis/requirements.txt
#   make api-fuzz           build and start the local server (GitHub sandbox, a
#                           throw-away DATA_DIR) on $(API_FUZZ_ADDR), run
#                           schemathesis against it, stop the server whatever
#                           the result, and fail when schemathesis found a 5xx
#                           or an answer that breaks the description
#
# The webhook token is given to the server and, through infra/schemathesis/hooks.py,
# put into the generated webhook bodies, so that the run explores past the 401.
# The run is bounded by API_FUZZ_EXAMPLES per operation (about 30 s in all). It
# fails too when the server logged an error, or when no webhook request got
# past the token check (the hook did not work). Its "schema validation mismatch"
# warning for the OAuth pages is expected: random link ids, states and codes are
# unknown to the server, so those requests get 400 as documented.

SCHEMATHESIS_PYTHON ?= python3
SCHEMATHESIS_VENV := .venv-schemathesis
SCHEMATHESIS_REQUIREMENTS := infra/schemathesis/requirements.txt
SCHEMATHESIS_STAMP := $(SCHEMATHESIS_VENV)/.installed
API_FUZZ_ADDR ?= 127.0.0.1:18181
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

# One recipe, so that the trap stops the server on every way out.
api-fuzz: $(SCHEMATHESIS_STAMP)
	@mkdir -p .cache bin
	$(GO) build -o bin/local ./infra/local
	@data=$$(mktemp -d); log=.cache/api-fuzz-server.log; \
	GITHUB_SANDBOX=true ROCKETCHAT_WEBHOOK_TOKEN=$(API_FUZZ_TOKEN) DATA_DIR=$$data \
	  LISTEN_ADDR=$(API_FUZZ_ADDR) PUBLIC_URL=http://$(API_FUZZ_ADDR) ./bin/local >$$log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf $$data' EXIT; \
	for i in $$(seq 1 100); do \
	  if $(SCHEMATHESIS_VENV)/bin/python -c 'import sys, socket; h, p = sys.argv[1].rsplit(":", 1); socket.create_connection((h, int(p)), 1)' $(API_FUZZ_ADDR) 2>/dev/null; then break; fi; \
	  if ! kill -0 $$pid 2>/dev/null; then echo "local server exited; its log:" >&2; cat $$log >&2; exit 1; fi; \
	  sleep 0.1; \
	done; \
	echo "local server pid $$pid at http://$(API_FUZZ_ADDR) (log $$log)"; \
	ROCKETCHAT_WEBHOOK_TOKEN=$(API_FUZZ_TOKEN) PYTHONPATH=infra/schemathesis SCHEMATHESIS_HOOKS=hooks \
	  $(SCHEMATHESIS_VENV)/bin/schemathesis --config-file infra/schemathesis/schemathesis.toml run api/openapi.yaml --url http://$(API_FUZZ_ADDR) \
	  --checks $(API_FUZZ_CHECKS) --max-examples $(API_FUZZ_EXAMPLES) --workers 1 \
	  --generation-database none $(if $(API_FUZZ_SEED),--seed $(API_FUZZ_SEED)) --no-color; \
	rc=$$?; \
	kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; \
	if grep -q '"level":"ERROR"' $$log; then echo "the server logged errors:" >&2; grep '"level":"ERROR"' $$log >&2; rc=1; fi; \
	commands=$$(grep -c '"command":' $$log); \
	echo "webhook commands handled past the token check: $$commands"; \
	if [ "$$commands" -eq 0 ]; then echo "no webhook request got past the 401: is hooks.py loaded?" >&2; rc=1; fi; \
	exit $$rc
