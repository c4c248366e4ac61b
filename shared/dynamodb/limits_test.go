package dynamodb

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"rcgithub/shared/session"
)

// TestItemSize follows "DynamoDB item sizes and formats" attribute by attribute.
func TestItemSize(t *testing.T) {
	tests := []struct {
		name string
		item map[string]types.AttributeValue
		want int
	}{
		{"string: name and UTF-8 bytes", map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "héllo"}}, 2 + 6},
		{"binary: raw bytes", map[string]types.AttributeValue{"b": &types.AttributeValueMemberB{Value: make([]byte, 10)}}, 1 + 10},
		{"number: 1 + 1 per 2 significant digits", map[string]types.AttributeValue{"n": &types.AttributeValueMemberN{Value: "12345"}}, 1 + 1 + 3},
		{"number: zeros trimmed", map[string]types.AttributeValue{"n": &types.AttributeValueMemberN{Value: "-0.00100"}}, 1 + 1 + 1},
		{"number: 38 digits", map[string]types.AttributeValue{"n": &types.AttributeValueMemberN{Value: strings.Repeat("7", 38)}}, 1 + 1 + 19},
		{"boolean and null", map[string]types.AttributeValue{"t": &types.AttributeValueMemberBOOL{Value: true}, "z": &types.AttributeValueMemberNULL{Value: true}}, 2 + 2},
		{"string set", map[string]types.AttributeValue{"ss": &types.AttributeValueMemberSS{Value: []string{"ab", "cde"}}}, 2 + 5},
		{"list: 3 + 1 per element", map[string]types.AttributeValue{"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "abc"}, &types.AttributeValueMemberN{Value: "1"}}}}, 1 + 3 + (1 + 3) + (1 + 2)},
		{"map: elements with their names", map[string]types.AttributeValue{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"k": &types.AttributeValueMemberS{Value: "v"}}}}, 1 + 3 + 1 + 1 + 1},
		{"empty map", map[string]types.AttributeValue{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}}, 1 + 3},
	}
	for _, tt := range tests {
		if got := itemSize(tt.item); got != tt.want {
			t.Errorf("%s: itemSize = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestKeyBoundKeepsPartitionKeysShort builds the longest keys a session key
// that passes Key.Validate can make, with the most escaping ('%' and '#'
// take 3 bytes each in a key), and shows them far below DynamoDB's limit.
func TestKeyBoundKeepsPartitionKeysShort(t *testing.T) {
	prefix := "https://a.example/"
	site := prefix + strings.Repeat("%25", (session.MaxSiteLen-len(prefix))/3)
	k := session.Key{Site: site, UserID: strings.Repeat("#", session.MaxUserIDLen)}
	if err := k.Validate(); err != nil {
		t.Fatalf("worst-case key is not valid: %v", err)
	}
	longest := 0
	for _, pk := range []string{sessionKey(k), retiredKey(k, 1<<53), quotaKey(k, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))} {
		longest = max(longest, len(pk))
		if err := checkKey(pk); err != nil {
			t.Errorf("%s: %v", pk[:20], err)
		}
	}
	if longest > 1700 {
		t.Errorf("longest session partition key is %d bytes, want at most 1700 (the README's Limits table says so)", longest)
	}
	t.Logf("longest partition key of a valid session key: %d bytes (limit %d)", longest, MaxPartitionKeyBytes)
}
