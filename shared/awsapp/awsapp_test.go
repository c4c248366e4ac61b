package awsapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/awstest"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
)

const webhookToken = "aws-webhook-token-0123456789"

// TestAWSCallsPerFlow wires the service exactly as the Lambdas do (awsapp.New)
// against moto, and counts the AWS calls each user flow makes. docs/architecture.md's
// table is this test's expectations.
func TestAWSCallsPerFlow(t *testing.T) {
	ctx := context.Background()
	cfg := awstest.Config(t)
	gh := githubtest.New(githubtest.Options{ClientID: "Iv1.aws", ClientSecret: "aws-client-secret"})
	ghURL, stop := gh.Start()
	defer stop()
	chat := rocketchattest.NewIncoming()
	defer chat.Close()
	secret, _ := json.Marshal(map[string]string{"github_client_secret": "aws-client-secret",
		"rocketchat_webhook_token": webhookToken, "rocketchat_incoming_webhook_url": chat.URL()})
	srv := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + srv.Listener.Addr().String()
	env := awstest.FunctionEnv(t, cfg, string(secret))
	env["PUBLIC_URL"], env["GITHUB_CLIENT_ID"], env["GITHUB_URL"], env["GITHUB_API_URL"] = publicURL, "Iv1.aws", ghURL, ghURL
	counter := awstest.NewCounter()
	iam := &iamRecorder{actions: map[string]bool{}}
	faults := &awsFaults{}
	transact := &transactItems{}
	newApp := func(env map[string]string) *awsapp.App {
		app, err := awsapp.New(ctx, func(k string) string { return env[k] }, awsapp.Options{
			AWSConfig: func(c *aws.Config) {
				*c = cfg
				counter.Install(c)
				c.APIOptions = append(c.APIOptions, iam.add, faults.add, transact.add)
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	app := newApp(env)
	// Each path to its own function's routes, as template.yaml's API does.
	gateway := http.NewServeMux()
	gateway.Handle("/rocketchat/webhook", app.Web.WebhookRoutes())
	gateway.Handle("/oauth/", app.Web.OAuthRoutes())
	srv.Config.Handler = gateway
	srv.Start()
	defer srv.Close()

	var flows []string
	got := map[string]map[string]int{}
	items := map[string]int{} // items written in DynamoDB transactions, by flow
	actions := map[string][]string{"cold start": iam.taken()}
	measure := func(name string, run func()) {
		counter.Reset()
		iam.reset()
		transact.reset()
		run()
		got[name] = counter.Counts()
		items[name] = transact.taken()
		actions[name] = union(actions[name], iam.taken())
		flows = append(flows, name)
	}
	want := map[string]map[string]int{
		"cold start":                            {"Secrets Manager.GetSecretValue": 1},
		"webhook: login":                        {"DynamoDB.TransactWriteItems": 1},
		"GET /oauth/start":                      {"DynamoDB.GetItem": 1},
		"POST /oauth/start":                     {"DynamoDB.DeleteItem": 1, "DynamoDB.PutItem": 1},
		"callback":                              {"DynamoDB.DeleteItem": 1, "KMS.Encrypt": 1, "DynamoDB.GetItem": 1, "Scheduler.CreateSchedule": 1, "DynamoDB.PutItem": 1},
		"callback (re-login)":                   {"DynamoDB.DeleteItem": 2, "KMS.Encrypt": 1, "DynamoDB.GetItem": 3, "Scheduler.CreateSchedule": 1, "DynamoDB.TransactWriteItems": 1, "KMS.Decrypt": 1, "Scheduler.DeleteSchedule": 1},
		"webhook: status":                       {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1},
		"webhook: logout":                       {"DynamoDB.GetItem": 3, "DynamoDB.TransactWriteItems": 1, "KMS.Decrypt": 1, "DynamoDB.DeleteItem": 1, "Scheduler.DeleteSchedule": 1},
		"automatic logout":                      {"DynamoDB.GetItem": 3, "DynamoDB.TransactWriteItems": 1, "KMS.Decrypt": 1, "DynamoDB.DeleteItem": 1, "Scheduler.DeleteSchedule": 1},
		"webhook: logout, GitHub down":          {"DynamoDB.GetItem": 3, "DynamoDB.TransactWriteItems": 1, "KMS.Decrypt": 1, "Scheduler.CreateSchedule": 1},
		"automatic logout, GitHub down (retry)": {"DynamoDB.GetItem": 2, "KMS.Decrypt": 1, "Scheduler.CreateSchedule": 1},
		"webhook: help":                         {},
		// A GitHub App: the callback seals the token and its refresh token; a
		// status with the token about to expire refreshes the pair and seals it.
		"callback (GitHub App)":                         {"DynamoDB.DeleteItem": 1, "KMS.Encrypt": 2, "DynamoDB.GetItem": 1, "Scheduler.CreateSchedule": 1, "DynamoDB.PutItem": 1},
		"webhook: status, token refreshed (GitHub App)": {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1, "KMS.Encrypt": 2, "DynamoDB.UpdateItem": 1},
		// The refreshed pair could not be stored and GitHub did not confirm its
		// revocation: the new token is kept sealed, with a retry scheduled.
		"webhook: status, refreshed token not stored, GitHub down (kept for retry)": {"DynamoDB.GetItem": 2, "KMS.Decrypt": 1, "KMS.Encrypt": 3, "DynamoDB.UpdateItem": 1, "Scheduler.CreateSchedule": 1, "DynamoDB.PutItem": 1},
	}
	// Which function serves each flow, and through which of its entry points
	// (a route and, for the webhook, the command). Every entry point of every
	// function must be measured by some flow: see entryPoints below.
	flowEntry := map[string]struct{ function, entry string }{
		"webhook: login":                                {"WebhookFunction", "POST /rocketchat/webhook: login"},
		"webhook: status":                               {"WebhookFunction", "POST /rocketchat/webhook: status"},
		"webhook: logout":                               {"WebhookFunction", "POST /rocketchat/webhook: logout"},
		"webhook: logout, GitHub down":                  {"WebhookFunction", "POST /rocketchat/webhook: logout"},
		"webhook: help":                                 {"WebhookFunction", "POST /rocketchat/webhook: help"},
		"GET /oauth/start":                              {"CallbackFunction", "GET /oauth/start"},
		"POST /oauth/start":                             {"CallbackFunction", "POST /oauth/start"},
		"callback":                                      {"CallbackFunction", "GET /oauth/callback"},
		"callback (re-login)":                           {"CallbackFunction", "GET /oauth/callback"},
		"callback (GitHub App)":                         {"CallbackFunction", "GET /oauth/callback"},
		"automatic logout":                              {"LogoutFunction", "scheduled job (attempt 0)"},
		"automatic logout, GitHub down (retry)":         {"LogoutFunction", "scheduled retry (attempt 1 and later)"},
		"webhook: status, token refreshed (GitHub App)": {"WebhookFunction", "POST /rocketchat/webhook: status"},
		"webhook: status, refreshed token not stored, GitHub down (kept for retry)": {"WebhookFunction", "POST /rocketchat/webhook: status"},
	}
	// The cold start happened in awsapp.New above.
	got["cold start"] = counter.Counts()
	flows = append(flows, "cold start")

	rc := &rocketchattest.Outgoing{URL: publicURL + "/rocketchat/webhook", Token: webhookToken, SiteURL: "https://chat.example.com"}
	alice := rocketchattest.User{ID: "aliceid", Name: "alice"}
	say := func(text string) string {
		d, err := rc.Send(ctx, rc.Message(alice, text))
		if err != nil || d.Posted == nil {
			t.Fatalf("%s: %v %s", text, err, d.Body)
		}
		return d.Posted.Text
	}
	login := func(suffix string) {
		var link string
		measure("webhook: login", func() { link = regexp.MustCompile(`\S+/oauth/start\?link=\S+`).FindString(say("/github login")) })
		jar, _ := cookiejar.New(nil)
		b := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		measure("GET /oauth/start", func() { mustGet(t, b, link, 200) })
		var authURL string
		measure("POST /oauth/start", func() {
			resp, err := b.PostForm(publicURL+"/oauth/start", url.Values{"link": {link[strings.Index(link, "=")+1:]}})
			if err != nil || resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST /oauth/start: %v %v", err, resp)
			}
			resp.Body.Close()
			authURL = resp.Header.Get("Location")
		})
		cb, err := gh.Authorize(authURL, "octocat")
		if err != nil {
			t.Fatal(err)
		}
		measure("callback"+suffix, func() { mustGet(t, b, cb, 200) })
	}
	login("")
	login(" (re-login)")
	measure("webhook: status", func() { say("/github status") })
	var help string
	measure("webhook: help", func() { help = say("/github help") })
	measure("webhook: logout", func() { say("/github logout") })
	// GitHub failing to confirm a revocation: the retry is a schedule of its own.
	login("")
	down, err := app.Service.Store.GetSession(ctx, session.Key{Site: "https://chat.example.com", UserID: alice.ID})
	if err != nil {
		t.Fatal(err)
	}
	downGen := down.Generation
	gh.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502})
	measure("webhook: logout, GitHub down", func() { say("/github logout") })
	gh.ClearFault(githubtest.RouteRevokeToken)
	// The automatic logout: log in again and run the payload its schedule carries,
	// as the logout function does, once the session is due.
	login("")
	cur, err := app.Service.Store.GetSession(ctx, session.Key{Site: "https://chat.example.com", UserID: alice.ID})
	if err != nil {
		t.Fatal(err)
	}
	app.Service.Now = func() time.Time { return cur.Ends }
	payload, _ := json.Marshal(session.Job{Site: cur.Site, UserID: cur.UserID, Generation: cur.Generation})
	measure("automatic logout", func() {
		if err := app.Logout(ctx, payload); err != nil {
			t.Fatal(err)
		}
	})
	// The retry of the revocation that failed above, with GitHub still down.
	retry, _ := json.Marshal(session.Job{Site: cur.Site, UserID: cur.UserID, Generation: downGen, Attempt: 1})
	gh.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502})
	measure("automatic logout, GitHub down (retry)", func() {
		// Its next retry is scheduled: the run succeeds, and nothing reaches
		// the on-failure queue (see session's TestExpireOutcomes).
		if err := app.Logout(ctx, retry); err != nil {
			t.Fatalf("a run whose retry is scheduled failed: %v", err)
		}
	})
	gh.ClearFault(githubtest.RouteRevokeToken)

	// A GitHub App: its user tokens expire after 8 hours and /github status
	// refreshes them (the webhook function seals the new pair).
	ghApp := githubtest.New(githubtest.Options{ClientID: "Iv1.aws", ClientSecret: "aws-client-secret", GitHubApp: true})
	ghAppURL, stopApp := ghApp.Start()
	defer stopApp()
	srv2 := httptest.NewUnstartedServer(nil)
	appEnv := maps.Clone(env)
	appEnv["GITHUB_URL"], appEnv["GITHUB_API_URL"] = ghAppURL, ghAppURL
	appEnv["PUBLIC_URL"] = "http://" + srv2.Listener.Addr().String()
	app2 := newApp(appEnv)
	srv2.Config.Handler = app2.Web.Routes()
	srv2.Start()
	defer srv2.Close()
	rc2 := &rocketchattest.Outgoing{URL: srv2.URL + "/rocketchat/webhook", Token: webhookToken, SiteURL: "https://chat.example.com"}
	// A user per flow, so that each login is a first one.
	users := []rocketchattest.User{{ID: "bobid", Name: "bob"}, {ID: "carolid", Name: "carol"}}
	user := users[0]
	say2 := func(text string) string {
		d, err := rc2.Send(ctx, rc2.Message(user, text))
		if err != nil || d.Posted == nil {
			t.Fatalf("%s: %v %s", text, err, d.Body)
		}
		return d.Posted.Text
	}
	loginApp := func() {
		link := regexp.MustCompile(`\S+/oauth/start\?link=\S+`).FindString(say2("/github login"))
		jar, _ := cookiejar.New(nil)
		b := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		mustGet(t, b, link, 200)
		resp, err := b.PostForm(srv2.URL+"/oauth/start", url.Values{"link": {link[strings.Index(link, "=")+1:]}})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /oauth/start: %v %v", err, resp)
		}
		resp.Body.Close()
		cb, err := ghApp.Authorize(resp.Header.Get("Location"), "octocat")
		if err != nil {
			t.Fatal(err)
		}
		measure("callback (GitHub App)", func() { mustGet(t, b, cb, 200) })
	}
	// The service's clock moves to the token's last minutes; the stand-in's
	// own clock stays, so the new token it issues is valid.
	expiring := func() {
		cur, err := app2.Service.Store.GetSession(ctx, session.Key{Site: "https://chat.example.com", UserID: user.ID})
		if err != nil || cur.TokenExpires.IsZero() {
			t.Fatalf("GitHub App session: %+v, %v", cur, err)
		}
		app2.Service.Now = func() time.Time { return cur.TokenExpires.Add(-time.Minute) }
	}
	loginApp()
	expiring()
	measure("webhook: status, token refreshed (GitHub App)", func() {
		if text := say2("/github status"); !strings.Contains(text, "octocat") {
			t.Fatalf("status after a refresh: %s", text)
		}
	})
	app2.Service.Now = time.Now
	user = users[1]
	loginApp()
	expiring()
	faults.failNext("UpdateItem")
	ghApp.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502})
	measure("webhook: status, refreshed token not stored, GitHub down (kept for retry)", func() { say2("/github status") })
	ghApp.ClearFault(githubtest.RouteRevokeToken)

	// A malformed scheduler payload ends nothing and is reported as an error.
	login("")
	counter.Reset()
	for _, bad := range []string{`{`, `{"site":"https://chat.example.com","user":"aliceid"}`, `{"site":"https://chat.example.com","user":"aliceid","generation":1,"extra":1}`, `null`} {
		if err := app.Logout(ctx, json.RawMessage(bad)); err == nil {
			t.Errorf("Logout(%s) accepted a malformed payload", bad)
		}
	}
	if c := counter.Counts(); len(c) != 0 {
		t.Errorf("malformed payloads made AWS calls: %v", c)
	}
	if _, err := app.Service.Store.GetSession(ctx, session.Key{Site: "https://chat.example.com", UserID: alice.ID}); err != nil {
		t.Errorf("a malformed payload ended the session: %v", err)
	}

	// Each function may call exactly what template.yaml grants it: its managed
	// policies and, for KMS, the key policy's statements naming its role.
	// UpdateSchedule is taken only when a CreateSchedule meets its own earlier
	// attempt (an answer lost on the way back), which these flows do not stage.
	rescheduling := map[string][]string{"a retried CreateSchedule": {"scheduler:UpdateSchedule"}}
	entries := entryPoints(t, help)
	for _, function := range []string{"WebhookFunction", "CallbackFunction", "LogoutFunction"} {
		byFlow := map[string][]string{"cold start": actions["cold start"]}
		covered := map[string]bool{}
		for name, fe := range flowEntry {
			if fe.function == function {
				byFlow[name] = actions[name]
				covered[fe.entry] = true
			}
		}
		for _, e := range entries[function] {
			if !covered[e] {
				t.Errorf("%s: entry point %q is served but no flow measures it", function, e)
			}
		}
		checkLeastPrivilege(t, function, grantedTo(t, function), merge(rescheduling, byFlow))
	}
	for _, name := range flows {
		if _, ok := flowEntry[name]; !ok && name != "cold start" {
			t.Errorf("flow %q is measured but belongs to no function's entry point", name)
		}
	}

	var table strings.Builder
	fmt.Fprintln(&table, "| flow | AWS calls |\n|---|---|")
	seen := map[string]bool{}
	for _, name := range flows {
		if seen[name] {
			continue
		}
		seen[name] = true
		if !reflect.DeepEqual(got[name], want[name]) {
			t.Errorf("%s: AWS calls %v, want %v", name, got[name], want[name])
		}
		fmt.Fprintf(&table, "| %s | %s |\n", name, formatCounts(got[name]))
	}
	if len(seen) != len(want) {
		t.Errorf("measured %d flows, want %d", len(seen), len(want))
	}
	t.Logf("AWS calls per flow:\n%s", table.String())
	checkCallsFile(t, got, items, func(flow string) string { return flowEntry[flow].function })
}

func formatCounts(c map[string]int) string {
	var parts []string
	total := 0
	for k, n := range c {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, n))
		total += n
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d: %s", total, strings.Join(parts, ", "))
}

func mustGet(t *testing.T, c *http.Client, u string, status int) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("GET %s = %d: %s", u, resp.StatusCode, body)
	}
}

func TestNewReportsEveryMissingVariable(t *testing.T) {
	_, err := awsapp.New(context.Background(), func(string) string { return "" }, awsapp.Options{})
	if err == nil {
		t.Fatal("empty environment accepted")
	}
	for _, name := range []string{"PUBLIC_URL", "GITHUB_CLIENT_ID", "TOKENS_TABLE", "SCHEDULE_GROUP", "LOGOUT_FUNCTION_ARN",
		"SCHEDULER_ROLE_ARN", "LOGOUT_DLQ_ARN", "TOKEN_KMS_KEY_ID", "SECRETS_ARN"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
}
