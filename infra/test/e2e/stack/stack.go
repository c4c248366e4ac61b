// Package stack makes on moto the AWS resources template.yaml creates (the
// tokens table, the schedule group, the token key, the schedules' dead-letter
// queue) plus the service secret the template expects to exist, and gives
// each function the environment the template gives it. The built Lambdas then
// run against them under the runtime emulator.
package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awseventbridge "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	awsscheduler "github.com/aws/aws-sdk-go-v2/service/scheduler"
	awssecrets "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"rcgithub/shared/dynamodb"
)

// Region and AccountID are moto's defaults; the ARNs built here use them.
const (
	Region    = "us-east-1"
	AccountID = "123456789012"
)

// MotoConfig is an SDK configuration that talks to moto at endpoint with the
// dummy credentials moto accepts.
func MotoConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", "testing"),
		BaseEndpoint: aws.String(endpoint),
	}
}

// Secrets is the content of the Secrets Manager secret (template parameter
// SecretsArn).
type Secrets struct {
	GitHubClientSecret string `json:"github_client_secret"`
	WebhookToken       string `json:"rocketchat_webhook_token"`
	IncomingWebhookURL string `json:"rocketchat_incoming_webhook_url,omitempty"`
}

// Stack is one deployment's resources on moto.
type Stack struct {
	// Name plays the CloudFormation stack name: function names derive from it.
	Name string
	// Endpoint is moto's URL, which the functions get as AWS_ENDPOINT_URL.
	Endpoint string

	Table              string // TokensTable
	ScheduleGroup      string // ScheduleGroup
	KeyARN             string // TokenKey
	DeadLetterQueueARN string // ScheduleDeadLetterQueue
	SecretARN          string // the SecretsArn parameter
	EventBus           string // EventBus (its name)
	CommandsQueueURL   string // CommandsQueue

	cfg      aws.Config
	keyID    string
	queueURL string
}

// Create makes the resources under names unique to name (1-40 characters of
// [0-9a-zA-Z-]). On error, whatever was made is deleted again.
func Create(ctx context.Context, endpoint, name string, secrets Secrets) (*Stack, error) {
	s := &Stack{Name: name, Endpoint: endpoint, cfg: MotoConfig(endpoint)}
	if err := s.create(ctx, secrets); err != nil {
		return nil, errors.Join(err, s.Delete(context.WithoutCancel(ctx)))
	}
	return s, nil
}

func (s *Stack) create(ctx context.Context, secrets Secrets) error {
	s.Table = s.Name + "-tokens"
	if err := dynamodb.CreateTable(ctx, awsdynamodb.NewFromConfig(s.cfg), s.Table); err != nil {
		s.Table = ""
		return fmt.Errorf("create table: %w", err)
	}

	group := s.Name + "-logout"
	if _, err := awsscheduler.NewFromConfig(s.cfg).CreateScheduleGroup(ctx,
		&awsscheduler.CreateScheduleGroupInput{Name: aws.String(group)}); err != nil {
		return fmt.Errorf("create schedule group: %w", err)
	}
	s.ScheduleGroup = group

	key, err := awskms.NewFromConfig(s.cfg).CreateKey(ctx, &awskms.CreateKeyInput{
		Description: aws.String("Encrypts the GitHub tokens of " + s.Name)})
	if err != nil {
		return fmt.Errorf("create KMS key: %w", err)
	}
	s.KeyARN, s.keyID = aws.ToString(key.KeyMetadata.Arn), aws.ToString(key.KeyMetadata.KeyId)

	sqs := awssqs.NewFromConfig(s.cfg)
	queue, err := sqs.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String(s.Name + "-schedule-dlq")})
	if err != nil {
		return fmt.Errorf("create dead-letter queue: %w", err)
	}
	s.queueURL = aws.ToString(queue.QueueUrl)
	attrs, err := sqs.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return fmt.Errorf("read dead-letter queue ARN: %w", err)
	}
	s.DeadLetterQueueARN = attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]

	if err := s.createEventsAndCommands(ctx); err != nil {
		return err
	}

	value, err := json.Marshal(secrets)
	if err != nil {
		return fmt.Errorf("encode secret: %w", err)
	}
	secret, err := awssecrets.NewFromConfig(s.cfg).CreateSecret(ctx, &awssecrets.CreateSecretInput{
		Name: aws.String(s.Name + "/service"), SecretString: aws.String(string(value))})
	if err != nil {
		return fmt.Errorf("create secret: %w", err)
	}
	s.SecretARN = aws.ToString(secret.ARN)
	return nil
}

