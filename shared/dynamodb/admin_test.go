package dynamodb_test

import (
	"context"
	"reflect"
	"sort"
	"testing"

	dynamodbapi "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"rcgithub/shared/awstest"
	"rcgithub/shared/dynamodb"
	"rcgithub/shared/session"
)

func TestLiveSessions(t *testing.T) {
	ctx := context.Background()
	cfg := awstest.Config(t)
	store := dynamodb.New(dynamodbapi.NewFromConfig(cfg), awstest.Table(t, cfg))
	keys := []session.Key{
		{Site: "https://a.example.com", UserID: "u1"},
		{Site: "https://a.example.com", UserID: "u2"},
		{Site: "https://a.example.com#x", UserID: "u1"}, // a site whose text extends another's
		{Site: "https://b.example.com", UserID: "u1"},
	}
	for i, k := range keys {
		if err := store.PutSession(ctx, session.Session{Key: k, Generation: int64(i + 1)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.RetireSession(ctx, keys[3], 4); err != nil { // retired is not live
		t.Fatal(err)
	}
	tests := []struct {
		site, user string
		want       []session.Key
	}{
		{"https://a.example.com", "", keys[:2]},
		{"https://a.example.com", "u2", keys[1:2]},
		{"https://a.example.com", "nobody", nil},
		{"https://a.example.com#x", "", keys[2:3]},
		{"https://b.example.com", "", nil},
	}
	for _, tt := range tests {
		got, err := store.LiveSessions(ctx, tt.site, tt.user)
		sort.Slice(got, func(i, j int) bool { return got[i].UserID < got[j].UserID })
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("LiveSessions(%q, %q) = %v, %v; want %v", tt.site, tt.user, got, err, tt.want)
		}
	}
}
