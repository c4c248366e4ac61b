package dynamodb_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dynamodbapi "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"rcgithub/shared/awstest"
	"rcgithub/shared/chatops"
	"rcgithub/shared/chatops/chatopstest"
	"rcgithub/shared/dynamodb"
	"rcgithub/shared/session"
)

// TestClaimsContract runs the Claims contract against moto, in the table the
// sessions use. Moto does not serialise concurrent conditional writes, so the
// race runs one claim at a time.
func TestClaimsContract(t *testing.T) {
	cfg := awstest.Config(t)
	client := dynamodbapi.NewFromConfig(cfg)
	chatopstest.TestClaims(t, func(t *testing.T, now time.Time) chatops.Claims {
		return dynamodb.NewClaims(client, awstest.Table(t, cfg), func() time.Time { return now })
	}, chatopstest.ClaimsOptions{Concurrent: false})
}

// TestClaimItem: the claim's item has the claim# key kind, of a fixed length
// whatever the parts, and the table's TTL attribute at its Expires.
func TestClaimItem(t *testing.T) {
	cfg := awstest.Config(t)
	client := dynamodbapi.NewFromConfig(cfg)
	table := awstest.Table(t, cfg)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	claims := dynamodb.NewClaims(client, table, func() time.Time { return now })
	k := session.Key{Site: "https://chat.example.com", UserID: "u1"}
	expires := now.Add(chatops.ClaimTTL)
	if _, _, err := claims.Claim(t.Context(), chatops.Claim{Key: k, MessageID: "m1", Expires: expires}); err != nil {
		t.Fatal(err)
	}
	pk := dynamodb.ClaimKey(k, "m1")
	if !strings.HasPrefix(pk, "claim#") || len(pk) != len("claim#")+64 {
		t.Errorf("key %q, want claim# and a SHA-256 in hex", pk)
	}
	out, err := client.GetItem(t.Context(), &dynamodbapi.GetItemInput{TableName: aws.String(table),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}}})
	if err != nil || out.Item == nil {
		t.Fatalf("GetItem = %v, %v", out, err)
	}
	ttl, _ := out.Item["expires_at"].(*types.AttributeValueMemberN)
	if ttl == nil || ttl.Value != strconv.FormatInt(expires.Unix(), 10) {
		t.Errorf("expires_at = %+v, want %d", out.Item["expires_at"], expires.Unix())
	}
}
