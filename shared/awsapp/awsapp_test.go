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

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	eventbridgetypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/awstest"
	"rcgithub/shared/chatops"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
	"rcgithub/shared/sqsqueue"
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
	eventsQueue := routeEvents(t, cfg, env["EVENT_BUS_NAME"])
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
		"callback":                              {"DynamoDB.DeleteItem": 1, "KMS.Encrypt": 1, "DynamoDB.GetItem": 1, "Scheduler.CreateSchedule": 1, "DynamoDB.PutItem": 1, "EventBridge.PutEvents": 1},
		"callback (re-login)":                   {"DynamoDB.DeleteItem": 2, "KMS.Encrypt": 1, "DynamoDB.GetItem": 3, "Scheduler.CreateSchedule": 1, "DynamoDB.TransactWriteItems": 1, "KMS.Decrypt": 1, "Scheduler.DeleteSchedule": 1, "EventBridge.PutEvents": 1},
		"webhook: status":                       {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1},
		"webhook: logout":                       {"DynamoDB.GetItem": 3, "DynamoDB.TransactWriteItems": 1, "KMS.Decrypt": 1, "DynamoDB.DeleteItem": 1, "Scheduler.DeleteSchedule": 1, "EventBridge.PutEvents": 1},
		"automatic logout":                      {"DynamoDB.GetItem": 3, "DynamoDB.TransactWriteItems": 1, "KMS.Decrypt": 1, "DynamoDB.DeleteItem": 1, "Scheduler.DeleteSchedule": 1, "EventBridge.PutEvents": 1},
		"webhook: logout, GitHub down":          {"DynamoDB.GetItem": 3, "DynamoDB.TransactWriteItems": 1, "KMS.Decrypt": 1, "Scheduler.CreateSchedule": 1, "EventBridge.PutEvents": 1},
		"automatic logout, GitHub down (retry)": {"DynamoDB.GetItem": 2, "KMS.Decrypt": 1, "Scheduler.CreateSchedule": 1},
		"webhook: help":                         {},
		// A GitHub App: the callback seals the token and its refresh token; a
		// status with the token about to expire refreshes the pair and seals it.
		"callback (GitHub App)":                         {"DynamoDB.DeleteItem": 1, "KMS.Encrypt": 2, "DynamoDB.GetItem": 1, "Scheduler.CreateSchedule": 1, "DynamoDB.PutItem": 1, "EventBridge.PutEvents": 1},
		"webhook: status, token refreshed (GitHub App)": {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1, "KMS.Encrypt": 2, "DynamoDB.UpdateItem": 1},
		// The refreshed pair could not be stored (two tries, each checked) and
		// GitHub did not confirm its revocation: the new token is kept sealed,
		// with a retry scheduled.
		"webhook: status, refreshed token not stored, GitHub down (kept for retry)": {"DynamoDB.GetItem": 3, "KMS.Decrypt": 1, "KMS.Encrypt": 3, "DynamoDB.UpdateItem": 2, "Scheduler.CreateSchedule": 1, "DynamoDB.PutItem": 1},
		// A command past the webhook's deadline goes to the commands queue;
		// the commands function finishes it (the same session calls as the
		// command inline) and, when it ends a session, publishes the event.
		"webhook: login public_repo": {"DynamoDB.TransactWriteItems": 1},
		"webhook: me":                {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1},
		"webhook: repository card":   {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1},
		"webhook: issues":            {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1},
		"webhook: pulls":             {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1},
		"webhook: search":            {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1},
		"webhook: share":             {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1},
		// An issue: the message's claim (PutItem), then its result (UpdateItem);
		// a re-delivery finds the claim (a refused conditional PutItem).
		"webhook: issue":                                      {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1, "DynamoDB.PutItem": 1, "DynamoDB.UpdateItem": 1},
		"webhook: issue, re-delivered":                        {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1, "DynamoDB.PutItem": 1},
		"webhook: a command deferred":                         {"SQS.SendMessage": 1},
		"commands: deferred command":                          {"DynamoDB.GetItem": 1, "KMS.Decrypt": 1},
		"commands: deferred command, token revoked at GitHub": {"DynamoDB.GetItem": 3, "KMS.Decrypt": 1, "DynamoDB.TransactWriteItems": 1, "DynamoDB.DeleteItem": 1, "Scheduler.DeleteSchedule": 1, "EventBridge.PutEvents": 1},
		"commands: deferred command, refreshed token not stored, GitHub down (kept for retry)": {"DynamoDB.GetItem": 3, "KMS.Decrypt": 1, "KMS.Encrypt": 3, "DynamoDB.UpdateItem": 2, "Scheduler.CreateSchedule": 1, "DynamoDB.PutItem": 1},
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
		"webhook: login public_repo":   {"WebhookFunction", "POST /rocketchat/webhook: login public_repo"},
		"webhook: me":                  {"WebhookFunction", "POST /rocketchat/webhook: me"},
		"webhook: repository card":     {"WebhookFunction", "POST /rocketchat/webhook: owner/repo"},
		"webhook: issues":              {"WebhookFunction", "POST /rocketchat/webhook: owner/repo issues"},
		"webhook: pulls":               {"WebhookFunction", "POST /rocketchat/webhook: owner/repo pulls"},
		"webhook: search":              {"WebhookFunction", "POST /rocketchat/webhook: search <query>"},
		"webhook: share":               {"WebhookFunction", "POST /rocketchat/webhook: share <command>"},
		"webhook: issue":               {"WebhookFunction", "POST /rocketchat/webhook: owner/repo issue <title>"},
		"webhook: issue, re-delivered": {"WebhookFunction", "POST /rocketchat/webhook: owner/repo issue <title>"},
		"webhook: a command deferred":  {"WebhookFunction", "POST /rocketchat/webhook: " + DeferringEntry},
		"commands: deferred command":   {"CommandsFunction", DeferredEntry},
		"commands: deferred command, token revoked at GitHub":                                  {"CommandsFunction", DeferredEntry},
		"commands: deferred command, refreshed token not stored, GitHub down (kept for retry)": {"CommandsFunction", DeferredEntry},
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
	loginCmd := "/github login"
	login := func(suffix string) {
		var link string
		flow := "webhook: login"
		if loginCmd != "/github login" {
			flow += strings.TrimPrefix(loginCmd, "/github login")
		}
		var answer string
		measure(flow, func() { answer = say(loginCmd) })
		link = regexp.MustCompile(`\S+/oauth/start\?link=\S+`).FindString(answer)
		jar, _ := cookiejar.New(nil)
		b := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if link == "" {
			t.Fatalf("%s gave no login link: %s", loginCmd, answer)
		}
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
	// The re-login asks for public_repo, which the commands below need to
	// open an issue (a plain login cannot).
	loginCmd = "/github login public_repo"
	login(" (re-login)")
	loginCmd = "/github login"
	measure("webhook: status", func() { say("/github status") })
	// The commands that act at GitHub, on the stand-in's seeded world.
	gh.Seed()
	measure("webhook: me", func() { say("/github me") })
	measure("webhook: repository card", func() { say("/github octocat/hello-world") })
	measure("webhook: issues", func() { say("/github octocat/hello-world issues") })
	measure("webhook: pulls", func() { say("/github octocat/hello-world pulls") })
	measure("webhook: search", func() { say("/github search is:open label:bug") })
	measure("webhook: share", func() { say("/github share octocat/hello-world") })
	issueMsg := rc.Message(alice, "/github octocat/hello-world issue Filed from the AWS test\nwith a body")
	sendIssue := func() string {
		d, err := rc.Send(ctx, issueMsg)
		if err != nil || d.Posted == nil || !strings.Contains(d.Posted.Text, "/octocat/hello-world/issues/") {
			t.Fatalf("issue: %v %+v %s", err, d.Posted, d.Body)
		}
		return d.Posted.Text
	}
	var first string
	measure("webhook: issue", func() { first = sendIssue() })
	measure("webhook: issue, re-delivered", func() {
		if again := sendIssue(); again != first {
			t.Fatalf("re-delivery answered %q, want %q", again, first)
		}
	})
	// A command past the webhook's deadline: the webhook function's deferrer
	// sends it to the commands queue, and the commands function runs the
	// batch SQS hands it.
	aliceKey := session.Key{Site: "https://chat.example.com", UserID: alice.ID}
	measure("webhook: a command deferred", func() {
		if err := app.Deferrer.Defer(ctx, chatops.Deferred{Key: aliceKey, UserName: alice.Name, MessageID: "slow-1",
			Trigger: "/github", Text: "/github me", RoomID: "GENERAL"}); err != nil {
			t.Fatal(err)
		}
	})
	batch := receiveBatch(t, cfg, env["COMMANDS_QUEUE_URL"], 1)
	// runBatch runs a batch as the commands function and checks how many of
	// its messages it reported as failed (SQS retries those).
	runBatch := func(app *awsapp.App, batch events.SQSEvent, failures int) {
		resp, err := app.Deferred(ctx, batch)
		if err != nil || len(resp.BatchItemFailures) != failures {
			t.Fatalf("deferred batch: %+v, %v; want %d failed", resp, err, failures)
		}
	}
	measure("commands: deferred command", func() { runBatch(app, batch, 0) })
	// The user revoked the app at GitHub meanwhile: the command's 401 ends
	// the session (revoked_at_github).
	gh.RevokeAll("octocat")
	measure("commands: deferred command, token revoked at GitHub", func() { runBatch(app, deferredBatch(t, aliceKey, "slow-2"), 0) })
	login("")
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
	users := []rocketchattest.User{{ID: "bobid", Name: "bob"}, {ID: "carolid", Name: "carol"}, {ID: "daveid", Name: "dave"}}
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
	faults.failNext("UpdateItem") // the service tries twice
	ghApp.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502})
	measure("webhook: status, refreshed token not stored, GitHub down (kept for retry)", func() { say2("/github status") })
	ghApp.ClearFault(githubtest.RouteRevokeToken)
	// The same in a deferred command: the commands function refreshes the token.
	user = users[2]
	loginApp()
	expiring()
	faults.failNext("UpdateItem")
	faults.failNext("UpdateItem") // the service tries twice
	ghApp.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502})
	measure("commands: deferred command, refreshed token not stored, GitHub down (kept for retry)", func() {
		// The command failed, and the user is told so by direct message (to
		// try again in a minute): the message is done, not retried by SQS.
		runBatch(app2, deferredBatch(t, session.Key{Site: "https://chat.example.com", UserID: user.ID}, "slow-3"), 0)
	})
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
	for _, function := range []string{"WebhookFunction", "CallbackFunction", "LogoutFunction", "CommandsFunction"} {
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

	// The domain events went through the bus: a rule on the source routed
	// every kind to a queue.
	kinds := map[string]int{}
	for range 10 {
		out, err := sqs.NewFromConfig(cfg).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(eventsQueue), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			var ev struct {
				Detail struct {
					Kind string `json:"kind"`
				} `json:"detail"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
				t.Fatalf("event %s: %v", aws.ToString(m.Body), err)
			}
			kinds[ev.Detail.Kind]++
		}
	}
	for _, k := range session.EventKinds() {
		if kinds[string(k)] == 0 {
			t.Errorf("no %s event reached the bus (events seen: %v)", k, kinds)
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

// routeEvents adds a rule to the bus that sends every event of the service's
// source to a new queue, and returns the queue's URL.
func routeEvents(t *testing.T, cfg aws.Config, bus string) string {
	t.Helper()
	url, arn := awstest.Queue(t, cfg)
	eb := eventbridge.NewFromConfig(cfg)
	rule := awstest.UniqueName("events")
	if _, err := eb.PutRule(t.Context(), &eventbridge.PutRuleInput{Name: aws.String(rule), EventBusName: aws.String(bus),
		EventPattern: aws.String(`{"source":["rcgithub"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(t.Context(), &eventbridge.PutTargetsInput{Rule: aws.String(rule), EventBusName: aws.String(bus),
		Targets: []eventbridgetypes.Target{{Id: aws.String("queue"), Arn: aws.String(arn)}}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = eb.RemoveTargets(context.Background(), &eventbridge.RemoveTargetsInput{Rule: aws.String(rule), EventBusName: aws.String(bus), Ids: []string{"queue"}})
		_, _ = eb.DeleteRule(context.Background(), &eventbridge.DeleteRuleInput{Name: aws.String(rule), EventBusName: aws.String(bus)})
	})
	return url
}

// receiveBatch reads n messages from the queue, with a client that counts
// nothing (SQS's poller reads them for the function), as the event SQS
// hands the commands function.
func receiveBatch(t *testing.T, cfg aws.Config, queueURL string, n int) events.SQSEvent {
	t.Helper()
	out, err := sqs.NewFromConfig(cfg).ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL),
		MaxNumberOfMessages: int32(n), WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != n {
		t.Fatalf("receive from the commands queue: %v, %d messages, want %d", err, len(out.Messages), n)
	}
	var ev events.SQSEvent
	for _, m := range out.Messages {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body)})
	}
	return ev
}

// deferredBatch is a batch of one deferred "/github me" of k.
func deferredBatch(t *testing.T, k session.Key, messageID string) events.SQSEvent {
	t.Helper()
	body, err := sqsqueue.Encode(chatops.Deferred{Key: k, MessageID: messageID, Trigger: "/github", Text: "/github me"})
	if err != nil {
		t.Fatal(err)
	}
	return events.SQSEvent{Records: []events.SQSMessage{{MessageId: "sqs-" + messageID, Body: string(body)}}}
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
