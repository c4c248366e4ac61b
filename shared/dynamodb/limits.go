package dynamodb

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDB's limits that moto does not enforce, checked here before a call so
// that a value over them fails the same way on moto and on AWS, and costs no
// request. The table has a partition key only, so the 1,024-byte sort key
// limit does not apply. Source: the DynamoDB Developer Guide, "Quotas in
// Amazon DynamoDB" (attributes) and "DynamoDB item sizes and formats".
const (
	// MaxPartitionKeyBytes bounds the UTF-8 length of a partition key value.
	MaxPartitionKeyBytes = 2048
	// MaxItemBytes bounds an item: its attribute names and values, sized by
	// itemSize.
	MaxItemBytes = 400 * 1024
)

// ErrOverLimit is wrapped by the errors of writes refused before the call
// because a key or an item is over a DynamoDB limit. A read of a key over the
// limit returns session.ErrNotFound instead: no such item can exist.
var ErrOverLimit = errors.New("over a DynamoDB limit")

// checkKey checks a partition key value against MaxPartitionKeyBytes.
func checkKey(pk string) error {
	if n := len(pk); n == 0 || n > MaxPartitionKeyBytes {
		return fmt.Errorf("%w: partition key of %d bytes (1 to %d allowed)", ErrOverLimit, n, MaxPartitionKeyBytes)
	}
	return nil
}

// checkItem checks an item's partition key and its size.
func checkItem(item map[string]types.AttributeValue) error {
	pk, _ := item[KeyAttribute].(*types.AttributeValueMemberS)
	if pk == nil {
		return fmt.Errorf("item has no string %q attribute", KeyAttribute)
	}
	if err := checkKey(pk.Value); err != nil {
		return err
	}
	if n := itemSize(item); n > MaxItemBytes {
		return fmt.Errorf("%w: item of %d bytes (%d allowed)", ErrOverLimit, n, MaxItemBytes)
	}
	return nil
}

// itemSize is an item's size as DynamoDB counts it: the UTF-8 length of each
// attribute name plus the size of its value (valueSize).
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

// valueSize follows "DynamoDB item sizes and formats": a string is its UTF-8
// bytes, a binary its raw bytes, a number about one byte per two significant
// digits plus one (counted here rounding up, so never under), a Boolean or
// null one byte, a list or map 3 bytes plus one per element plus the
// elements (a map's with their names), and a set the sum of its members.
func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		return setSize(v.Value, func(s string) int { return len(s) })
	case *types.AttributeValueMemberBS:
		return setSize(v.Value, func(b []byte) int { return len(b) })
	case *types.AttributeValueMemberNS:
		return setSize(v.Value, numberSize)
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for name, e := range v.Value {
			n += 1 + len(name) + valueSize(e)
		}
		return n
	}
	return 0
}

// numberSize is 1 byte plus 1 per two significant digits, leading and
// trailing zeros trimmed.
func numberSize(s string) int {
	mantissa, _, _ := strings.Cut(strings.ToLower(s), "e")
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, mantissa)
	digits = strings.Trim(digits, "0")
	return 1 + (utf8.RuneCountInString(digits)+1)/2
}

// setSize is the size of a set: the sum of its members' sizes.
func setSize[T any](members []T, size func(T) int) int {
	n := 0
	for _, m := range members {
		n += size(m)
	}
	return n
}
