package dynamodb

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

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

// errTakeAnswerLost is a take whose item was gone on a retry of the SDK: the
// call's own earlier attempt may have deleted it, its answer (and with it the
// item) lost on the way back. Not session.ErrNotFound: the user is told to try
// again, not that the link was used.
var errTakeAnswerLost = errors.New("the item was gone when the SDK retried the delete: an earlier attempt of the same call may have taken it and its answer was lost")

// take deletes the item pk and decodes what it held into out; only one caller
// gets it, the others get session.ErrNotFound. A delete that found the item
// gone only on a retry of the SDK returns errTakeAnswerLost instead (the
// item's contents left with the lost answer, so nothing can recover them).
func (s *Store) take(ctx context.Context, pk string, out any) error {
	if err := checkKey(pk); err != nil {
		return fmt.Errorf("%w: %w", session.ErrNotFound, err)
	}
	attempts := 0
	res, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:           aws.String(s.table),
		Key:                 keyOf(pk),
		ConditionExpression: aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{
			"#pk": KeyAttribute,
		},
		ReturnValues: types.ReturnValueAllOld,
	}, countAttempts(&attempts))
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		if attempts > 1 {
			return errTakeAnswerLost
		}
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

// countAttempts counts in n the attempts the SDK makes at one call (its
// middleware sits after the retry loop, so it runs once per attempt).
func countAttempts(n *int) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("rcgithub.countAttempts",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
					middleware.FinalizeOutput, middleware.Metadata, error,
				) {
					*n++
					return next.HandleFinalize(ctx, in)
				}), middleware.After)
		})
	}
}
