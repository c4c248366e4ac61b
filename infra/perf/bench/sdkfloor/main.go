// Command sdkfloor is the "SDK floor" of the benchmark: a hello world that
// does at start what every function of the service must (shared/awsapp.New):
// load the AWS SDK configuration, read the service secret from Secrets
// Manager, and create the DynamoDB, EventBridge Scheduler and KMS clients.
// The functions are measured against it; what they take beyond it is the
// service's own cost.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func main() {
	ctx := context.Background()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		fail("aws config", err)
	}
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx,
		&secretsmanager.GetSecretValueInput{SecretId: aws.String(os.Getenv("SECRETS_ARN"))})
	if err != nil {
		fail("read secret", err)
	}
	var secret map[string]string
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &secret); err != nil {
		fail("decode secret", err)
	}
	clients := []any{dynamodb.NewFromConfig(cfg), scheduler.NewFromConfig(cfg), kms.NewFromConfig(cfg)}
	lambda.Start(func(context.Context) (string, error) {
		_ = clients // kept alive like the service keeps its adapters
		return "hello", nil
	})
}

func fail(what string, err error) {
	slog.Error("init failed", "step", what, "error", err)
	os.Exit(1)
}
