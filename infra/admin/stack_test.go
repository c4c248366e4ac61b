package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/awstest"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/session"
)

// stackTemplate is a stack of the shape template.yaml deploys, as far as the
// admin reads it (the same parameters, outputs and logical ids; TestStackShape
// holds template.yaml to them), made of what moto's CloudFormation creates.
// Moto creates no AWS::Scheduler::ScheduleGroup, so the group is made
// beforehand and reaches the ScheduleGroupName output through a parameter;
// the key policy is a JSON string, as moto's DescribeKey reads it.
const stackTemplate = `{
  "Parameters": {
    "PublicUrl": {"Type": "String"}, "GitHubClientId": {"Type": "String"},
    "GitHubUrl": {"Type": "String"}, "GitHubApiUrl": {"Type": "String"},
    "GitHubScopes": {"Type": "String", "Default": "read:user"},
    "RocketChatTriggerWords": {"Type": "String", "Default": "/github,/gh,!github"},
    "SessionTtl": {"Type": "String", "Default": "168h"},
    "SecretsArn": {"Type": "String"}, "TestGroupName": {"Type": "String"}
  },
  "Resources": {
    "TokensTable": {"Type": "AWS::DynamoDB::Table", "Properties": {"BillingMode": "PAY_PER_REQUEST",
      "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
      "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}},
    "TokenKey": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"*\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}]}"}},
    "SchedulerRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
    "ScheduleDeadLetterQueue": {"Type": "AWS::SQS::Queue"}
  },
  "Outputs": {
    "WebhookUrl": {"Value": {"Fn::Sub": "${PublicUrl}/rocketchat/webhook"}},
    "TokensTableName": {"Value": {"Ref": "TokensTable"}},
    "ScheduleGroupName": {"Value": {"Ref": "TestGroupName"}}
  }
}`

