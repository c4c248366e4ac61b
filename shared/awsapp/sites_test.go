package awsapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/awstest"
)

const (
	siteA     = "https://a.chat.example.com"
	siteB     = "https://b.chat.example.com"
	tokenA    = "aws-site-a-token-0123456789"
	tokenB    = "aws-site-b-token-0123456789"
	tokenBNew = "aws-site-b-token-rotated-999"
)

// TestSitesFromTheSecretAreReRead serves the sites of the secret's "sites"
// object, and follows edits of the secret once SitesRefresh has passed: a new
// site, a token rotation, and a broken edit (which keeps the last good sites).
func TestSitesFromTheSecretAreReRead(t *testing.T) {
	ctx := context.Background()
	cfg := awstest.Config(t)
	env := awstest.FunctionEnv(t, cfg, sitesSecret(map[string][]string{siteA: {tokenA}}))
	env["PUBLIC_URL"], env["GITHUB_CLIENT_ID"] = "https://svc.example.com", "Iv1.aws"
	secretARN := env["SECRETS_ARN"]
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	counter := awstest.NewCounter()
	var logs bytes.Buffer
	app, err := awsapp.New(ctx, func(k string) string { return env[k] }, awsapp.Options{
		AWSConfig: func(c *aws.Config) { *c = cfg; counter.Install(c) },
		Logger:    slog.New(slog.NewJSONHandler(&logs, nil)),
		Now:       func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	routes := app.Web.Routes()
	status := func(site, token string) int {
		body, _ := json.Marshal(map[string]any{"token": token, "user_id": "U1", "user_name": "alice",
			"message_id": "m1", "text": "/github help", "siteUrl": site})
		rec := httptest.NewRecorder()
		routes.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/rocketchat/webhook", bytes.NewReader(body)))
		return rec.Code
	}
	sm := secretsmanager.NewFromConfig(cfg)
	putSecret := func(content string) {
		if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(secretARN),
			SecretString: aws.String(content)}); err != nil {
			t.Fatal(err)
		}
	}
	secretReads := func() int {
		defer counter.Reset()
		n := 0
		for call, c := range counter.Counts() {
			if strings.HasSuffix(call, ".GetSecretValue") {
				n += c
			}
		}
		return n
	}
	secretReads()

	steps := []struct {
		name   string
		secret string // "" leaves the secret as it is
		wait   time.Duration
		want   map[[2]string]int // (site, token) -> status
		reads  int               // GetSecretValue calls during the step
	}{
		{name: "as deployed", want: map[[2]string]int{{siteA, tokenA}: 200, {siteB, tokenB}: 403, {siteA, tokenB}: 401}},
		{name: "site B added, not yet re-read", secret: sitesSecret(map[string][]string{siteA: {tokenA}, siteB: {tokenB}}),
			wait: awsapp.SitesRefresh - time.Second, want: map[[2]string]int{{siteB, tokenB}: 403}},
		{name: "site B added, re-read", wait: time.Second, reads: 1,
			want: map[[2]string]int{{siteA, tokenA}: 200, {siteB, tokenB}: 200, {siteB, tokenA}: 401}},
		{name: "rotation of B's token", secret: sitesSecret(map[string][]string{siteA: {tokenA}, siteB: {tokenB, tokenBNew}}),
			wait: awsapp.SitesRefresh, reads: 1, want: map[[2]string]int{{siteB, tokenB}: 200, {siteB, tokenBNew}: 200}},
		{name: "rotation done", secret: sitesSecret(map[string][]string{siteA: {tokenA}, siteB: {tokenBNew}}),
			wait: awsapp.SitesRefresh, reads: 1, want: map[[2]string]int{{siteB, tokenB}: 401, {siteB, tokenBNew}: 200}},
		{name: "broken edit keeps the last good sites", secret: `{"github_client_secret":"aws-client-secret","sites":{}}`,
			wait: awsapp.SitesRefresh, reads: 1, want: map[[2]string]int{{siteA, tokenA}: 200, {siteB, tokenBNew}: 200}},
	}
	for _, s := range steps {
		if s.secret != "" {
			putSecret(s.secret)
			secretReads()
		}
		advance(s.wait)
		for req, want := range s.want {
			if got := status(req[0], req[1]); got != want {
				t.Errorf("%s: site %s with token %s...: status %d, want %d", s.name, req[0], req[1][:17], got, want)
			}
		}
		if got := secretReads(); got != s.reads {
			t.Errorf("%s: %d secret reads, want %d", s.name, got, s.reads)
		}
	}
	if !strings.Contains(logs.String(), "keeping the last good configuration") {
		t.Error("the broken edit was not logged")
	}
	for _, tok := range []string{tokenA, tokenB, tokenBNew} {
		if strings.Contains(logs.String(), tok) {
			t.Fatal("a token was logged")
		}
	}
}

func sitesSecret(sites map[string][]string) string {
	type site struct {
		WebhookTokens []string `json:"webhook_tokens"`
	}
	s := map[string]site{}
	for url, tokens := range sites {
		s[url] = site{WebhookTokens: tokens}
	}
	b, _ := json.Marshal(map[string]any{"github_client_secret": "aws-client-secret", "sites": s})
	return string(b)
}
