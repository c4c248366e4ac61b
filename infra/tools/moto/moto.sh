#!/usr/bin/env bash
# moto_server for the tests, on a port nobody else holds (see moto.mk).
#
#   moto.sh start [PORT]   start moto on 127.0.0.1:PORT, or on a port the kernel
#                          chooses when PORT is empty or 0; print the port on
#                          stdout once that process is the one answering
#   moto.sh stop PORT      stop the moto that `start` left on PORT
#   moto.sh list           the motos this clone started and left running
#
# Ownership: moto binds the port itself (port 0 leaves the choice to the kernel,
# so there is no race between choosing a port and binding it) and logs
# "Running on http://127.0.0.1:PORT" once bound; the port is read from our own
# process's log, and that process must still be alive. A stranger's server on
# a fixed PORT makes our moto fail to bind and exit, and start fails with its log.
# The pid file and log live in this clone's .cache, named by the port, so that
# two runs or two clones never share them; stop removes both.
set -euo pipefail
cd "$(dirname "$0")/../../.."

venv=${MOTO_VENV:-.venv-moto}
cache=.cache
start_timeout_tenths=300 # 30 s: moto imports a lot of botocore on a loaded machine

die() { echo "moto: $*" >&2; exit 1; }

start() {
	local want=${1:-0}
	[[ $want =~ ^[0-9]+$ ]] || die "port must be a number, got '$want'"
	mkdir -p "$cache"
	local log pid port="" i
	log=$(mktemp "$cache/moto-starting.XXXXXX")
	PYTHONUNBUFFERED=1 nohup "$venv/bin/moto_server" -H 127.0.0.1 -p "$want" </dev/null >"$log" 2>&1 &
	pid=$!
	for ((i = 0; i < start_timeout_tenths; i++)); do
		port=$(sed -n 's|.*Running on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$log" | head -n 1)
		[[ -n $port ]] && break
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "moto: moto_server (pid $pid) exited before listening; its log ($log):" >&2
			cat "$log" >&2
			rm -f "$log"
			exit 1
		fi
		sleep 0.1
	done
	if [[ -z $port ]]; then
		kill "$pid" 2>/dev/null || true
		echo "moto: moto_server (pid $pid) did not log that it was listening within 30 s; its log ($log):" >&2
		cat "$log" >&2
		rm -f "$log"
		exit 1
	fi
	if [[ $want != 0 && $port != "$want" ]]; then
		kill "$pid" 2>/dev/null || true
		die "moto_server (pid $pid) listens on $port, not on the $want asked for; its log: $log"
	fi
	# Bound by our process, so whoever answers there is ours; check that it
	# serves, and that it is still alive.
	if ! "$venv/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)' \
		"http://127.0.0.1:$port/moto-api/" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		echo "moto: moto_server (pid $pid) logged port $port but does not answer there; its log ($log):" >&2
		cat "$log" >&2
		exit 1
	fi
	mv "$log" "$cache/moto-$port.log"
	echo "$pid" >"$cache/moto-$port.pid"
	echo "moto listening at http://127.0.0.1:$port (pid $pid, log $cache/moto-$port.log)" >&2
	echo "$port"
}

# is_our_moto PID: the process is alive and is a moto_server (not another
# process that got the pid after ours ended).
is_our_moto() {
	kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q moto_server
}

stop() {
	local port=${1:-}
	[[ $port =~ ^[0-9]+$ ]] || die "stop needs the port moto was started on (MOTO_PORT=N; make moto-list shows them)"
	local pidfile="$cache/moto-$port.pid" pid i
	[[ -f $pidfile ]] || return 0
	pid=$(cat "$pidfile")
	if is_our_moto "$pid"; then
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			is_our_moto "$pid" || break
			sleep 0.1
		done
		if is_our_moto "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
		echo "moto stopped (port $port, pid $pid)" >&2
	else
		# It died before its time: what it said is the evidence.
		echo "moto: moto_server (pid $pid) on port $port had already exited; the end of its log:" >&2
		tail -n 40 "$cache/moto-$port.log" >&2 2>/dev/null || true
	fi
	rm -f "$pidfile" "$cache/moto-$port.log"
}

list() {
	local f pid port
	for f in "$cache"/moto-*.pid; do
		[[ -f $f ]] || continue
		pid=$(cat "$f")
		port=${f##*/moto-}
		port=${port%.pid}
		if is_our_moto "$pid"; then echo "port $port pid $pid"; else echo "port $port pid $pid (not running)"; fi
	done
}

case ${1:-} in
start) start "${2:-}" ;;
stop) stop "${2:-}" ;;
list) list ;;
*) die "usage: $0 start [PORT] | stop PORT | list" ;;
esac
