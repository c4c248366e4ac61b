package faults_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	awsscheduler "github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"rcgithub/infra/test/faults"
	"rcgithub/shared/awstest"
)

// TestAWSFaults checks the middleware against moto: the errors it makes are
// the ones the SDK reports for a real fault of that kind, the SDK retries
// them as it would, and a lost answer leaves the write done.
func TestAWSFaults(t *testing.T) {
	ctx := context.Background()
	cfg := awstest.Config(t)
	table := awstest.Table(t, cfg)
	key := awstest.KMSKey(t, cfg)
	group := awstest.ScheduleGroup(t, cfg)
	item := func(pk string) map[string]dbtypes.AttributeValue {
		return map[string]dbtypes.AttributeValue{"pk": &dbtypes.AttributeValueMemberS{Value: pk}}
	}
	exists := func(t *testing.T, db *awsdynamodb.Client, pk string) bool {
		out, err := db.GetItem(ctx, &awsdynamodb.GetItemInput{TableName: aws.String(table), Key: item(pk), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item != nil
	}

	tests := []struct {
		name     string
		rule     faults.AWSRule
		run      func(t *testing.T, c clients) error
		wantErr  any // a pointer to the error type the SDK must report; nil: success
		wantHits int
		after    func(t *testing.T, c clients)
	}{
		{"one 5xx is retried by the SDK", faults.AWSRule{Op: "DynamoDB.GetItem", Attempts: 1, Kind: faults.ServerError},
			func(t *testing.T, c clients) error {
				_, err := c.db.GetItem(ctx, &awsdynamodb.GetItemInput{TableName: aws.String(table), Key: item("x")})
				return err
			}, nil, 1, nil},
		{"DynamoDB 5xx on every attempt", faults.AWSRule{Op: "DynamoDB.GetItem", Kind: faults.ServerError},
			func(t *testing.T, c clients) error {
				_, err := c.db.GetItem(ctx, &awsdynamodb.GetItemInput{TableName: aws.String(table), Key: item("x")})
				return err
			}, new(*dbtypes.InternalServerError), 3, nil},
		{"DynamoDB throttling on every attempt", faults.AWSRule{Op: "DynamoDB", Kind: faults.Throttling},
			func(t *testing.T, c clients) error {
				_, err := c.db.PutItem(ctx, &awsdynamodb.PutItemInput{TableName: aws.String(table), Item: item("throttled")})
				return err
			}, new(*dbtypes.ProvisionedThroughputExceededException), 3,
			func(t *testing.T, c clients) {
				if exists(t, c.db, "throttled") {
					t.Error("a throttled write took effect")
				}
			}},
		{"only the chosen call fails", faults.AWSRule{Op: "DynamoDB.PutItem", Call: 2, Kind: faults.ServerError},
			func(t *testing.T, c clients) error {
				for _, pk := range []string{"first", "second", "third"} {
					_, err := c.db.PutItem(ctx, &awsdynamodb.PutItemInput{TableName: aws.String(table), Item: item(pk)})
					if pk == "second" && err == nil || pk != "second" && err != nil {
						t.Errorf("PutItem %s: %v", pk, err)
					}
				}
				return nil
			}, nil, 3,
			func(t *testing.T, c clients) {
				if !exists(t, c.db, "first") || exists(t, c.db, "second") || !exists(t, c.db, "third") {
					t.Error("the wrong calls failed")
				}
			}},
		{"a lost answer leaves the write done", faults.AWSRule{Op: "DynamoDB.PutItem", Lost: true, Kind: faults.ServerError},
			func(t *testing.T, c clients) error {
				_, err := c.db.PutItem(ctx, &awsdynamodb.PutItemInput{TableName: aws.String(table), Item: item("lost"),
					ConditionExpression: aws.String("attribute_not_exists(pk)")})
				return err
			}, new(*dbtypes.InternalServerError), 3,
			func(t *testing.T, c clients) {
				if !exists(t, c.db, "lost") {
					t.Error("the write whose answer was lost did not take effect")
				}
			}},
		{"a transaction retried after a lost answer succeeds once, as DynamoDB's client token makes it",
			faults.AWSRule{Op: "DynamoDB.TransactWriteItems", Attempts: 1, Lost: true, Kind: faults.ServerError},
			func(t *testing.T, c clients) error {
				_, err := c.db.TransactWriteItems(ctx, &awsdynamodb.TransactWriteItemsInput{TransactItems: []dbtypes.TransactWriteItem{
					{Put: &dbtypes.Put{TableName: aws.String(table), Item: item("tx"), ConditionExpression: aws.String("attribute_not_exists(pk)")}},
				}})
				return err
			}, nil, 1,
			func(t *testing.T, c clients) {
				if !exists(t, c.db, "tx") {
					t.Error("the transaction did not take effect")
				}
			}},
		{"KMS 5xx", faults.AWSRule{Op: "KMS.Encrypt", Kind: faults.ServerError},
			func(t *testing.T, c clients) error {
				_, err := c.kms.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(key), Plaintext: []byte("x")})
				return err
			}, new(*kmstypes.KMSInternalException), 3, nil},
		{"KMS throttling", faults.AWSRule{Op: "KMS", Kind: faults.Throttling},
			func(t *testing.T, c clients) error {
				_, err := c.kms.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(key), Plaintext: []byte("x")})
				return err
			}, new(apiErrorCode), 3, nil},
		{"Scheduler 5xx", faults.AWSRule{Op: "Scheduler.GetSchedule", Kind: faults.ServerError},
			func(t *testing.T, c clients) error {
				_, err := c.sched.GetSchedule(ctx, &awsscheduler.GetScheduleInput{GroupName: aws.String(group), Name: aws.String("none")})
				return err
			}, new(*schedtypes.InternalServerException), 3, nil},
		{"Scheduler throttling", faults.AWSRule{Op: "Scheduler", Kind: faults.Throttling},
			func(t *testing.T, c clients) error {
				_, err := c.sched.GetSchedule(ctx, &awsscheduler.GetScheduleInput{GroupName: aws.String(group), Name: aws.String("none")})
				return err
			}, new(*schedtypes.ThrottlingException), 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inj := faults.NewAWSFaults()
			c := newClients(cfg, inj)
			inj.Set(tt.rule)
			err := tt.run(t, c)
			switch want := tt.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
			case *apiErrorCode:
				var api interface{ ErrorCode() string }
				if !errors.As(err, &api) || api.ErrorCode() != "ThrottlingException" {
					t.Fatalf("got %v, want ThrottlingException", err)
				}
			default:
				if err == nil || !errors.As(err, want) {
					t.Fatalf("got %v, want %T", err, want)
				}
			}
			if got := inj.Hits(); got != tt.wantHits {
				t.Errorf("%d attempts failed, want %d", got, tt.wantHits)
			}
			if tt.after != nil {
				inj.Reset()
				tt.after(t, c)
			}
		})
	}
	t.Run("calls are recorded in order", func(t *testing.T) {
		inj := faults.NewAWSFaults()
		c := newClients(cfg, inj)
		_, _ = c.db.GetItem(ctx, &awsdynamodb.GetItemInput{TableName: aws.String(table), Key: item("x")})
		_, _ = c.kms.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(key), Plaintext: []byte("x")})
		want := []string{"DynamoDB.GetItem", "KMS.Encrypt"}
		if got := inj.Calls(); !slices.Equal(got, want) {
			t.Fatalf("calls %v, want %v", got, want)
		}
	})
}

// apiErrorCode stands for "an API error with code ThrottlingException": KMS
// has no modelled type for it.
type apiErrorCode struct{}

type clients struct {
	db    *awsdynamodb.Client
	kms   *awskms.Client
	sched *awsscheduler.Client
}

func newClients(base aws.Config, inj *faults.AWSFaults) clients {
	cfg := base.Copy()
	cfg.Retryer = noDelayRetryer
	inj.Install(&cfg)
	return clients{awsdynamodb.NewFromConfig(cfg), awskms.NewFromConfig(cfg), awsscheduler.NewFromConfig(cfg)}
}
