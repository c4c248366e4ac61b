package dynamodb

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"rcgithub/shared/session"
)

// RetiredItemSize is the size, as checkItem counts it, of s stored as retired.
func RetiredItemSize(s session.Session) (int, error) {
	item, err := attributevalue.MarshalMap(newSessionRecord(retiredKey(s.Key, s.Generation), s))
	if err != nil {
		return 0, err
	}
	return itemSize(item), nil
}

// StateKeyLen is the length of the partition key of the pending sign-in with state.
func StateKeyLen(state string) int { return len(stateKey(state)) }
