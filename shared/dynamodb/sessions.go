package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"rcgithub/shared/session"
)

// generationIs is the condition that a live item still has the generation in :gen.
const generationIs = "#g = :gen"

func generationCondition(gen int64) (map[string]string, map[string]types.AttributeValue) {
	return map[string]string{"#g": "generation"},
		map[string]types.AttributeValue{":gen": &types.AttributeValueMemberN{Value: strconv.FormatInt(gen, 10)}}
}

// GetSession returns the live session of k, or session.ErrNotFound.
func (s *Store) GetSession(ctx context.Context, k session.Key) (session.Session, error) {
	sess, err := s.getSession(ctx, sessionKey(k))
	if err != nil {
		return session.Session{}, fmt.Errorf("get session: %w", err)
	}
	return sess, nil
}

// GetRetired returns the retired session of k with generation gen, or session.ErrNotFound.
func (s *Store) GetRetired(ctx context.Context, k session.Key, gen int64) (session.Session, error) {
	sess, err := s.getSession(ctx, retiredKey(k, gen))
	if err != nil {
		return session.Session{}, fmt.Errorf("get retired session: %w", err)
	}
	return sess, nil
}

func (s *Store) getSession(ctx context.Context, pk string) (session.Session, error) {
	var r sessionRecord
	if err := s.get(ctx, pk, &r); err != nil {
		return session.Session{}, err
	}
	return r.session()
}

// PutSession makes sess the live session of its key provided the live one now
// has generation prev (0: none). Replacing a live session writes its retired
// copy in the same transaction.
func (s *Store) PutSession(ctx context.Context, sess session.Session, prev int64) error {
	if sess.Generation <= 0 {
		return fmt.Errorf("put session: generation %d is not positive", sess.Generation)
	}
	live, err := marshal(newSessionRecord(sessionKey(sess.Key), sess))
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	// A live session must be retirable: its retired copy, under a longer
	// key, must fit DynamoDB's limits too.
	if _, err := marshal(newSessionRecord(retiredKey(sess.Key, sess.Generation), sess)); err != nil {
		return fmt.Errorf("put session: as retired: %w", err)
	}
	if prev == 0 {
		_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                aws.String(s.table),
			Item:                     live,
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": KeyAttribute},
		})
		var failed *types.ConditionalCheckFailedException
		if errors.As(err, &failed) {
			return fmt.Errorf("put session: a live session exists: %w", session.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("put session: %w", err)
		}
		return nil
	}

	// The retired copy needs the old session's fields, so read it first; the
	// transaction below only goes through if it is still the same generation.
	old, err := s.getSession(ctx, sessionKey(sess.Key))
	switch {
	case errors.Is(err, session.ErrNotFound):
		return fmt.Errorf("put session: no live session of generation %d: %w", prev, session.ErrConflict)
	case err != nil:
		return fmt.Errorf("put session: read live session: %w", err)
	case old.Generation != prev:
		return fmt.Errorf("put session: live session has another generation: %w", session.ErrConflict)
	}
	retired, err := marshal(newSessionRecord(retiredKey(old.Key, old.Generation), old))
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	names, values := generationCondition(prev)
	_, err = s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.table), Item: live,
			ConditionExpression: aws.String(generationIs), ExpressionAttributeNames: names, ExpressionAttributeValues: values}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: retired}},
	}})
	if reasons, cancelled := cancellationReasons(err); cancelled &&
		(reasonCode(reasons, 0) == codeConditionFailed || hasCode(reasons, codeTransactionConflict)) {
		return fmt.Errorf("put session: live session changed meanwhile: %w", session.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

// RetireSession deletes the live session of k if it has generation gen and
// writes its retired copy, in one transaction.
func (s *Store) RetireSession(ctx context.Context, k session.Key, gen int64) (session.Session, error) {
	cur, err := s.getSession(ctx, sessionKey(k))
	if err != nil {
		return session.Session{}, fmt.Errorf("retire session: %w", err)
	}
	if cur.Generation != gen {
		return session.Session{}, fmt.Errorf("retire session: live session has another generation: %w", session.ErrConflict)
	}
	retired, err := marshal(newSessionRecord(retiredKey(k, gen), cur))
	if err != nil {
		return session.Session{}, fmt.Errorf("retire session: %w", err)
	}
	names, values := generationCondition(gen)
	_, err = s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: aws.String(s.table), Key: keyOf(sessionKey(k)),
			ConditionExpression: aws.String(generationIs), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
			// On failure, the old item (if any) tells "replaced" from "gone".
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: retired}},
	}})
	if err == nil {
		return cur, nil
	}
	return session.Session{}, fmt.Errorf("retire session: %w", retireError(err))
}

