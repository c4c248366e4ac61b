package dynamodb_test

import (
	"testing"

	dynamodbapi "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"rcgithub/shared/awstest"
	"rcgithub/shared/dynamodb"
	"rcgithub/shared/session/sessiontest"
)

func TestLiveSessions(t *testing.T) {
	cfg := awstest.Config(t)
	sessiontest.TestLiveSessions(t, dynamodb.New(dynamodbapi.NewFromConfig(cfg), awstest.Table(t, cfg)))
}
