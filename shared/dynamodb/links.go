package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"rcgithub/shared/session"
)

// createLinkAttempts bounds retries of a CreateLink transaction that collided
// with a concurrent one for the same message.
const createLinkAttempts = 3

// CreateLink writes the link and its message item in one transaction, the
// message item only if absent, and counts the link in the user's quota item for
// q.Window, only while the count is below q.Max. When the message already has a
// link, it returns that one (read from the message item, which holds a copy)
// and stores nothing; over quota, it returns session.ErrTooManyLinks.
func (s *Store) CreateLink(ctx context.Context, l session.Link, q session.LinkQuota) (session.Link, error) {
	msgItem, err := marshal(newLinkRecord(messageKey(l.Key, l.MessageID), l))
	if err != nil {
		return session.Link{}, fmt.Errorf("create link: %w", err)
	}
	linkItem, err := marshal(newLinkRecord(linkKey(l.ID), l))
	if err != nil {
		return session.Link{}, fmt.Errorf("create link: %w", err)
	}
	quotaPK := quotaKey(l.Key, q.Window)
	if err := checkKey(quotaPK); err != nil {
		return session.Link{}, fmt.Errorf("create link: %w", err)
	}
	absent := aws.String("attribute_not_exists(#pk)")
	names := map[string]string{"#pk": KeyAttribute}
	input := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.table), Item: msgItem,
			ConditionExpression: absent, ExpressionAttributeNames: names}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: linkItem,
			ConditionExpression: absent, ExpressionAttributeNames: names}},
		{Update: &types.Update{TableName: aws.String(s.table), Key: keyOf(quotaPK),
			UpdateExpression:         aws.String("ADD #n :one SET #ttl = :ttl"),
			ConditionExpression:      aws.String("attribute_not_exists(#n) OR #n < :max"),
			ExpressionAttributeNames: map[string]string{"#n": "links", "#ttl": TTLAttribute},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":one": &types.AttributeValueMemberN{Value: "1"},
				":max": &types.AttributeValueMemberN{Value: strconv.Itoa(q.Max)},
				// The quota item is needed only while its window lasts.
				":ttl": &types.AttributeValueMemberN{Value: strconv.FormatInt(q.Window.Add(2*session.LinkTTL).Unix(), 10)},
			}}},
	}}
	for attempt := 1; ; attempt++ {
		_, err = s.client.TransactWriteItems(ctx, input)
		if err == nil {
			return l, nil
		}
		reasons, cancelled := cancellationReasons(err)
		switch {
		case !cancelled:
			return session.Link{}, fmt.Errorf("create link: %w", err)
		case reasonCode(reasons, 0) == codeConditionFailed:
			return s.linkOfMessage(ctx, l.Key, l.MessageID)
		case reasonCode(reasons, 1) == codeConditionFailed:
			return session.Link{}, errors.New("create link: a link with this id exists already")
		case reasonCode(reasons, 2) == codeConditionFailed:
			return session.Link{}, session.ErrTooManyLinks
		case attempt < createLinkAttempts && hasCode(reasons, codeTransactionConflict):
			continue // a concurrent CreateLink for the same message; its result is read next time
		default:
			return session.Link{}, fmt.Errorf("create link: %w", err)
		}
	}
}

func hasCode(reasons []types.CancellationReason, code string) bool {
	for i := range reasons {
		if reasonCode(reasons, i) == code {
			return true
		}
	}
	return false
}

// linkOfMessage returns the link made earlier for a Rocket.Chat message.
func (s *Store) linkOfMessage(ctx context.Context, k session.Key, messageID string) (session.Link, error) {
	return readLink(ctx, s.get, messageKey(k, messageID), "read link of message")
}

// GetLink returns the link with the id, or session.ErrNotFound.
func (s *Store) GetLink(ctx context.Context, id string) (session.Link, error) {
	return readLink(ctx, s.get, linkKey(id), "get link")
}

// TakeLink deletes the link and returns it; only one caller gets it.
// The message item stays, so a re-delivered message still finds its
// (now used) link rather than minting a second one.
func (s *Store) TakeLink(ctx context.Context, id string) (session.Link, error) {
	return readLink(ctx, s.take, linkKey(id), "take link")
}

// readLink reads the link item pk with read (Store.get or Store.take) and
// decodes it; op names the operation in errors.
func readLink(ctx context.Context, read func(ctx context.Context, pk string, out any) error, pk, op string) (session.Link, error) {
	var r linkRecord
	if err := read(ctx, pk, &r); err != nil {
		return session.Link{}, fmt.Errorf("%s: %w", op, err)
	}
	l, err := r.link()
	if err != nil {
		return session.Link{}, fmt.Errorf("%s: %w", op, err)
	}
	return l, nil
}

// PutPending stores an authorization in flight under its state.
func (s *Store) PutPending(ctx context.Context, p session.Pending) error {
	item, err := marshal(newPendingRecord(p))
	if err != nil {
		return fmt.Errorf("put pending: %w", err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	if err != nil {
		return fmt.Errorf("put pending: %w", err)
	}
	return nil
}

// TakePending deletes the authorization in flight and returns it; only one
// caller gets it.
func (s *Store) TakePending(ctx context.Context, state string) (session.Pending, error) {
	var r pendingRecord
	if err := s.take(ctx, stateKey(state), &r); err != nil {
		return session.Pending{}, fmt.Errorf("take pending: %w", err)
	}
	p, err := r.pending()
	if err != nil {
		return session.Pending{}, fmt.Errorf("take pending: %w", err)
	}
	return p, nil
}
