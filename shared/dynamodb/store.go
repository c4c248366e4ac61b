package dynamodb

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"rcgithub/shared/session"
)

// Store is a session.Store on one DynamoDB table; see the package comment for
// the layout. It is safe for concurrent use.
type Store struct {
	client *dynamodb.Client
	table  string
}

var _ session.Store = (*Store)(nil)

// New returns a Store on the table, which must have the layout CreateTable makes.
func New(client *dynamodb.Client, table string) *Store {
	return &Store{client: client, table: table}
}

func keyOf(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{KeyAttribute: &types.AttributeValueMemberS{Value: pk}}
}

// get reads the item pk with a consistent read into out; session.ErrNotFound
// when there is none.
func (s *Store) get(ctx context.Context, pk string, out any) error {
	if err := checkKey(pk); err != nil {
		return fmt.Errorf("%w: %w", session.ErrNotFound, err)
	}
	res, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            keyOf(pk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return err
	}
	if res.Item == nil {
		return session.ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return fmt.Errorf("decode item: %w", err)
	}
	return nil
}

// take deletes the item pk and decodes what it held into out; only one caller
// gets it, the others get session.ErrNotFound.
func (s *Store) take(ctx context.Context, pk string, out any) error {
	if err := checkKey(pk); err != nil {
		return fmt.Errorf("%w: %w", session.ErrNotFound, err)
	}
	res, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:           aws.String(s.table),
		Key:                 keyOf(pk),
		ConditionExpression: aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{
			"#pk": KeyAttribute,
		},
		ReturnValues: types.ReturnValueAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return session.ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := attributevalue.UnmarshalMap(res.Attributes, out); err != nil {
		return fmt.Errorf("decode item: %w", err)
	}
	return nil
}

// marshal encodes a record as an item, refusing one over DynamoDB's key or
// item size limits (see checkItem): every item written goes through it.
func marshal(record any) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMap(record)
	if err != nil {
		return nil, fmt.Errorf("encode item: %w", err)
	}
	if err := checkItem(item); err != nil {
		return nil, err
	}
	return item, nil
}

// cancellationReasons returns why each item of a cancelled transaction failed
// (codes "None", "ConditionalCheckFailed", "TransactionConflict", ...), in the
// order of the transaction's items; false when err is not a cancellation.
func cancellationReasons(err error) ([]types.CancellationReason, bool) {
	var cancelled *types.TransactionCanceledException
	if !errors.As(err, &cancelled) {
		return nil, false
	}
	return cancelled.CancellationReasons, true
}

func reasonCode(reasons []types.CancellationReason, i int) string {
	if i >= len(reasons) {
		return ""
	}
	return aws.ToString(reasons[i].Code)
}

// Reason codes DynamoDB reports per item of a cancelled transaction.
const (
	codeConditionFailed     = "ConditionalCheckFailed"
	codeTransactionConflict = "TransactionConflict"
)
