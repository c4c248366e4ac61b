package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// cloudFormation is what the admin reads of a stack.
type cloudFormation interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, opts ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	DescribeStackResources(ctx context.Context, in *cloudformation.DescribeStackResourcesInput, opts ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourcesOutput, error)
}

// stackParameters maps template.yaml's parameters to the variables the
// functions get from them (the template's Globals: Function: Environment).
var stackParameters = map[string]string{
	"GitHubClientId":         "GITHUB_CLIENT_ID",
	"GitHubUrl":              "GITHUB_URL",
	"GitHubApiUrl":           "GITHUB_API_URL",
	"GitHubScopes":           "GITHUB_SCOPES",
	"RocketChatTriggerWords": "ROCKETCHAT_TRIGGER_WORDS",
	"SessionTtl":             "SESSION_TTL",
	"SecretsArn":             "SECRETS_ARN",
}

// webhookPath ends the stack's WebhookUrl output; what comes before it is
// PUBLIC_URL (the custom domain, or the API's own URL).
const webhookPath = "/rocketchat/webhook"

// stackEnvironment returns the environment template.yaml gives the functions
// of the stack named stack, read from the stack itself (DescribeStacks: its
// parameters, outputs and id; DescribeStackResources: the role, the queue and
// the key), so that an admin needs only the stack's name. The names and
// shapes it relies on are checked against template.yaml by TestStackShape.
func stackEnvironment(ctx context.Context, cfn cloudFormation, stack string) (map[string]string, error) {
	stacks, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", stack, err)
	}
	if len(stacks.Stacks) != 1 {
		return nil, fmt.Errorf("stack %s: DescribeStacks returned %d stacks", stack, len(stacks.Stacks))
	}
	s := stacks.Stacks[0]
	// The stack's id is its ARN: the partition, Region and account every
	// other ARN is built in.
	id, err := arn.Parse(aws.ToString(s.StackId))
	if err != nil {
		return nil, fmt.Errorf("stack %s: its id %q is not an ARN: %w", stack, aws.ToString(s.StackId), err)
	}
	env := map[string]string{}
	for _, p := range s.Parameters {
		if name, ok := stackParameters[aws.ToString(p.ParameterKey)]; ok {
			env[name] = aws.ToString(p.ParameterValue)
		}
	}
	outputs := map[string]string{}
	for _, o := range s.Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if u, ok := strings.CutSuffix(outputs["WebhookUrl"], webhookPath); ok {
		env["PUBLIC_URL"] = u
	}
	env["TOKENS_TABLE"] = outputs["TokensTableName"]
	env["SCHEDULE_GROUP"] = outputs["ScheduleGroupName"]
	// The template names the logout function after the stack, as here.
	env["LOGOUT_FUNCTION_ARN"] = arn.ARN{Partition: id.Partition, Service: "lambda", Region: id.Region,
		AccountID: id.AccountID, Resource: "function:" + aws.ToString(s.StackName) + "-logout"}.String()

	res, err := cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(stack)})
	if err != nil {
		return nil, fmt.Errorf("stack %s resources: %w", stack, err)
	}
	physical := map[string]string{}
	for _, r := range res.StackResources {
		physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
	}
	inStack := func(service, region, resource string) string {
		return arn.ARN{Partition: id.Partition, Service: service, Region: region, AccountID: id.AccountID, Resource: resource}.String()
	}
	// Each physical id is what CloudFormation's Ref returns: the role's name
	// (the template gives it no path), the queue's URL, the key's id.
	if role := physical["SchedulerRole"]; role != "" && !strings.HasPrefix(role, "arn:") {
		env["SCHEDULER_ROLE_ARN"] = inStack("iam", "", "role/"+role)
	} else {
		env["SCHEDULER_ROLE_ARN"] = role
	}
	if queue := physical["ScheduleDeadLetterQueue"]; queue != "" {
		env["LOGOUT_DLQ_ARN"] = inStack("sqs", id.Region, queue[strings.LastIndex(queue, "/")+1:])
	}
	if key := physical["TokenKey"]; key != "" {
		env["TOKEN_KMS_KEY_ID"] = inStack("kms", id.Region, "key/"+key)
	}
	var missing []string
	for _, name := range []string{"PUBLIC_URL", "GITHUB_CLIENT_ID", "SECRETS_ARN", "TOKENS_TABLE", "SCHEDULE_GROUP",
		"SCHEDULER_ROLE_ARN", "LOGOUT_DLQ_ARN", "TOKEN_KMS_KEY_ID"} {
		if env[name] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("stack %s: %w: found no %s (is it this service's stack, deployed from template.yaml?)",
			stack, errNotOurStack, strings.Join(missing, ", "))
	}
	return env, nil
}

// errNotOurStack means the stack lacks what template.yaml creates.
var errNotOurStack = errors.New("not an rcgithub stack")
