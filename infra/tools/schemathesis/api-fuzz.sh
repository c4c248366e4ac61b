#!/usr/bin/env bash
# make api-fuzz (see schemathesis.mk): start bin/local on a free loopback port
# with the GitHub sandbox and a throw-away DATA_DIR, confirm that the server
# answering there is the one started here, run schemathesis against it, stop
# it whatever the result.
#
# The server needs its PUBLIC_URL (links and redirects carry it) before it
# listens, so the port is chosen first (the kernel's choice for a socket bound
# to port 0, then closed) and the server started on it. Whether it is ours is
# read from its own log: its JSON "listening" line with that addr, its pid
# still alive. Should another process take the port in between, our server
# fails to listen and exits, and a new port is tried.
#
# Environment (from schemathesis.mk): VENV, TOKEN, EXAMPLES, CHECKS, SEED (may be
# empty), COUNTS (may be empty: a file to append "schemathesis-cases N" to).
set -uo pipefail
cd "$(dirname "$0")/../../.."

attempts=5
mkdir -p .cache
run=$(mktemp -d "$PWD/.cache/api-fuzz.XXXXXX")
data=$run/data
log=$run/server.log
pid=""
stop_server() {
	if [[ -n $pid ]]; then kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; fi
	pid=""
}
trap 'stop_server; rm -rf "$data"' EXIT
trap 'exit 130' INT TERM

free_port() {
	"$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

addr=""
for ((attempt = 1; attempt <= attempts; attempt++)); do
	port=$(free_port) || { echo "api-fuzz: no free port" >&2; exit 1; }
	try=127.0.0.1:$port
	rm -rf "$data"
	mkdir -m 700 "$data"
	: >"$log"
	GITHUB_SANDBOX=true ROCKETCHAT_WEBHOOK_TOKEN=$TOKEN DATA_DIR=$data \
		LISTEN_ADDR=$try PUBLIC_URL=http://$try ./bin/local >"$log" 2>&1 &
	pid=$!
	for ((i = 0; i < 300; i++)); do # 30 s
		if grep '"msg":"listening"' "$log" | grep -qF "\"addr\":\"$try\""; then
			kill -0 "$pid" 2>/dev/null && addr=$try
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	[[ -n $addr ]] && break
	if ! kill -0 "$pid" 2>/dev/null && grep -q 'address already in use' "$log"; then
		echo "api-fuzz: port $port was taken before the server bound it; trying another" >&2
		wait "$pid" 2>/dev/null
		pid=""
		continue
	fi
	echo "api-fuzz: the local server (pid $pid) did not log that it listens on $try; its log ($log):" >&2
	cat "$log" >&2
	exit 1
done
if [[ -z $addr ]]; then
	echo "api-fuzz: $attempts ports in a row were taken before the server bound them; the last log ($log):" >&2
	cat "$log" >&2
	exit 1
fi
echo "local server pid $pid at http://$addr (log $log)"

out=$run/schemathesis.out
ROCKETCHAT_WEBHOOK_TOKEN=$TOKEN PYTHONPATH=infra/tools/schemathesis SCHEMATHESIS_HOOKS=hooks \
	"$VENV/bin/schemathesis" --config-file infra/tools/schemathesis/schemathesis.toml run api/openapi.yaml \
	--url "http://$addr" --checks "$CHECKS" --max-examples "$EXAMPLES" --workers 1 \
	--generation-database none ${SEED:+--seed "$SEED"} --no-color | tee "$out"
rc=$?

# The server must still be the one that answered: had it died, schemathesis
# would have been talking to whoever took the port.
if ! kill -0 "$pid" 2>/dev/null; then
	echo "api-fuzz: the local server (pid $pid) exited during the run; its log ($log):" >&2
	cat "$log" >&2
	rc=1
fi
stop_server
if grep -q '"level":"ERROR"' "$log"; then
	echo "the server logged errors:" >&2
	grep '"level":"ERROR"' "$log" >&2
	rc=1
fi
commands=$(grep -c '"command":' "$log")
echo "webhook commands handled past the token check: $commands"
if [[ $commands -eq 0 ]]; then
	echo "no webhook request got past the 401: is hooks.py loaded?" >&2
	rc=1
fi
# "Test cases:" then "  164 generated, 164 passed" in schemathesis 4's summary.
cases=$(sed -n '/^Test cases:/{n;s/^ *\([0-9][0-9]*\) generated.*/\1/p}' "$out")
if [[ -z $cases ]]; then
	echo "api-fuzz: no \"N generated\" line under \"Test cases:\" in schemathesis's summary" >&2
	rc=1
elif [[ -n ${COUNTS:-} ]]; then
	echo "schemathesis-cases $cases" >>"$COUNTS"
fi
if [[ $rc -eq 0 ]]; then rm -rf "$run"; else echo "api-fuzz: the server's log is kept in $log" >&2; fi
exit $rc