// `admin end-sessions -aws -stack NAME` (make end-sessions ... AWS=1
// STACK_NAME=NAME) needs nothing but the stack's name: it reads the rest
// from CloudFormation, on moto, and ends the sessions the functions made.
func TestEndSessionsOnAWSStack(t *testing.T) {
	ctx := context.Background()
	cfg := awstest.Config(t)
	useMoto := func(c *aws.Config) { *c = cfg }
	gh := githubtest.New(githubtest.Options{ClientID: "Iv1.stack", ClientSecret: "stack-client-secret"})
	ghURL, stopGitHub := gh.Start()
	t.Cleanup(stopGitHub)
	secretJSON, _ := json.Marshal(map[string]string{"github_client_secret": "stack-client-secret",
		"rocketchat_webhook_token": "stack-webhook-token-0123456789"})
	secretARN := awstest.Secret(t, cfg, string(secretJSON))
	group := awstest.ScheduleGroup(t, cfg)
	const publicURL = "http://127.0.0.1:8080"

	cfn := cloudformation.NewFromConfig(cfg)
	name := awstest.UniqueName("rcgithub")
	param := func(k, v string) cfntypes.Parameter {
		return cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)}
	}
	_, err := cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(stackTemplate),
		Parameters: []cfntypes.Parameter{param("PublicUrl", publicURL), param("GitHubClientId", "Iv1.stack"),
			param("GitHubUrl", ghURL), param("GitHubApiUrl", ghURL), param("SecretsArn", secretARN), param("TestGroupName", group)}})
	if err != nil {
		t.Fatalf("create stack: %v", err)
	}
	t.Cleanup(func() {
		if _, err := cfn.DeleteStack(context.Background(), &cloudformation.DeleteStackInput{StackName: aws.String(name)}); err != nil {
			t.Errorf("delete stack: %v", err)
		}
	})

	env, err := stackEnvironment(ctx, cfn, name)
	if err != nil {
		t.Fatal(err)
	}
	// The ARNs built from physical ids are those AWS (moto) gives the resources.
	res, err := cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	physical := map[string]string{}
	for _, r := range res.StackResources {
		physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
	}
	queue, err := sqs.NewFromConfig(cfg).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(physical["ScheduleDeadLetterQueue"]),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(physical["TokenKey"])})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"PUBLIC_URL": publicURL, "GITHUB_CLIENT_ID": "Iv1.stack", "GITHUB_URL": ghURL, "GITHUB_API_URL": ghURL,
		"GITHUB_SCOPES": "read:user", "ROCKETCHAT_TRIGGER_WORDS": "/github,/gh,!github", "SESSION_TTL": "168h",
		"SECRETS_ARN": secretARN, "TOKENS_TABLE": physical["TokensTable"], "SCHEDULE_GROUP": group,
		"LOGOUT_FUNCTION_ARN": "arn:aws:lambda:" + awstest.Region + ":123456789012:function:" + name + "-logout",
		"SCHEDULER_ROLE_ARN":  "arn:aws:iam::123456789012:role/" + physical["SchedulerRole"],
		"LOGOUT_DLQ_ARN":      queue.Attributes[string(sqstypes.QueueAttributeNameQueueArn)],
		"TOKEN_KMS_KEY_ID":    aws.ToString(key.KeyMetadata.Arn),
	}
	for k, v := range want {
		if env[k] != v || v == "" {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}

	// The functions log two users in; the admin, given the stack's name only,
	// ends one of them.
	app, err := awsapp.New(ctx, func(k string) string { return env[k] }, awsapp.Options{AWSConfig: useMoto, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := session.Key{Site: site, UserID: "alice-id"}, session.Key{Site: site, UserID: "bob-id"}
	aliceTok := loginTo(t, app.Service, gh, alice, "octocat")
	bobTok := loginTo(t, app.Service, gh, bob, "bob-gh")
	var out strings.Builder
	nothing := func(string) string { return "" }
	if err := runEndSessions([]string{"-site", site, "-user", alice.UserID, "-aws", "-stack", name}, nothing, &out, useMoto); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if gh.TokenAlive(aliceTok) || !gh.TokenAlive(bobTok) || !strings.Contains(out.String(), "1 session(s) ended (0 revocation(s) still being retried), 0 failed") {
		t.Fatalf("alice's token alive %v, bob's %v; output %q", gh.TokenAlive(aliceTok), gh.TokenAlive(bobTok), out.String())
	}

	if err := runEndSessions([]string{"-site", site, "-aws", "-stack", "no-such-stack"}, nothing, &out, useMoto); err == nil ||
		!strings.Contains(err.Error(), "stack no-such-stack") {
		t.Fatalf("unknown stack: %v", err)
	}
}

// template.yaml has what stackEnvironment reads, in the shape it expects: the
// parameters it maps, the outputs, the logical ids and types of the role, the
// queue and the key, a role without a path (its ARN is built from its name),
// and the logout function named after the stack.
func TestStackShape(t *testing.T) {
	raw, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tmpl := string(raw)
	section := func(name string) string {
		start := strings.Index(tmpl, "\n"+name+":\n")
		if start < 0 {
			t.Fatalf("template.yaml has no %s section", name)
		}
		rest := tmpl[start+len(name)+3:]
		if end := regexp.MustCompile(`\n[A-Za-z]`).FindStringIndex(rest); end != nil {
			rest = rest[:end[0]]
		}
		return rest
	}
	has := func(sec, logical string) string {
		m := regexp.MustCompile(`(?ms)^  ` + logical + `:\n(.*?)(?:^  [A-Za-z]|\z)`).FindStringSubmatch(section(sec))
		if m == nil {
			t.Errorf("template.yaml %s lacks %s", sec, logical)
			return ""
		}
		return m[1]
	}
	for param, variable := range stackParameters {
		has("Parameters", param)
		if !regexp.MustCompile(`(?m)^\s+` + variable + `: !Ref ` + param + `$`).MatchString(tmpl) {
			t.Errorf("template.yaml does not set %s to the %s parameter", variable, param)
		}
	}
	for _, output := range []string{"WebhookUrl", "TokensTableName", "ScheduleGroupName"} {
		has("Outputs", output)
	}
	for output, value := range map[string]string{"TokensTableName": "!Ref TokensTable", "ScheduleGroupName": "!Ref ScheduleGroup"} {
		if !strings.Contains(has("Outputs", output), "Value: "+value+"\n") {
			t.Errorf("the %s output is not %s", output, value)
		}
	}
	if !strings.Contains(has("Outputs", "WebhookUrl"), "}"+webhookPath) {
		t.Errorf("the WebhookUrl output does not end in %s", webhookPath)
	}
	for logical, typ := range map[string]string{"SchedulerRole": "AWS::IAM::Role", "ScheduleDeadLetterQueue": "AWS::SQS::Queue",
		"TokenKey": "AWS::KMS::Key", "TokensTable": "AWS::DynamoDB::Table", "ScheduleGroup": "AWS::Scheduler::ScheduleGroup"} {
		if body := has("Resources", logical); !strings.Contains(body, "Type: "+typ) {
			t.Errorf("%s is not a %s", logical, typ)
		}
	}
	if strings.Contains(has("Resources", "SchedulerRole"), "\n      Path:") {
		t.Error("SchedulerRole has a Path: its ARN is no longer role/<name>")
	}
	if !strings.Contains(has("Resources", "LogoutFunction"), "FunctionName: !Sub ${AWS::StackName}-logout") {
		t.Error("LogoutFunction is not named <stack>-logout")
	}
	for _, pair := range [][2]string{{"TOKENS_TABLE", "!Ref TokensTable"}, {"SCHEDULE_GROUP", "!Ref ScheduleGroup"},
		{"SCHEDULER_ROLE_ARN", "!GetAtt SchedulerRole.Arn"}, {"LOGOUT_DLQ_ARN", "!GetAtt ScheduleDeadLetterQueue.Arn"},
		{"TOKEN_KMS_KEY_ID", "!GetAtt TokenKey.Arn"}} {
		if !regexp.MustCompile(pair[0] + `:\s+` + regexp.QuoteMeta(pair[1])).MatchString(tmpl) {
			t.Errorf("template.yaml: %s is not %s", pair[0], pair[1])
		}
	}
}
