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

// LiveSessions lists the keys of the live sessions of a site, or of one user
// of it when user is not empty. A site's sessions share no partition, so this
// scans the table: an admin's tool for an incident or someone leaving, not a
// request path. One user is a single read.
func (s *Store) LiveSessions(ctx context.Context, site, user string) ([]session.Key, error) {
	if user != "" {
		k := session.Key{Site: site, UserID: user}
		if _, err := s.GetSession(ctx, k); err != nil {
			if errors.Is(err, session.ErrNotFound) {
				return nil, nil
			}
			return nil, fmt.Errorf("list live sessions: %w", err)
		}
		return []session.Key{k}, nil
	}
	prefix := key("session", site) + "#"
	input := &dynamodb.ScanInput{
		TableName:                 aws.String(s.table),
		ConsistentRead:            aws.Bool(true),
		FilterExpression:          aws.String("begins_with(#pk, :prefix)"),
		ExpressionAttributeNames:  map[string]string{"#pk": KeyAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{":prefix": &types.AttributeValueMemberS{Value: prefix}},
	}
	var keys []session.Key
	for {
		out, err := s.client.Scan(ctx, input)
		if err != nil {
			return nil, fmt.Errorf("list live sessions: %w", err)
		}
		for _, item := range out.Items {
			var rec sessionRecord
			if err := attributevalue.UnmarshalMap(item, &rec); err != nil {
				return nil, fmt.Errorf("list live sessions: %w", err)
			}
			if rec.Site == site { // the prefix matched; the escaped key makes this exact
				keys = append(keys, session.Key{Site: rec.Site, UserID: rec.UserID})
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return keys, nil
		}
		input.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
