package emf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"rcgithub/shared/emf"
	"rcgithub/shared/session"
)

func TestCountWritesAnEMFLine(t *testing.T) {
	var out bytes.Buffer
	w := &emf.Writer{Out: &out, Now: func() time.Time { return time.UnixMilli(1764241200123) }}
	w.Count(context.Background(), session.LogoutAutomatic)
	w.Count(context.Background(), session.Logins)
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	var got map[string]any
	if err := json.Unmarshal(lines[0], &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Logouts": 1.0, "Reason": "automatic",
		"_aws": map[string]any{"Timestamp": 1764241200123.0, "CloudWatchMetrics": []any{map[string]any{
			"Namespace": "rcgithub", "Dimensions": []any{[]any{"Reason"}},
			"Metrics": []any{map[string]any{"Name": "Logouts", "Unit": "Count"}}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("line %s\nwant %v", lines[0], want)
	}
	if err := json.Unmarshal(lines[1], &got); err != nil || got["Logins"] != 1.0 {
		t.Fatalf("second line %s: %v", lines[1], err)
	}
}
