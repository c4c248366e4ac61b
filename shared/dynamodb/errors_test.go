package dynamodb

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"rcgithub/shared/session"
)

func cancelled(reasons ...types.CancellationReason) error {
	return &types.TransactionCanceledException{Message: aws.String("cancelled"), CancellationReasons: reasons}
}

func reason(code string, item map[string]types.AttributeValue) types.CancellationReason {
	return types.CancellationReason{Code: aws.String(code), Item: item}
}

// TestRetireError covers the transaction failures that only a race between
// RetireSession's read and its write produces, which moto cannot stage.
func TestRetireError(t *testing.T) {
	oldItem := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "session#x#y"}}
	other := errors.New("throttled")
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"live item gone", cancelled(reason("ConditionalCheckFailed", nil), reason("None", nil)), session.ErrNotFound},
		{"live item replaced", cancelled(reason("ConditionalCheckFailed", oldItem), reason("None", nil)), session.ErrConflict},
		{"concurrent transaction", cancelled(reason("TransactionConflict", nil), reason("None", nil)), session.ErrConflict},
		{"conflict on the retired item", cancelled(reason("None", nil), reason("TransactionConflict", nil)), session.ErrConflict},
		{"other cancellation", cancelled(reason("ValidationError", nil), reason("None", nil)), nil},
		{"not a cancellation", other, other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := retireError(tt.err)
			if tt.want == nil {
				if errors.Is(got, session.ErrNotFound) || errors.Is(got, session.ErrConflict) {
					t.Fatalf("retireError = %v, want neither ErrNotFound nor ErrConflict", got)
				}
				return
			}
			if !errors.Is(got, tt.want) {
				t.Fatalf("retireError = %v, want %v", got, tt.want)
			}
		})
	}
}
