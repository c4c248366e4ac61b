package dynamodb

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestItemsWithoutTrigger: items written before the trigger word was kept
// decode with Trigger "" (the edge then names the first configured word), and
// an empty trigger is not written at all, so older binaries see the items they
// know.
func TestItemsWithoutTrigger(t *testing.T) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	old := map[string]types.AttributeValue{
		"pk": s("x"), "id": s("l1"), "state": s("st"), "site": s("https://chat.example.com"), "user": s("u1"),
		"user_name": s("a"), "message_id": s("m"), "verifier": s("v"), "github_login": s("o"),
		"created": s("2026-01-01T00:00:00Z"), "expires": s("2026-01-01T00:10:00Z"),
		"started": s("2026-01-01T00:00:00Z"), "ends": s("2026-01-08T00:00:00Z"),
	}
	var lr linkRecord
	var pr pendingRecord
	var sr sessionRecord
	for _, r := range []any{&lr, &pr, &sr} {
		if err := attributevalue.UnmarshalMap(old, r); err != nil {
			t.Fatal(err)
		}
	}
	l, err := lr.link()
	if err != nil {
		t.Fatal(err)
	}
	p, err := pr.pending()
	if err != nil {
		t.Fatal(err)
	}
	sess, err := sr.session()
	if err != nil {
		t.Fatal(err)
	}
	if l.Trigger != "" || p.Trigger != "" || sess.Trigger != "" {
		t.Fatalf("triggers %q %q %q, want all empty", l.Trigger, p.Trigger, sess.Trigger)
	}
	item, err := attributevalue.MarshalMap(newSessionRecord("pk", sess))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := item["trigger"]; ok {
		t.Fatal("an empty trigger was written")
	}
	sess.Trigger = "!github"
	item, err = attributevalue.MarshalMap(newSessionRecord("pk", sess))
	if err != nil {
		t.Fatal(err)
	}
	var back sessionRecord
	if err := attributevalue.UnmarshalMap(item, &back); err != nil || back.Trigger != "!github" {
		t.Fatalf("round trip: %q, %v", back.Trigger, err)
	}
}