// Delete removes what Create made. Schedules left in the group go with it.
func (s *Stack) Delete(ctx context.Context) error {
	var errs []error
	if s.SecretARN != "" {
		_, err := awssecrets.NewFromConfig(s.cfg).DeleteSecret(ctx, &awssecrets.DeleteSecretInput{
			SecretId: aws.String(s.SecretARN), ForceDeleteWithoutRecovery: aws.Bool(true)})
		errs = append(errs, wrap("delete secret", err))
	}
	if s.CommandsQueueURL != "" {
		_, err := awssqs.NewFromConfig(s.cfg).DeleteQueue(ctx, &awssqs.DeleteQueueInput{QueueUrl: aws.String(s.CommandsQueueURL)})
		errs = append(errs, wrap("delete commands queue", err))
	}
	if s.EventBus != "" {
		_, err := awseventbridge.NewFromConfig(s.cfg).DeleteEventBus(ctx, &awseventbridge.DeleteEventBusInput{Name: aws.String(s.EventBus)})
		errs = append(errs, wrap("delete event bus", err))
	}
	if s.queueURL != "" {
		_, err := awssqs.NewFromConfig(s.cfg).DeleteQueue(ctx, &awssqs.DeleteQueueInput{QueueUrl: aws.String(s.queueURL)})
		errs = append(errs, wrap("delete dead-letter queue", err))
	}
	if s.keyID != "" {
		_, err := awskms.NewFromConfig(s.cfg).ScheduleKeyDeletion(ctx, &awskms.ScheduleKeyDeletionInput{
			KeyId: aws.String(s.keyID), PendingWindowInDays: aws.Int32(7)})
		errs = append(errs, wrap("schedule KMS key deletion", err))
	}
	if s.ScheduleGroup != "" {
		_, err := awsscheduler.NewFromConfig(s.cfg).DeleteScheduleGroup(ctx, &awsscheduler.DeleteScheduleGroupInput{
			Name: aws.String(s.ScheduleGroup)})
		errs = append(errs, wrap("delete schedule group", err))
	}
	if s.Table != "" {
		_, err := awsdynamodb.NewFromConfig(s.cfg).DeleteTable(ctx, &awsdynamodb.DeleteTableInput{TableName: aws.String(s.Table)})
		errs = append(errs, wrap("delete table", err))
	}
	return errors.Join(errs...)
}

// createEventsAndCommands makes the domain events' bus and the commands queue.
func (s *Stack) createEventsAndCommands(ctx context.Context) error {
	bus := s.Name + "-events"
	if _, err := awseventbridge.NewFromConfig(s.cfg).CreateEventBus(ctx, &awseventbridge.CreateEventBusInput{Name: aws.String(bus)}); err != nil {
		return fmt.Errorf("create event bus: %w", err)
	}
	s.EventBus = bus
	queue, err := awssqs.NewFromConfig(s.cfg).CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String(s.Name + "-commands")})
	if err != nil {
		return fmt.Errorf("create commands queue: %w", err)
	}
	s.CommandsQueueURL = aws.ToString(queue.QueueUrl)
	return nil
}

// Config is the SDK configuration the test uses to look at the stack.
func (s *Stack) Config() aws.Config { return s.cfg }

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
