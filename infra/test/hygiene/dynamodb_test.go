package hygiene

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awsscheduler "github.com/aws/aws-sdk-go-v2/service/scheduler"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/awstest"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/logtest"
	"rcgithub/shared/session"
)

const (
	site         = "https://chat.example.com"
	clientSecret = "hygiene-client-secret"
	webhookToken = "hygiene-webhook-token-0123456789"
)

// TestDynamoDBTableHoldsNoPlaintextToken logs users in through the service
// wired as the Lambdas wire it (awsapp.New: DynamoDB, KMS, EventBridge
// Scheduler on moto; GitHub played by githubtest), including a logout whose
// revocation GitHub does not confirm (the sealed token is kept for the retry),
// then scans the whole table and reads every schedule: no access token appears
// in any attribute or payload, as is or base64-encoded, and none in the logs.
func TestDynamoDBTableHoldsNoPlaintextToken(t *testing.T) {
	ctx := context.Background()
	cfg := awstest.Config(t)
	gh := githubtest.New(githubtest.Options{ClientID: "Iv1.hygiene", ClientSecret: clientSecret})
	ghURL, stop := gh.Start()
	defer stop()
	secret, _ := json.Marshal(map[string]string{"github_client_secret": clientSecret, "rocketchat_webhook_token": webhookToken})
	env := awstest.FunctionEnv(t, cfg, string(secret))
	env["PUBLIC_URL"], env["GITHUB_CLIENT_ID"], env["GITHUB_URL"], env["GITHUB_API_URL"] = "https://rcgithub.example.com", "Iv1.hygiene", ghURL, ghURL
	table, group := env["TOKENS_TABLE"], env["SCHEDULE_GROUP"]
	logs := &logtest.Buffer{}
	app, err := awsapp.New(ctx, func(k string) string { return env[k] }, awsapp.Options{
		AWSConfig: func(c *aws.Config) { *c = cfg },
		Logger:    slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := app.Service

	alice := session.Key{Site: site, UserID: "aliceid"}
	bob := session.Key{Site: site, UserID: "bobid"}
	var tokens []string
	login := func(k session.Key, ghLogin string) string {
		t.Helper()
		tok := loginThroughService(t, svc, gh, k, ghLogin)
		tokens = append(tokens, tok)
		return tok
	}
	login(alice, "octocat")
	login(alice, "octocat") // re-login: the first token is revoked and forgotten
	bobTok := login(bob, "bob-gh")
	if _, err := svc.GetStatus(ctx, bob); err != nil {
		t.Fatal(err)
	}
	// Bob logs out while GitHub fails the revocation: the retired session
	// keeps his sealed token until a retry succeeds.
	gh.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 503})
	res, err := svc.Logout(ctx, bob)
	gh.ClearFault(githubtest.RouteRevokeToken)
	if err != nil || res.Revoked {
		t.Fatalf("logout with revocation failing: revoked %v, %v", res.Revoked, err)
	}
	if !gh.TokenAlive(bobTok) {
		t.Fatal("bob's token was revoked although GitHub failed")
	}
	if _, err := svc.Store.GetRetired(ctx, bob, res.Generation); err != nil {
		t.Fatalf("bob's retired session (kept for the retry) is missing: %v", err)
	}
	tokens = append(tokens, gh.RevokedTokens()...)

	items := scanAll(t, awsdynamodb.NewFromConfig(cfg), table)
	if len(items) < 2 {
		t.Fatalf("scanned %d items: the logins left too little to check", len(items))
	}
	var sealed int // binary attributes longer than a token: KMS ciphertexts
	for _, item := range items {
		for name, v := range item {
			if b, ok := v.(*types.AttributeValueMemberB); ok && len(b.Value) > len(bobTok) {
				sealed++
			}
			walkAttribute(v, func(b []byte) {
				if holdsToken(b, tokens) {
					t.Errorf("attribute %q of an item holds an access token in plaintext", name)
				}
			})
		}
	}
	if sealed < 2 {
		t.Fatalf("%d sealed tokens in the table, want alice's live one and bob's retired one: the scan missed them", sealed)
	}

	schedules := scheduleInputs(t, awsscheduler.NewFromConfig(cfg), group)
	if len(schedules) == 0 {
		t.Fatal("no schedule found: the logins scheduled no automatic logout")
	}
	for _, input := range schedules {
		if holdsToken([]byte(input), tokens) {
			t.Error("a schedule's payload holds an access token")
		}
	}
	for _, s := range append(tokens, clientSecret, webhookToken) {
		if strings.Contains(logs.String(), s) {
			t.Error("a secret appears in the logs")
		}
	}
}

