#!/usr/bin/env bash
# Checks the example configurations of docs/deploy-one-machine.md with the
# tools themselves: caddy validate, nginx -t (with a throw-away self-signed
# certificate in place of certbot's), systemd-analyze verify. Debian 12:
# apt-get install caddy nginx-light openssl (systemd-analyze comes with systemd).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for tool in caddy nginx openssl systemd-analyze; do
  command -v "$tool" >/dev/null || { echo "check.sh: $tool is not installed" >&2; exit 1; }
done

echo "== caddy validate"
caddy validate --config "$here/Caddyfile" --adapter caddyfile 2>&1 | grep -E '^Valid configuration$'

echo "== nginx -t"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=github-bot.example.com \
  -keyout "$tmp/privkey.pem" -out "$tmp/fullchain.pem" 2>/dev/null
mkdir -p "$tmp/logs"
sed -e "s#/etc/letsencrypt/live/github-bot.example.com/#$tmp/#" -e "s#/var/log/nginx/#$tmp/logs/#" \
  "$here/nginx-rcgithub.conf" >"$tmp/site.conf"
cat >"$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
events {}
http {
  access_log $tmp/logs/access.log;
  client_body_temp_path $tmp; proxy_temp_path $tmp; fastcgi_temp_path $tmp; uwsgi_temp_path $tmp; scgi_temp_path $tmp;
  include $tmp/site.conf;
}
CONF
nginx -t -q -c "$tmp/nginx.conf" -p "$tmp"
echo "nginx: configuration ok"

echo "== systemd-analyze verify"
# verify resolves ExecStart and the units it names; stand-ins for the
# binary go into a copy whose paths point into $tmp.
mkdir -p "$tmp/units" "$tmp/bin"
printf '#!/bin/sh\n' >"$tmp/bin/rcgithub"; chmod +x "$tmp/bin/rcgithub"
sed -e "s#/usr/local/bin/rcgithub#$tmp/bin/rcgithub#" "$here/rcgithub.service" >"$tmp/units/rcgithub.service"
cp "$here/rcgithub-health.service" "$here/rcgithub-health.timer" "$tmp/units/"
out=$(cd "$tmp/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
  "$tmp/units/rcgithub.service" "$tmp/units/rcgithub-health.service" "$tmp/units/rcgithub-health.timer" 2>&1 || true)
# Without systemd as PID 1 (a container) verify cannot look up users or load
# the rest of the system's units; anything else it says is a mistake here.
problems=$(grep -v -E 'System has not been booted with systemd|Failed to connect to bus|is not a valid user|Cannot add dependency job|Failed to (load|find|look up)|No such file or directory|not found|Unit .* not found' <<<"$out" || true)
if [ -n "$problems" ]; then echo "$out"; exit 1; fi
echo "systemd units: ok${out:+ (messages about the host only:)}"; [ -z "$out" ] || sed 's/^/  /' <<<"$out"
