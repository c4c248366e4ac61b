package awsapp_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"rcgithub/shared/session"
)

// TestTokenKeyPolicy: the account administers the token key but cannot use
// it; each use is allowed only to named function roles (read from the
// template by !GetAtt), with an encryption context of exactly site and user,
// and a Null condition that refuses a call without one.
func TestTokenKeyPolicy(t *testing.T) {
	key := templateResource(t, "TokenKey")
	stmts := strings.Split(key, "- Sid: ")[1:]
	if len(stmts) == 0 {
		t.Fatal("TokenKey has no statement with a Sid")
	}
	crypto := regexp.MustCompile(`kms:(\*|Encrypt|Decrypt|ReEncrypt|GenerateDataKey)`)
	for _, stmt := range stmts {
		sid := strings.Fields(stmt)[0]
		if strings.Contains(stmt, ":root") {
			if m := crypto.FindString(stmt); m != "" {
				t.Errorf("%s: the account root is granted %s; it should administer the key only", sid, m)
			}
			continue
		}
		if !crypto.MatchString(stmt) {
			continue
		}
		if strings.Contains(stmt, `AWS: "*"`) || !strings.Contains(stmt, "Role.Arn") {
			t.Errorf("%s: uses of the key must name the functions' roles", sid)
		}
		for _, want := range []string{`"Null":`, `kms:EncryptionContextKeys: "false"`, "ForAllValues:StringEquals:", "kms:EncryptionContextKeys: [site, user]"} {
			if !strings.Contains(stmt, want) {
				t.Errorf("%s: lacks %s", sid, want)
			}
		}
	}
	// No IAM policy names the key: the key policy grants it, and an IAM
	// statement on the key would make the cycle key -> role -> policy -> key.
	tmpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range regexp.MustCompile(`(?m)^  (\w+):\n    Type: AWS::IAM::ManagedPolicy`).FindAllStringSubmatch(string(tmpl), -1) {
		if strings.Contains(templateResource(t, name[1]), "TokenKey") {
			t.Errorf("%s names TokenKey: a CloudFormation cycle with the key policy", name[1])
		}
	}
}

// TestWebhookThrottleIsItsOwn: the webhook route's throttle comes from its own
// parameters, under the route key template.yaml actually serves.
func TestWebhookThrottleIsItsOwn(t *testing.T) {
	api := templateResource(t, "HttpApi")
	m := regexp.MustCompile(`(?m)^      RouteSettings:\n        (.+):\n          ThrottlingBurstLimit: !Ref WebhookThrottlingBurstLimit\n          ThrottlingRateLimit: !Ref WebhookThrottlingRateLimit\n`).FindStringSubmatch(api)
	if m == nil {
		t.Fatal("HttpApi has no RouteSettings throttling the webhook route by its own parameters")
	}
	routes := entryPoints(t, "`/github help`")["WebhookFunction"]
	if !slices.Contains(routes, m[1]+": help") {
		t.Errorf("RouteSettings names %q, not a route of the webhook function (%v)", m[1], routes)
	}
	if !strings.Contains(api, "AccessLogSettings:") || !strings.Contains(api, "DestinationArn: !GetAtt ApiAccessLogGroup.Arn") {
		t.Error("HttpApi writes no access log to ApiAccessLogGroup")
	}
	for _, field := range []string{"$context.requestId", "$context.routeKey", "$context.status", "$context.responseLatency", "$context.identity.sourceIp"} {
		if !strings.Contains(api, field) {
			t.Errorf("the access log lacks %s", field)
		}
	}
	if !strings.Contains(templateResource(t, "ApiAccessLogGroup"), "RetentionInDays: !Ref LogRetentionInDays") {
		t.Error("the access log group keeps its logs forever")
	}
}

// TestAlarmKindsAreCounted: every alarm on a Failures kind names a kind the
// service counts, so that no alarm waits for a metric that never comes.
func TestAlarmKindsAreCounted(t *testing.T) {
	tmpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	counted := map[string]bool{}
	for _, m := range session.AllMetrics() {
		if m.Name == "Failures" {
			counted[m.Value] = true
		}
	}
	kinds := regexp.MustCompile(`(?s)MetricName: Failures\s+Dimensions:\s+- Name: Kind\s+Value: (\w+)`).FindAllStringSubmatch(string(tmpl), -1)
	if len(kinds) < 3 {
		t.Fatalf("found %d alarms on Failures kinds, want the overdue, abandoned and unscheduled ones", len(kinds))
	}
	for _, k := range kinds {
		if !counted[k[1]] {
			t.Errorf("an alarm waits for Failures Kind=%s, which shared/session never counts", k[1])
		}
	}
}

// TestURLParametersAreHTTPSOnly: the template's URL parameters accept https
// only, as the configuration does (GitHub and the public URL are never
// loopback in a deployment), and never a trailing slash.
func TestURLParametersAreHTTPSOnly(t *testing.T) {
	tmpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	params := regexp.MustCompile(`(?m)^  (\w*Url):\n(?:    .*\n)*?    AllowedPattern: (.+)\n`).FindAllStringSubmatch(string(tmpl), -1)
	if len(params) < 3 {
		t.Fatalf("found %d URL parameters with a pattern, want PublicUrl, GitHubUrl, GitHubApiUrl", len(params))
	}
	for _, p := range params {
		re, err := regexp.Compile(p[2])
		if err != nil {
			t.Fatalf("%s: pattern %q: %v", p[1], p[2], err)
		}
		for value, want := range map[string]bool{
			"https://github.example.com":        true,
			"https://github.example.com/api/v3": true,
			"http://github.example.com":         false,
			"http://127.0.0.1:8080":             false,
			"https://github.example.com/":       false,
		} {
			if got := re.MatchString(value); got != want {
				t.Errorf("%s accepts %q: %v, want %v", p[1], value, got, want)
			}
		}
	}
}