// loginThroughService runs the whole sign-in through the service, GitHub's
// consent played by the stand-in, and returns the access token GitHub issued.
func loginThroughService(t *testing.T, svc *session.Service, gh *githubtest.Server, k session.Key, ghLogin string) string {
	t.Helper()
	ctx := context.Background()
	l, err := svc.StartLogin(ctx, session.LinkRequest{Key: k, UserName: k.UserID, MessageID: "msg-" + time.Now().Format(time.RFC3339Nano)})
	if err != nil {
		t.Fatalf("start login: %v", err)
	}
	authURL, err := svc.Authorize(ctx, l.ID, "browser-secret-"+l.ID)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	cb, err := gh.Authorize(authURL, ghLogin)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(cb)
	if _, err := svc.CompleteLogin(ctx, u.Query().Get("state"), u.Query().Get("code"), "browser-secret-"+l.ID); err != nil {
		t.Fatalf("callback: %v", err)
	}
	live := gh.LiveTokens(ghLogin)
	if len(live) == 0 {
		t.Fatal("GitHub issued no token")
	}
	return live[len(live)-1]
}

// scanAll reads every item of the table.
func scanAll(t *testing.T, client *awsdynamodb.Client, table string) []map[string]types.AttributeValue {
	t.Helper()
	var items []map[string]types.AttributeValue
	p := awsdynamodb.NewScanPaginator(client, &awsdynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		items = append(items, page.Items...)
	}
	return items
}

// scheduleInputs returns the payload of every schedule in the group.
func scheduleInputs(t *testing.T, client *awsscheduler.Client, group string) []string {
	t.Helper()
	var inputs []string
	p := awsscheduler.NewListSchedulesPaginator(client, &awsscheduler.ListSchedulesInput{GroupName: aws.String(group)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list schedules: %v", err)
		}
		for _, s := range page.Schedules {
			out, err := client.GetSchedule(context.Background(), &awsscheduler.GetScheduleInput{Name: s.Name, GroupName: aws.String(group)})
			if err != nil {
				t.Fatalf("get schedule: %v", err)
			}
			if out.Target != nil {
				inputs = append(inputs, aws.ToString(out.Target.Input))
			}
		}
	}
	return inputs
}

// walkAttribute calls visit with every string, number and binary value in v,
// nested lists and maps included.
func walkAttribute(v types.AttributeValue, visit func([]byte)) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		visit([]byte(v.Value))
	case *types.AttributeValueMemberN:
		visit([]byte(v.Value))
	case *types.AttributeValueMemberB:
		visit(v.Value)
	case *types.AttributeValueMemberSS:
		for _, s := range v.Value {
			visit([]byte(s))
		}
	case *types.AttributeValueMemberNS:
		for _, s := range v.Value {
			visit([]byte(s))
		}
	case *types.AttributeValueMemberBS:
		for _, b := range v.Value {
			visit(b)
		}
	case *types.AttributeValueMemberL:
		for _, e := range v.Value {
			walkAttribute(e, visit)
		}
	case *types.AttributeValueMemberM:
		for _, e := range v.Value {
			walkAttribute(e, visit)
		}
	}
}

// holdsToken reports whether b holds a token as is or base64-encoded.
func holdsToken(b []byte, tokens []string) bool {
	for _, tok := range tokens {
		for _, form := range []string{tok, base64.StdEncoding.EncodeToString([]byte(tok)), base64.RawURLEncoding.EncodeToString([]byte(tok))} {
			if bytes.Contains(b, []byte(form)) {
				return true
			}
		}
	}
	return false
}

func TestHoldsTokenAndWalkFindNestedTokens(t *testing.T) {
	tok := "gho_" + strings.Repeat("x", 36)
	item := &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberB{Value: []byte(base64.StdEncoding.EncodeToString([]byte(tok)))},
		}},
	}}
	found := false
	walkAttribute(item, func(b []byte) { found = found || holdsToken(b, []string{tok}) })
	if !found {
		t.Fatal("a base64 token nested in a list in a map was not found")
	}
	found = false
	walkAttribute(&types.AttributeValueMemberS{Value: "sealed:" + strings.Repeat("A", 80)}, func(b []byte) { found = found || holdsToken(b, []string{tok}) })
	if found {
		t.Fatal("a value without the token was taken for it")
	}
}
