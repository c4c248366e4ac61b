package dynamodb_test

import (
	"maps"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dynamodbapi "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"rcgithub/shared/awstest"
	"rcgithub/shared/dynamodb"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

// TestStoreContract runs the Store contract against moto. Moto does not
// serialise concurrent conditional writes, so the races run one at a time.
func TestStoreContract(t *testing.T) {
	cfg := awstest.Config(t)
	store := dynamodb.New(dynamodbapi.NewFromConfig(cfg), awstest.Table(t, cfg))
	sessiontest.TestStore(t, func(*testing.T) session.Store { return store },
		sessiontest.StoreOptions{Concurrent: false})
}

func TestCreateTable(t *testing.T) {
	cfg := awstest.Config(t)
	client := dynamodbapi.NewFromConfig(cfg)
	name := awstest.Table(t, cfg)

	desc, err := client.DescribeTable(t.Context(), &dynamodbapi.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	table := desc.Table
	if got := table.BillingModeSummary; got == nil || got.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode = %+v, want PAY_PER_REQUEST", got)
	}
	if len(table.KeySchema) != 1 || aws.ToString(table.KeySchema[0].AttributeName) != "pk" ||
		table.KeySchema[0].KeyType != types.KeyTypeHash {
		t.Errorf("key schema = %+v, want pk as the only (hash) key", table.KeySchema)
	}
	ttl, err := client.DescribeTimeToLive(t.Context(), &dynamodbapi.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || aws.ToString(d.AttributeName) != "expires_at" ||
		d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("TTL = %+v, want enabled on expires_at", d)
	}
}

// TestExpiresAt checks the TTL attribute of every kind of item: links and
// pending authorizations at their Expires, sessions 30 days after their Ends.
func TestExpiresAt(t *testing.T) {
	cfg := awstest.Config(t)
	client := dynamodbapi.NewFromConfig(cfg)
	table := awstest.Table(t, cfg)
	store := dynamodb.New(client, table)
	ctx := t.Context()

	k := session.Key{Site: "https://chat.example.com", UserID: "u1"}
	expires := time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)
	ends := time.Date(2030, 2, 3, 4, 5, 6, 700, time.UTC)
	backstop := ends.Add(400 * 24 * time.Hour).Unix()

	if _, err := store.CreateLink(ctx, session.Link{ID: "l1", Key: k, MessageID: "m1", Expires: expires}, unlimited); err != nil {
		t.Fatal(err)
	}
	if err := store.PutPending(ctx, session.Pending{State: "s1", Key: k, Expires: expires}); err != nil {
		t.Fatal(err)
	}
	s1 := session.Session{Key: k, Generation: 1, Ends: ends}
	s2 := session.Session{Key: k, Generation: 2, Ends: ends.Add(time.Hour)}
	if err := store.PutSession(ctx, s1, 0); err != nil {
		t.Fatal(err)
	}
	if err := store.PutSession(ctx, s2, 1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pk   string
		want int64
	}{
		{"link#l1", expires.Unix()},
		{"msg#https://chat.example.com#u1#m1", expires.Unix()},
		{"state#s1", expires.Unix()},
		{"session#https://chat.example.com#u1", ends.Add(time.Hour).Add(400 * 24 * time.Hour).Unix()},
		{"retired#https://chat.example.com#u1#1", backstop},
	}
	for _, tt := range tests {
		out, err := client.GetItem(ctx, &dynamodbapi.GetItemInput{TableName: aws.String(table),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: tt.pk}}, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatalf("GetItem %s: %v", tt.pk, err)
		}
		n, ok := out.Item["expires_at"].(*types.AttributeValueMemberN)
		if !ok {
			t.Errorf("item %s: expires_at = %#v, want a Number", tt.pk, out.Item["expires_at"])
			continue
		}
		if n.Value != strconv.FormatInt(tt.want, 10) {
			t.Errorf("item %s: expires_at = %s, want %d", tt.pk, n.Value, tt.want)
		}
	}
}

// TestCalls pins the AWS calls each store operation makes: they are what each
// user flow costs, and a change here should be deliberate.
func TestCalls(t *testing.T) {
	cfg, counter := awstest.CountedConfig(t)
	store := dynamodb.New(dynamodbapi.NewFromConfig(cfg), awstest.Table(t, cfg))
	ctx := t.Context()
	k := session.Key{Site: "https://chat.example.com", UserID: "u1"}
	link := session.Link{ID: "l1", Key: k, MessageID: "m1"}

	steps := []struct {
		name string
		op   func() error
		want map[string]int
	}{
		{"CreateLink", func() error { _, err := store.CreateLink(ctx, link, unlimited); return err },
			map[string]int{"DynamoDB.TransactWriteItems": 1}},
		{"CreateLink of the same message", func() error {
			_, err := store.CreateLink(ctx, session.Link{ID: "l2", Key: k, MessageID: "m1"}, unlimited)
			return err
		}, map[string]int{"DynamoDB.TransactWriteItems": 1, "DynamoDB.GetItem": 1}},
		{"GetLink", func() error { _, err := store.GetLink(ctx, "l1"); return err },
			map[string]int{"DynamoDB.GetItem": 1}},
		{"TakeLink", func() error { _, err := store.TakeLink(ctx, "l1"); return err },
			map[string]int{"DynamoDB.DeleteItem": 1}},
		{"PutPending", func() error { return store.PutPending(ctx, session.Pending{State: "s", Key: k}) },
			map[string]int{"DynamoDB.PutItem": 1}},
		{"TakePending", func() error { _, err := store.TakePending(ctx, "s"); return err },
			map[string]int{"DynamoDB.DeleteItem": 1}},
		{"PutSession first", func() error { return store.PutSession(ctx, session.Session{Key: k, Generation: 1}, 0) },
			map[string]int{"DynamoDB.PutItem": 1}},
		{"PutSession replacing", func() error { return store.PutSession(ctx, session.Session{Key: k, Generation: 2}, 1) },
			map[string]int{"DynamoDB.GetItem": 1, "DynamoDB.TransactWriteItems": 1}},
		{"GetSession", func() error { _, err := store.GetSession(ctx, k); return err },
			map[string]int{"DynamoDB.GetItem": 1}},
		{"RetireSession", func() error { _, err := store.RetireSession(ctx, k, 2); return err },
			map[string]int{"DynamoDB.GetItem": 1, "DynamoDB.TransactWriteItems": 1}},
		{"GetRetired", func() error { _, err := store.GetRetired(ctx, k, 2); return err },
			map[string]int{"DynamoDB.GetItem": 1}},
		{"DeleteRetired", func() error { return store.DeleteRetired(ctx, k, 2) },
			map[string]int{"DynamoDB.DeleteItem": 1}},
	}
	for _, step := range steps {
		counter.Reset()
		if err := step.op(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := counter.Counts(); !maps.Equal(got, step.want) {
			t.Errorf("%s made calls %v, want %v", step.name, got, step.want)
		}
	}
}

// unlimited is a link quota no test reaches, for tests about other things.
var unlimited = session.LinkQuota{Window: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Max: 1 << 30}
