package awsapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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
// against moto, and counts the AWS calls each user flow makes. The README's
// table is this test's expectations.
func TestAWSCallsPerFlow(t *testing.T) {
	ctx := context.Background()
	cfg := awstest.Config(t)
	_, dlqARN := awstest.Queue(t, cfg)
	gh := githubtest.New(githubtest.Options{ClientID: "Iv1.aws", ClientSecret: "aws-client-secret"})
	ghURL, stop := gh.Start()
	defer stop()
	chat := rocketchattest.NewIncoming()
	defer chat.Close()
	secret, _ := json.Marshal(map[string]string{"github_client_secret": "aws-client-secret",
		"rocketchat_webhook_token": webhookToken, "rocketchat_incoming_webhook_url": chat.URL()})
	srv := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + srv.Listener.Addr().String()
	env := map[string]string{
		"PUBLIC_URL": publicURL, "GITHUB_CLIENT_ID": "Iv1.aws", "GITHUB_URL": ghURL, "GITHUB_API_URL": ghURL,
		"TOKENS_TABLE": awstest.Table(t, cfg), "SCHEDULE_GROUP": awstest.ScheduleGroup(t, cfg),
		"LOGOUT_FUNCTION_ARN": "arn:aws:lambda:us-east-1:123456789012:function:rcgithub-logout",
		"SCHEDULER_ROLE_ARN":  "arn:aws:iam::123456789012:role/rcgithub-scheduler",
		"LOGOUT_DLQ_ARN":      dlqARN,
		"TOKEN_KMS_KEY_ID":    awstest.KMSKey(t, cfg),
		"SECRETS_ARN":         awstest.Secret(t, cfg, string(secret)),
	}
	counter := awstest.NewCounter()
	iam := &iamRecorder{actions: map[string]bool{}}
	app, err := awsapp.New(ctx, func(k string) string { return env[k] }, awsapp.Options{
		AWSConfig: func(c *aws.Config) {
			*c = cfg
			counter.Install(c)
			c.APIOptions = append(c.APIOptions, iam.add)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = app.Web.Routes()
	srv.Start()
	defer srv.Close()

	var flows []string
	got := map[string]map[string]int{}
	actions := map[string][]string{"cold start": iam.taken()}
	measure := func(name string, run func()) {
		counter.Reset()
		iam.reset()
		run()
		got[name] = counter.Counts()
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
		if err := app.Logout(ctx, retry); err == nil {
			t.Fatal("a revocation GitHub did not confirm was reported as done")
		}
	})
	gh.ClearFault(githubtest.RouteRevokeToken)

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

	// Each function may call exactly what template.yaml grants it. The webhook
	// and callback functions serve the same handler behind different routes;
	// the logout function runs the scheduled payload.
	session := templatePolicy(t, "SessionAccessPolicy")
	seal := templatePolicy(t, "TokenSealPolicy")
	pick := func(names ...string) map[string][]string {
		m := map[string][]string{}
		for _, n := range names {
			m[n] = actions[n]
		}
		return m
	}
	quota := templatePolicy(t, "LinkQuotaPolicy")
	// UpdateSchedule is taken only when a CreateSchedule meets its own earlier
	// attempt (an answer lost on the way back), which these flows do not stage.
	rescheduling := map[string][]string{"a retried CreateSchedule": {"scheduler:UpdateSchedule"}}
	checkLeastPrivilege(t, "WebhookFunction", union(session, quota), merge(rescheduling, pick("cold start", "webhook: login", "webhook: status", "webhook: logout", "webhook: logout, GitHub down")))
	checkLeastPrivilege(t, "CallbackFunction", union(session, seal), merge(rescheduling, pick("cold start", "GET /oauth/start", "POST /oauth/start", "callback", "callback (re-login)")))
	checkLeastPrivilege(t, "LogoutFunction", session, merge(rescheduling, pick("cold start", "automatic logout", "automatic logout, GitHub down (retry)")))

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
