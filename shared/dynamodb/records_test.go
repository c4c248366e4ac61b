package dynamodb

import (
	"strings"
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

// TestRecordTimes: a malformed time fails the decode and names its attribute,
// whichever time it is; an absent optional time is the zero time.
func TestRecordTimes(t *testing.T) {
	const ok = "2026-01-01T00:00:00Z"
	link := linkRecord{Created: ok, Expires: ok}
	sess := sessionRecord{Started: ok, Ends: ok}
	tests := []struct {
		name    string
		decode  func() error
		wantErr string // "" for none
	}{
		{"link", func() error { _, err := link.link(); return err }, ""},
		{"link created", func() error { r := link; r.Created = "bad"; _, err := r.link(); return err }, "decode created time"},
		{"link expires", func() error { r := link; r.Expires = "bad"; _, err := r.link(); return err }, "decode expires time"},
		{"session without token times", func() error { _, err := sess.session(); return err }, ""},
		{"session started", func() error { r := sess; r.Started = "bad"; _, err := r.session(); return err }, "decode started time"},
		{"session ends", func() error { r := sess; r.Ends = "bad"; _, err := r.session(); return err }, "decode ends time"},
		{"session token_expires", func() error { r := sess; r.TokenExpires = "bad"; _, err := r.session(); return err }, "decode token_expires time"},
		{"session refresh_expires", func() error { r := sess; r.RefreshExpires = "bad"; _, err := r.session(); return err }, "decode refresh_expires time"},
	}
	for _, tt := range tests {
		err := tt.decode()
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.wantErr)
		}
	}
	s, err := sess.session()
	if err != nil || !s.TokenExpires.IsZero() || !s.RefreshExpires.IsZero() {
		t.Errorf("session without token times: %v, %v; want zero times", s.TokenExpires, err)
	}
}

// TestItemsWithoutScopes: items written before each login kept the scopes it
// asked for decode with nil (the service then uses its default scopes); an
// empty list is not written, and a list round-trips in order.
func TestItemsWithoutScopes(t *testing.T) {
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
	if l.Scopes != nil || p.Scopes != nil || sess.AskedScopes != nil {
		t.Fatalf("scopes %q %q %q, want all nil", l.Scopes, p.Scopes, sess.AskedScopes)
	}
	items := []struct {
		record any
		name   string // the attribute that must be absent
	}{{newLinkRecord("pk", l), "scopes"}, {newPendingRecord(p), "scopes"}, {newSessionRecord("pk", sess), "asked_scopes"}}
	for _, it := range items {
		item, err := attributevalue.MarshalMap(it.record)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := item[it.name]; ok {
			t.Fatalf("an empty %s was written: %v", it.name, item)
		}
	}
	asked := []string{"read:user", "repo", "public_repo"}
	l.Scopes, p.Scopes, sess.AskedScopes = asked, asked, asked
	var lb linkRecord
	var pb pendingRecord
	var sb sessionRecord
	for _, rt := range []struct{ in, out any }{{newLinkRecord("pk", l), &lb}, {newPendingRecord(p), &pb}, {newSessionRecord("pk", sess), &sb}} {
		item, err := attributevalue.MarshalMap(rt.in)
		if err != nil {
			t.Fatal(err)
		}
		if err := attributevalue.UnmarshalMap(item, rt.out); err != nil {
			t.Fatal(err)
		}
	}
	for _, got := range [][]string{lb.Scopes, pb.Scopes, sb.AskedScopes} {
		if strings.Join(got, " ") != strings.Join(asked, " ") {
			t.Fatalf("round trip: %q, want %q", got, asked)
		}
	}
}
