package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"rcgithub/infra/test/e2e/apigw"
	"rcgithub/infra/test/e2e/stack"
	"rcgithub/shared/rocketchattest"
)

// subject is one bootstrap the benchmark starts again and again, with the
// request it is measured on.
type subject struct {
	Name     string
	Package  string // main package, relative to the module
	Function stack.Function
	// Release is the function's directory in bin/release; "" for the
	// baselines, which the benchmark builds and zips itself.
	Release string
	Role    string // shown in the table: "", "floor" or "limit"
	// Request is the event of every invocation, and Describe says what it is.
	Request  []byte
	Describe string
	// Check tells a wrong answer, which would make the timing meaningless.
	Check func(result []byte) error
}

// benchSite and benchUser are a Rocket.Chat user who never logs in.
const (
	benchSite = "https://chat.example.com"
	benchUser = "bench-nobody"
)

// subjects returns the three functions and the two baselines. Each function
// answers a request that reads DynamoDB and finds nothing, so that every
// invocation does the same work; the baselines answer "hello".
func subjects(st *stack.Stack, p stack.Parameters, webhookToken string) ([]subject, error) {
	now := time.Now()
	out := &rocketchattest.Outgoing{Token: webhookToken, SiteURL: benchSite + "/"}
	msg, err := json.Marshal(out.Message(rocketchattest.User{ID: benchUser, Name: "nobody"}, "/github status"))
	if err != nil {
		return nil, fmt.Errorf("webhook body: %w", err)
	}
	webhook, err := httpEvent(apigw.Request{Method: http.MethodPost, URL: p.PublicURL + "/rocketchat/webhook",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: msg}, now)
	if err != nil {
		return nil, err
	}
	startPage, err := httpEvent(apigw.Request{Method: http.MethodGet, URL: p.PublicURL + "/oauth/start?link=benchmark-unknown-link",
		Header: http.Header{"User-Agent": {apigw.UserAgent}}}, now)
	if err != nil {
		return nil, err
	}
	job := []byte(`{"site":"` + benchSite + `","user":"` + benchUser + `","generation":1}`)
	hello := []byte(`{}`)

	return []subject{{
		Name: "webhook", Package: "./functions/webhook", Function: stack.Webhook, Release: "webhook",
		Request: webhook, Describe: "POST /rocketchat/webhook `/github status`, no session (1 DynamoDB GetItem)",
		Check: httpAnswer(http.StatusOK, "You are not logged in to GitHub."),
	}, {
		Name: "callback", Package: "./functions/callback", Function: stack.Callback, Release: "callback",
		Request: startPage, Describe: "GET /oauth/start with an unknown link (1 GetItem, 400 page)",
		Check: httpAnswer(http.StatusBadRequest, "This login link is unknown"),
	}, {
		Name: "logout", Package: "./functions/logout", Function: stack.Logout, Release: "logout",
		Request: job, Describe: "scheduled job of a user without session (2 GetItem, 1 DeleteSchedule)",
		Check: exactly("null"),
	}, {
		Name: "sdkfloor", Package: "./infra/perf/bench/sdkfloor", Function: stack.Function{Name: "sdkfloor", Timeout: "15"}, Role: "floor",
		Request: hello, Describe: "SDK config, GetSecretValue and three clients at init; answers \"hello\"",
		Check: exactly(`"hello"`),
	}, {
		Name: "hello", Package: "./infra/perf/bench/hello", Function: stack.Function{Name: "hello", Timeout: "15"}, Role: "limit",
		Request: hello, Describe: "aws-lambda-go hello world",
		Check: exactly(`"hello"`),
	}}, nil
}

func httpEvent(r apigw.Request, now time.Time) ([]byte, error) {
	e, err := apigw.Event(r, "benchmark-request", now)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	return b, nil
}

// httpAnswer checks an HTTP API response's status and that its body
// contains text.
func httpAnswer(status int, text string) func([]byte) error {
	return func(result []byte) error {
		resp, err := apigw.ParseResponse(result)
		if err != nil {
			return err
		}
		if resp.Status != status || !strings.Contains(string(resp.Body), text) {
			return fmt.Errorf("answered %d %.300s; want %d with %q", resp.Status, resp.Body, status, text)
		}
		return nil
	}
}

func exactly(want string) func([]byte) error {
	return func(result []byte) error {
		if string(result) != want {
			return fmt.Errorf("returned %.300s, want %s", result, want)
		}
		return nil
	}
}
