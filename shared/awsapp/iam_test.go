package awsapp_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// iamRecorder records the IAM actions each AWS call needs: a transaction
// needs the action of every item in it, and a call that hands Scheduler its
// role needs iam:PassRole.
type iamRecorder struct {
	mu      sync.Mutex
	actions map[string]bool
}

func (r *iamRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.actions = map[string]bool{}
}

func (r *iamRecorder) taken() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for a := range r.actions {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

func (r *iamRecorder) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("iamRecorder",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			prefix := map[string]string{"DynamoDB": "dynamodb", "Scheduler": "scheduler", "KMS": "kms", "Secrets Manager": "secretsmanager",
				"EventBridge": "events", "SQS": "sqs"}[awsmiddleware.GetServiceID(ctx)]
			op := awsmiddleware.GetOperationName(ctx)
			var actions []string
			switch {
			case op == "TransactWriteItems":
				for _, item := range in.Parameters.(*dynamodb.TransactWriteItemsInput).TransactItems {
					switch {
					case item.Put != nil:
						actions = append(actions, "dynamodb:PutItem")
					case item.Update != nil:
						actions = append(actions, "dynamodb:UpdateItem")
					case item.Delete != nil:
						actions = append(actions, "dynamodb:DeleteItem")
					case item.ConditionCheck != nil:
						actions = append(actions, "dynamodb:ConditionCheckItem")
					}
				}
			case prefix == "scheduler" && (op == "CreateSchedule" || op == "UpdateSchedule"):
				actions = append(actions, "scheduler:"+op, "iam:PassRole")
			default:
				actions = append(actions, prefix+":"+op)
			}
			r.mu.Lock()
			for _, a := range actions {
				r.actions[a] = true
			}
			r.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// templatePolicy returns the actions granted by one managed policy of template.yaml.
func templatePolicy(t *testing.T, name string) []string {
	t.Helper()
	var actions []string
	for _, m := range regexp.MustCompile(`(?m)^\s*(?:- |Action: )((?:dynamodb|scheduler|kms|secretsmanager|iam|events|sqs):[A-Za-z*]+)\s*$`).FindAllStringSubmatch(templateResource(t, name), -1) {
		actions = append(actions, m[1])
	}
	sort.Strings(actions)
	return actions
}

func union(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, a := range l {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	sort.Strings(out)
	return out
}

// checkLeastPrivilege compares the actions a function's flows took with those
// its policies grant: every action taken is granted, and every action granted
// is taken by some flow.
func checkLeastPrivilege(t *testing.T, function string, granted []string, flows map[string][]string) {
	t.Helper()
	var taken []string
	for flow, actions := range flows {
		taken = union(taken, actions)
		for _, a := range actions {
			if !slices.Contains(granted, a) {
				t.Errorf("%s: flow %q calls %s, which template.yaml does not grant it", function, flow, a)
			}
		}
	}
	for _, a := range granted {
		if !slices.Contains(taken, a) {
			t.Errorf("%s: template.yaml grants %s, which no flow of it takes (least privilege)", function, a)
		}
	}
}

func merge(maps ...map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// awsFaults fails the next calls of one operation before they are sent, as a
// throttled or unavailable AWS service would. The calls still count: the
// counter and the IAM recorder run before them.
type awsFaults struct {
	mu      sync.Mutex
	pending string
	times   int // how many more calls of pending fail
}

// failNext fails the next call of operation; called again for the same
// operation before that call, it fails one call more.
func (f *awsFaults) failNext(operation string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pending != operation {
		f.pending, f.times = operation, 0
	}
	f.times++
}

func (f *awsFaults) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("awsFaults",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			f.mu.Lock()
			fail := f.pending != "" && f.pending == op && f.times > 0
			if fail {
				if f.times--; f.times == 0 {
					f.pending = ""
				}
			}
			f.mu.Unlock()
			if fail {
				return middleware.InitializeOutput{}, middleware.Metadata{}, fmt.Errorf("awsFaults: %s failed (staged)", op)
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// templateResource returns the text of one top-level resource of template.yaml.
func templateResource(t *testing.T, name string) string {
	t.Helper()
	tmpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(tmpl)
	start := strings.Index(text, "\n  "+name+":\n")
	if start < 0 {
		t.Fatalf("template.yaml has no resource %s", name)
	}
	body := text[start+1:]
	if end := regexp.MustCompile(`\n  [A-Za-z]+:\n|\n[A-Za-z]+:\n`).FindStringIndex(body[len(name)+3:]); end != nil {
		body = body[:len(name)+3+end[0]]
	}
	return body
}

// grantedTo returns what template.yaml lets a function call: the actions of
// the managed policies its Policies name, and the KMS actions of the key
// policy statements that name its role.
func grantedTo(t *testing.T, function string) []string {
	t.Helper()
	var granted []string
	for _, m := range regexp.MustCompile(`(?m)^\s*- !Ref (\w+Policy)\s*$`).FindAllStringSubmatch(templateResource(t, function), -1) {
		granted = union(granted, templatePolicy(t, m[1]))
	}
	key := templateResource(t, "TokenKey")
	for _, stmt := range strings.Split(key, "- Sid: ")[1:] {
		if strings.Contains(stmt, "!GetAtt "+function+"Role.Arn") {
			for _, m := range regexp.MustCompile(`(?m)^\s*(?:- |Action: )(kms:[A-Za-z]+)\s*$`).FindAllStringSubmatch(stmt, -1) {
				granted = union(granted, []string{m[1]})
			}
		}
	}
	return granted
}

// entryPoints lists what each function serves: the HTTP API routes
// template.yaml sends to it and, for the webhook, each command its help text
// names (help: the answer to "/github help"), and a command past the
// webhook's deadline, handed to the commands queue; the logout function runs
// the scheduler's payloads, the automatic logout and the retries; the
// commands function runs the queue's batches of deferred commands.
func entryPoints(t *testing.T, help string) map[string][]string {
	t.Helper()
	functions := map[string]string{"webhook": "WebhookFunction", "callback": "CallbackFunction", "logout": "LogoutFunction"}
	routes := map[string][]string{}
	var path, method string
	for _, line := range strings.Split(templateResource(t, "HttpApi"), "\n") {
		if m := regexp.MustCompile(`^ {10}(/\S*):\s*$`).FindStringSubmatch(line); m != nil {
			path = m[1]
		}
		if m := regexp.MustCompile(`^ {12}(get|post|put|patch|delete|head|options|x-amazon-apigateway-any-method):\s*$`).FindStringSubmatch(line); m != nil {
			method = strings.ToUpper(m[1])
		}
		if m := regexp.MustCompile(`function:\$\{AWS::StackName\}-(\w+)/invocations`).FindStringSubmatch(line); m != nil {
			fn, ok := functions[m[1]]
			if !ok {
				t.Fatalf("template.yaml routes %s %s to an unknown function %q", method, path, m[1])
			}
			routes[fn] = append(routes[fn], method+" "+path)
		}
	}
	var commands []string
	// Every form the help shows: "me", "owner/repo issues", "login public_repo"...
	for _, m := range regexp.MustCompile("`/github ([^`]+)`").FindAllStringSubmatch(help, -1) {
		if !slices.Contains(commands, m[1]) {
			commands = append(commands, m[1])
		}
	}
	if len(routes["WebhookFunction"]) == 0 || len(routes["CallbackFunction"]) == 0 || len(commands) == 0 {
		t.Fatalf("no routes or commands found: routes %v, commands %v in help %q", routes, commands, help)
	}
	entries := map[string][]string{
		"CallbackFunction": routes["CallbackFunction"],
		"LogoutFunction":   {"scheduled job (attempt 0)", "scheduled retry (attempt 1 and later)"},
		"CommandsFunction": {DeferredEntry},
	}
	for _, r := range routes["WebhookFunction"] {
		for _, c := range commands {
			entries["WebhookFunction"] = append(entries["WebhookFunction"], r+": "+c)
		}
		entries["WebhookFunction"] = append(entries["WebhookFunction"], r+": "+DeferringEntry)
	}
	return entries
}

// The entry points of the deferred commands: the webhook hands a command past
// its deadline to the commands queue; the commands function runs the
// queue's batches.
const (
	DeferringEntry = "a command past the deadline, deferred to the commands queue"
	DeferredEntry  = "SQS batch of deferred commands"
)
