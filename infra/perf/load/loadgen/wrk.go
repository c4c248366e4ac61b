package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"

	"rcgithub/shared/rocketchat"
)

// scenario is one kind of request, with the goal the issue sets for it.
type scenario struct {
	name string  // as shown in the report
	text string  // what the user types
	want string  // what the service's answer must contain
	goal float64 // throughput ratio to the bare server to reach at least
	// newUser gives every request a user (and a message id) of its own, so
	// that each one makes a link (a durable write) rather than hit the
	// per-user link quota.
	newUser bool
}

var scenarios = []scenario{
	{name: "/github help", text: "/github help", want: "GitHub commands:", goal: 0.8},
	{name: "/github login", text: "/github login", want: "/oauth/start?link=", goal: 0.1, newUser: true},
}

// bareWant is in every answer of the bare server (and of the service's
// direct replies): what the bare server's answers are checked against.
const bareWant = `"channel":"@`

// result is one wrk run, as its done() function reports it.
type result struct {
	requests int
	elapsed  time.Duration
	// errors counts socket errors (connect, read, write, timeout), answers
	// that are not 2xx/3xx, and answers without the expected text.
	errors   int
	p50, p99 time.Duration
	cpu      time.Duration // the server's processor time during the run; 0 if unknown
}

// cpuPerRequest is the server's processor time per request, in microseconds.
func (r result) cpuPerRequest() float64 {
	if r.requests == 0 {
		return 0
	}
	return float64(r.cpu.Microseconds()) / float64(r.requests)
}

func (r result) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// idPlaceholder stands in the message template for the per-request id.
const idPlaceholder = "ID-PLACEHOLDER"

// message is the outgoing-webhook body Rocket.Chat sends for sc; for a
// newUser scenario its user and message ids hold idPlaceholder.
func message(sc scenario) ([]byte, error) {
	user, msgID := "load-user", "load-msg-1"
	if sc.newUser {
		user, msgID = "load-user-"+idPlaceholder, "load-msg-"+idPlaceholder
	}
	return json.Marshal(rocketchat.Message{
		Token: webhookToken, TriggerWord: "/github", ChannelID: "GENERAL", ChannelName: "general",
		MessageID: msgID, Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		UserID: user, UserName: user, Text: sc.text, SiteURL: "https://chat.example.com/",
	})
}

// script is the wrk Lua script of a scenario. A fixed body is wrk.body (wrk
// then sends one prepared request over and over); a newUser body is built per
// request from its parts around the id, which is the run's prefix (the
// script's argument: unique per wrk run), the thread's number and a counter,
// so that no user repeats across threads, rounds or warm-ups. Every answer is
// checked for want; done() prints one line the load generator parses.
var script = template.Must(template.New("lua").Parse(`-- written by infra/perf/load/loadgen
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local want = {{.Want}}
{{- if .Parts}}
local parts = { {{- range $i, $p := .Parts}}{{if $i}}, {{end}}{{$p}}{{end -}} }
local prefix, counter = "", 0
function init(args)
  prefix = args[1] .. "-" .. tostring(thread_number) .. "-"
end
function request()
  counter = counter + 1
  local id = prefix .. counter
  local b = parts[1]
  for i = 2, #parts do b = b .. id .. parts[i] end
  return wrk.format(nil, nil, nil, b)
end
{{- else}}
wrk.body = {{.Body}}
{{- end}}
wrong = 0
function response(status, headers, body)
  if status ~= 200 or not body:find(want, 1, true) then wrong = wrong + 1 end
end
local threads, next_thread = {}, 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local wrongs = 0
  for _, t in ipairs(threads) do wrongs = wrongs + t:get("wrong") end
  local e = summary.errors
  io.write(string.format("loadgen-result requests=%d duration_us=%d socket_errors=%d status_errors=%d wrong=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status, wrongs,
    latency:percentile(50), latency:percentile(99)))
end
`))

// luaString quotes s as a Lua long-bracket-free string literal.
func luaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range []byte(s) {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// writeScript writes the wrk script of sc, checking answers for want, into dir.
func writeScript(dir string, sc scenario, want string, n int) (string, error) {
	body, err := message(sc)
	if err != nil {
		return "", fmt.Errorf("message: %w", err)
	}
	data := struct {
		Want, Body string
		Parts      []string
	}{Want: luaString(want)}
	if sc.newUser {
		for _, p := range strings.Split(string(body), idPlaceholder) {
			data.Parts = append(data.Parts, luaString(p))
		}
	} else {
		data.Body = luaString(string(body))
	}
	var out bytes.Buffer
	if err := script.Execute(&out, data); err != nil {
		return "", fmt.Errorf("script: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("scenario-%d.lua", n))
	return path, os.WriteFile(path, out.Bytes(), 0o644)
}

// wrkRun runs wrk once: threads threads, conns connections, for d (whole
// seconds: wrk takes no less; main checks).
func wrkRun(ctx context.Context, wrkBin, scriptPath, url, runID string, threads, conns int, d time.Duration) (result, error) {
	cmd := exec.CommandContext(ctx, wrkBin, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
		"-d", fmt.Sprintf("%ds", int(d.Seconds())), "--timeout", "10s", "--latency",
		"-s", scriptPath, url+"/rocketchat/webhook", "--", runID)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("wrk: %w: %s %s", err, strings.TrimSpace(stderr.String()), strings.TrimSpace(stdout.String()))
	}
	return parseResult(stdout.String())
}

// parseResult reads the line done() prints from wrk's output.
func parseResult(out string) (result, error) {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "loadgen-result ")
		if !ok {
			continue
		}
		v := map[string]int64{}
		for field := range strings.FieldsSeq(line) {
			name, value, ok := strings.Cut(field, "=")
			if !ok {
				return result{}, fmt.Errorf("wrk result field %q", field)
			}
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return result{}, fmt.Errorf("wrk result field %q: %w", field, err)
			}
			v[name] = n
		}
		for _, name := range []string{"requests", "duration_us", "socket_errors", "status_errors", "wrong", "p50_us", "p99_us"} {
			if _, ok := v[name]; !ok {
				return result{}, fmt.Errorf("wrk result lacks %s: %q", name, line)
			}
		}
		r := result{requests: int(v["requests"]), elapsed: time.Duration(v["duration_us"]) * time.Microsecond,
			errors: int(v["socket_errors"] + v["status_errors"] + v["wrong"]),
			p50:    time.Duration(v["p50_us"]) * time.Microsecond, p99: time.Duration(v["p99_us"]) * time.Microsecond}
		if r.requests == 0 {
			return r, fmt.Errorf("no request completed: %q", out)
		}
		return r, nil
	}
	return result{}, fmt.Errorf("no result line in wrk's output: %q", out)
}
