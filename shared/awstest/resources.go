package awstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dynamodbapi "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	kmsapi "github.com/aws/aws-sdk-go-v2/service/kms"
	schedulerapi "github.com/aws/aws-sdk-go-v2/service/scheduler"
	secretsapi "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	sqsapi "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"rcgithub/shared/dynamodb"
	"rcgithub/shared/secrets"
)

// UniqueName returns prefix followed by 16 random hex characters: short enough
// for every AWS name limit used here (64 characters for schedule groups) as
// long as prefix is, and unique across tests sharing one moto server.
func UniqueName(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return prefix + "-" + hex.EncodeToString(b)
}

// Table creates a DynamoDB table laid out for the dynamodb store, dropped when
// the test ends, and returns its name.
func Table(t testing.TB, cfg aws.Config) string {
	t.Helper()
	client := dynamodbapi.NewFromConfig(cfg)
	name := UniqueName("sessions")
	if err := dynamodb.CreateTable(t.Context(), client, name); err != nil {
		t.Fatalf("create table: %v", err)
	}
	whenDone(t, "delete table "+name, func(ctx context.Context) error {
		_, err := client.DeleteTable(ctx, &dynamodbapi.DeleteTableInput{TableName: aws.String(name)})
		return err
	})
	return name
}

// ScheduleGroup creates an EventBridge Scheduler schedule group, deleted (with
// its schedules) when the test ends, and returns its name.
func ScheduleGroup(t testing.TB, cfg aws.Config) string {
	t.Helper()
	client := schedulerapi.NewFromConfig(cfg)
	name := UniqueName("logout")
	_, err := client.CreateScheduleGroup(t.Context(), &schedulerapi.CreateScheduleGroupInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("create schedule group: %v", err)
	}
	whenDone(t, "delete schedule group "+name, func(ctx context.Context) error {
		_, err := client.DeleteScheduleGroup(ctx, &schedulerapi.DeleteScheduleGroupInput{Name: aws.String(name)})
		return err
	})
	return name
}

// KMSKey creates a symmetric KMS key, scheduled for deletion when the test
// ends, and returns its ARN.
func KMSKey(t testing.TB, cfg aws.Config) string {
	t.Helper()
	client := kmsapi.NewFromConfig(cfg)
	out, err := client.CreateKey(t.Context(), &kmsapi.CreateKeyInput{Description: aws.String(UniqueName("awstest"))})
	if err != nil {
		t.Fatalf("create KMS key: %v", err)
	}
	arn, id := aws.ToString(out.KeyMetadata.Arn), aws.ToString(out.KeyMetadata.KeyId)
	whenDone(t, "schedule deletion of KMS key "+arn, func(ctx context.Context) error {
		// By id: moto's ScheduleKeyDeletion does not resolve ARNs.
		_, err := client.ScheduleKeyDeletion(ctx, &kmsapi.ScheduleKeyDeletionInput{
			KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7),
		})
		return err
	})
	return arn
}

// Queue creates an SQS queue, deleted when the test ends, and returns its URL
// and ARN.
func Queue(t testing.TB, cfg aws.Config) (url, arn string) {
	t.Helper()
	client := sqsapi.NewFromConfig(cfg)
	out, err := client.CreateQueue(t.Context(), &sqsapi.CreateQueueInput{QueueName: aws.String(UniqueName("dlq"))})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	url = aws.ToString(out.QueueUrl)
	attrs, err := client.GetQueueAttributes(t.Context(), &sqsapi.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("read queue ARN: %v", err)
	}
	whenDone(t, "delete queue "+url, func(ctx context.Context) error {
		_, err := client.DeleteQueue(ctx, &sqsapi.DeleteQueueInput{QueueUrl: aws.String(url)})
		return err
	})
	return url, attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}

// Secret creates a Secrets Manager secret holding value, deleted when the test
// ends, and returns its ARN. A value over Secrets Manager's size limit, which
// moto would store and AWS refuse, fails the test before any call.
func Secret(t testing.TB, cfg aws.Config, value string) string {
	t.Helper()
	if err := secrets.CheckValue(value); err != nil {
		t.Fatalf("create secret: %v", err)
	}
	client := secretsapi.NewFromConfig(cfg)
	out, err := client.CreateSecret(t.Context(), &secretsapi.CreateSecretInput{
		Name: aws.String(UniqueName("awstest")), SecretString: aws.String(value),
	})
	if err != nil {
		t.Fatalf("create secret: %v", err)
	}
	arn := aws.ToString(out.ARN)
	whenDone(t, "delete secret "+arn, func(ctx context.Context) error {
		_, err := client.DeleteSecret(ctx, &secretsapi.DeleteSecretInput{
			SecretId: aws.String(arn), ForceDeleteWithoutRecovery: aws.Bool(true),
		})
		return err
	})
	return arn
}

// whenDone runs remove when the test ends (on a context the ended test has not
// cancelled) and fails the test with what, which names the removal, if it fails.
func whenDone(t testing.TB, what string, remove func(ctx context.Context) error) {
	t.Cleanup(func() {
		if err := remove(context.Background()); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	})
}

// FunctionEnv creates on moto what the functions' environment names (the
// table, the schedule group, the logout dead-letter queue, the token key, a
// secret holding secretJSON, the events' bus and the commands queue) and
// returns that environment as template.yaml sets it. A test adds PUBLIC_URL and the GITHUB_* variables, then calls
// awsapp.New with it.
func FunctionEnv(t testing.TB, cfg aws.Config, secretJSON string) map[string]string {
	_, dlqARN := Queue(t, cfg)
	commandsURL, _ := Queue(t, cfg)
	return map[string]string{
		"EVENT_BUS_NAME":      EventBus(t, cfg),
		"COMMANDS_QUEUE_URL":  commandsURL,
		"TOKENS_TABLE":        Table(t, cfg),
		"SCHEDULE_GROUP":      ScheduleGroup(t, cfg),
		"LOGOUT_FUNCTION_ARN": "arn:aws:lambda:us-east-1:123456789012:function:rcgithub-logout",
		"SCHEDULER_ROLE_ARN":  "arn:aws:iam::123456789012:role/rcgithub-scheduler",
		"LOGOUT_DLQ_ARN":      dlqARN,
		"TOKEN_KMS_KEY_ID":    KMSKey(t, cfg),
		"SECRETS_ARN":         Secret(t, cfg, secretJSON),
	}
}