// retireError maps a failed RetireSession transaction to the domain's errors:
// the live item gone is ErrNotFound, the live item of another generation (or a
// concurrent writer) is ErrConflict.
func retireError(err error) error {
	reasons, cancelled := cancellationReasons(err)
	switch {
	case !cancelled:
		return err
	case reasonCode(reasons, 0) == codeConditionFailed && reasons[0].Item == nil:
		return fmt.Errorf("live session ended meanwhile: %w", session.ErrNotFound)
	case reasonCode(reasons, 0) == codeConditionFailed:
		return fmt.Errorf("live session replaced meanwhile: %w", session.ErrConflict)
	case hasCode(reasons, codeTransactionConflict):
		return fmt.Errorf("concurrent write: %w", session.ErrConflict)
	default:
		return err
	}
}

// UpdateToken replaces the tokens of the live session of k with one
// UpdateItem, conditional on its generation being gen. Empty tokens and zero
// times remove their attributes.
func (s *Store) UpdateToken(ctx context.Context, k session.Key, gen int64, sealedToken, sealedRefresh []byte,
	tokenExpires, refreshExpires time.Time) error {
	if len(sealedToken) == 0 {
		return errors.New("update token: no sealed token")
	}
	names, values := generationCondition(gen)
	set := []string{"#tok = :tok"}
	var remove []string
	names["#tok"] = "sealed_token"
	values[":tok"] = &types.AttributeValueMemberB{Value: sealedToken}
	optional := func(placeholder, attr string, v types.AttributeValue, present bool) {
		names["#"+placeholder] = attr
		if !present {
			remove = append(remove, "#"+placeholder)
			return
		}
		set = append(set, "#"+placeholder+" = :"+placeholder)
		values[":"+placeholder] = v
	}
	optional("ref", "sealed_refresh", &types.AttributeValueMemberB{Value: sealedRefresh}, len(sealedRefresh) > 0)
	optional("texp", "token_expires", &types.AttributeValueMemberS{Value: formatOptionalTime(tokenExpires)}, !tokenExpires.IsZero())
	optional("rexp", "refresh_expires", &types.AttributeValueMemberS{Value: formatOptionalTime(refreshExpires)}, !refreshExpires.IsZero())
	update := "SET " + strings.Join(set, ", ")
	if len(remove) > 0 {
		update += " REMOVE " + strings.Join(remove, ", ")
	}
	pk := sessionKey(k)
	if err := checkKey(pk); err != nil {
		return fmt.Errorf("update token: no live session: %w: %w", session.ErrNotFound, err)
	}
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       keyOf(pk),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(generationIs),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		// On failure, the old item (if any) tells "replaced" from "gone".
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed) && failed.Item == nil:
		return fmt.Errorf("update token: no live session: %w", session.ErrNotFound)
	case errors.As(err, &failed):
		return fmt.Errorf("update token: live session has another generation: %w", session.ErrConflict)
	case err != nil:
		return fmt.Errorf("update token: %w", err)
	}
	return nil
}

// DeleteRetired deletes a retired session; deleting a missing one is not an error.
func (s *Store) DeleteRetired(ctx context.Context, k session.Key, gen int64) error {
	pk := retiredKey(k, gen)
	if checkKey(pk) != nil {
		return nil // no such item can exist: it is not there
	}
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table),
		Key:       keyOf(pk),
	})
	if err != nil {
		return fmt.Errorf("delete retired session: %w", err)
	}
	return nil
}

// PutRetired stores s as a retired session with one PutItem; the live
// session item is not touched.
func (s *Store) PutRetired(ctx context.Context, sess session.Session) error {
	item, err := marshal(newSessionRecord(retiredKey(sess.Key, sess.Generation), sess))
	if err != nil {
		return fmt.Errorf("put retired session: %w", err)
	}
	if _, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return fmt.Errorf("put retired session: %w", err)
	}
	return nil
}
