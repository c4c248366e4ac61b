package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"rcgithub/shared/chatops"
	"rcgithub/shared/session"
)

var _ chatops.Claims = (*Claims)(nil)

// Claims is chatops.Claims in the sessions table: one item per Rocket.Chat
// message that creates an issue, keyed
//
//	claim#<SHA-256 of site, user id and message id, hex>
//
// ("claim" is a kind no other item uses, so it meets no link, message or
// session item). The parts are hashed, each prefixed with its length, because
// escaped they could outgrow the 2,048-byte partition key: a 512-byte site,
// a 256-byte user id and a 256-byte message id of '#' or '%' triple in length.
// The item keeps the parts in attributes of their own. expires_at, the
// table's TTL attribute, is the claim's Expires; DynamoDB deletes lazily, so a
// claim past its Expires counts as gone whether or not it is still there.
type Claims struct {
	client *dynamodb.Client
	table  string
	now    func() time.Time
}

// NewClaims returns the claims kept in table, whose expiry is read on now
// (nil: time.Now).
func NewClaims(client *dynamodb.Client, table string, now func() time.Time) *Claims {
	if now == nil {
		now = time.Now
	}
	return &Claims{client: client, table: table, now: now}
}

func claimKey(k session.Key, messageID string) string {
	h := sha256.New()
	for _, part := range []string{k.Site, k.UserID, messageID} {
		h.Write(binary.AppendUvarint(nil, uint64(len(part))))
		h.Write([]byte(part))
	}
	return key("claim", hex.EncodeToString(h.Sum(nil)))
}

type claimRecord struct {
	PK        string `dynamodbav:"pk"`
	Site      string `dynamodbav:"site"`
	UserID    string `dynamodbav:"user"`
	MessageID string `dynamodbav:"message_id"`
	Owner     string `dynamodbav:"owner"`
	Name      string `dynamodbav:"name"`
	Number    int    `dynamodbav:"number,omitempty"` // absent while the creation is in flight
	HTMLURL   string `dynamodbav:"html_url,omitempty"`
	Expires   string `dynamodbav:"expires"`
	ExpiresAt int64  `dynamodbav:"expires_at"`
}

func (r claimRecord) claim() (chatops.Claim, error) {
	expires, err := parseTime("expires", r.Expires)
	if err != nil {
		return chatops.Claim{}, err
	}
	repo := chatops.Repo{Owner: r.Owner, Name: r.Name}
	c := chatops.Claim{Key: session.Key{Site: r.Site, UserID: r.UserID}, MessageID: r.MessageID, Repo: repo, Expires: expires}
	if r.Number != 0 {
		c.Created = chatops.Created{Repo: repo, Number: r.Number, HTMLURL: r.HTMLURL}
	}
	return c, nil
}

// Claim puts the claim's item only if there is none, or the one there has
// expired (attribute_not_exists, or expires_at before now); otherwise it
// returns the item there (ReturnValuesOnConditionCheckFailure: the answer
// that refuses the write carries it, in the same request).
func (c *Claims) Claim(ctx context.Context, claim chatops.Claim) (chatops.Claim, bool, error) {
	item, err := marshal(claimRecord{PK: claimKey(claim.Key, claim.MessageID), Site: claim.Site, UserID: claim.UserID,
		MessageID: claim.MessageID, Owner: claim.Repo.Owner, Name: claim.Repo.Name, Number: claim.Created.Number,
		HTMLURL: claim.Created.HTMLURL, Expires: formatTime(claim.Expires), ExpiresAt: claim.Expires.Unix()})
	if err != nil {
		return chatops.Claim{}, false, fmt.Errorf("claim issue creation: %w", err)
	}
	_, err = c.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(c.table),
		Item:                                item,
		ConditionExpression:                 aws.String("attribute_not_exists(#pk) OR #ttl < :now"),
		ExpressionAttributeNames:            map[string]string{"#pk": KeyAttribute, "#ttl": TTLAttribute},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(c.now().Unix(), 10)}},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return claim, true, nil
	case !errors.As(err, &failed):
		return chatops.Claim{}, false, fmt.Errorf("claim issue creation: %w", err)
	}
	var rec claimRecord
	if len(failed.Item) > 0 {
		err = attributevalue.UnmarshalMap(failed.Item, &rec)
	} else { // a backend that does not return the item: read it
		err = c.get(ctx, claimKey(claim.Key, claim.MessageID), &rec)
	}
	if err != nil {
		return chatops.Claim{}, false, fmt.Errorf("read existing issue claim: %w", err)
	}
	existing, err := rec.claim()
	if err != nil {
		return chatops.Claim{}, false, fmt.Errorf("read existing issue claim: %w", err)
	}
	return existing, false, nil
}

func (c *Claims) get(ctx context.Context, pk string, out any) error {
	return (&Store{client: c.client, table: c.table}).get(ctx, pk, out)
}

// Complete records the issue on the claim's item, which must exist
// (session.ErrNotFound otherwise).
func (c *Claims) Complete(ctx context.Context, k session.Key, messageID string, created chatops.Created) error {
	pk := claimKey(k, messageID)
	if err := checkKey(pk); err != nil {
		return fmt.Errorf("complete issue claim: %w", err)
	}
	_, err := c.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(c.table),
		Key:                      keyOf(pk),
		UpdateExpression:         aws.String("SET #n = :n, #url = :url"),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": KeyAttribute, "#n": "number", "#url": "html_url"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":n":   &types.AttributeValueMemberN{Value: strconv.Itoa(created.Number)},
			":url": &types.AttributeValueMemberS{Value: created.HTMLURL},
		},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return fmt.Errorf("complete issue claim: %w", session.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("complete issue claim: %w", err)
	}
	return nil
}

// Release deletes the claim's item, if any.
func (c *Claims) Release(ctx context.Context, k session.Key, messageID string) error {
	pk := claimKey(k, messageID)
	if err := checkKey(pk); err != nil {
		return nil // no such item can exist
	}
	if _, err := c.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(c.table), Key: keyOf(pk)}); err != nil {
		return fmt.Errorf("release issue claim: %w", err)
	}
	return nil
}
