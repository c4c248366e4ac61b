package sqsqueue_test

import (
	"testing"

	"rcgithub/shared/sqsqueue"
)

// FuzzParse: whatever a queue hands the commands function, Parse never
// panics, and what it accepts encodes back to a body that parses the same.
func FuzzParse(f *testing.F) {
	body, _ := sqsqueue.Encode(deferred)
	f.Add(string(body))
	f.Add(`{"version":1,"site":"https://chat.example.com","user_id":"u","text":"/github me"}`)
	f.Add(`{"version":1,"site":"https://chat.example.com","user_id":"u","room_id":null}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		d, err := sqsqueue.Parse(body)
		if err != nil {
			return
		}
		if err := d.Key.Validate(); err != nil {
			t.Fatalf("Parse accepted a key that breaks the rule: %v", err)
		}
		again, err := sqsqueue.Encode(d)
		if err != nil {
			t.Fatalf("an accepted command does not encode: %v", err)
		}
		if d2, err := sqsqueue.Parse(string(again)); err != nil || d2 != d {
			t.Fatalf("round trip changed %+v into %+v (%v)", d, d2, err)
		}
	})
}
