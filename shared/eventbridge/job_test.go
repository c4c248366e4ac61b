package eventbridge

import (
	"encoding/json"
	"strings"
	"testing"

	"rcgithub/shared/session"
)

func TestParseJob(t *testing.T) {
	valid := session.Job{Site: site, UserID: "u1", Generation: 9007199254740991}
	tests := []struct {
		name    string
		payload string
		want    session.Job
		wantErr string // part of the error; "" for success
	}{
		{"first run", `{"site":"https://chat.example.com","user":"u1","generation":9007199254740991}`, valid, ""},
		{"retry", `{"site":"https://chat.example.com","user":"u1","generation":9007199254740991,"attempt":3}`,
			session.Job{Site: site, UserID: "u1", Generation: 9007199254740991, Attempt: 3}, ""},
		{"white space around", " \n{\"site\":\"https://chat.example.com\",\"user\":\"u1\",\"generation\":9007199254740991}\n ", valid, ""},
		{"unknown field", `{"site":"https://chat.example.com","user":"u1","generation":1,"admin":true}`, session.Job{}, `unknown field "admin"`},
		{"field in another case", `{"Site":"https://chat.example.com","user":"u1","generation":1}`, session.Job{}, `unknown field "Site"`},
		{"field twice", `{"site":"https://chat.example.com","user":"u1","user":"u2","generation":1}`, session.Job{}, `"user" appears twice`},
		{"trailing object", `{"site":"https://chat.example.com","user":"u1","generation":1}{}`, session.Job{}, "after the JSON object"},
		{"trailing garbage", `{"site":"https://chat.example.com","user":"u1","generation":1} x`, session.Job{}, "after the JSON object"},
		{"not an object", `["https://chat.example.com","u1",1]`, session.Job{}, "not a JSON object"},
		{"null", `null`, session.Job{}, "not a JSON object"},
		{"empty", ``, session.Job{}, "EOF"},
		{"truncated", `{"site":"https://chat.example.com","user":"u1","generation":1`, session.Job{}, "parse logout job"},
		{"generation as a string", `{"site":"https://chat.example.com","user":"u1","generation":"1"}`, session.Job{}, "generation"},
		{"generation with a fraction", `{"site":"https://chat.example.com","user":"u1","generation":1.5}`, session.Job{}, "generation"},
		{"generation too large", `{"site":"https://chat.example.com","user":"u1","generation":9223372036854775808}`, session.Job{}, "generation"},
		{"missing generation", `{"site":"https://chat.example.com","user":"u1"}`, session.Job{}, `"generation" must be a positive number`},
		{"postponed retry", `{"site":"https://chat.example.com","user":"u1","generation":9007199254740991,"attempt":3,"postponed":2}`,
			session.Job{Site: site, UserID: "u1", Generation: 9007199254740991, Attempt: 3, Postponed: 2}, ""},
		{"negative postponed", `{"site":"https://chat.example.com","user":"u1","generation":1,"postponed":-1}`, session.Job{}, `"postponed" must be between 0 and 10000`},
		{"negative attempt", `{"site":"https://chat.example.com","user":"u1","generation":1,"attempt":-1}`, session.Job{}, `"attempt" must be between 0 and 10000`},
		{"huge attempt", `{"site":"https://chat.example.com","user":"u1","generation":1,"attempt":9223372036854775807}`, session.Job{}, `"attempt" must be between 0 and 10000`},
		{"site not a URL", `{"site":"chat","user":"u1","generation":1}`, session.Job{}, `"site" must be an http(s) site URL`},
		{"blank user", `{"site":"https://chat.example.com","user":"  ","generation":1}`, session.Job{}, `"user" holds whitespace`},
		{"empty user", `{"site":"https://chat.example.com","user":"","generation":1}`, session.Job{}, `"user" is empty`},
		{"site not normalised", `{"site":"https://Chat.example.com/","user":"u1","generation":1}`, session.Job{}, `"site" must be normalised`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseJob([]byte(tt.payload))
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParseJob = %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParseJob error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestEncodeJobParses checks that what Schedule puts in a schedule is what
// the logout function reads back.
func TestEncodeJobParses(t *testing.T) {
	for _, job := range []session.Job{
		{Site: site, UserID: "u1", Generation: 1},
		{Site: site + "/a\"b\\c<é>", UserID: "zoë\"\\", Generation: 1<<53 - 1, Attempt: 12},
		{Site: site, UserID: "u1", Generation: 7, Attempt: 2, Postponed: 5},
	} {
		payload, err := encodeJob(job)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseJob([]byte(payload))
		if err != nil || got != job {
			t.Errorf("ParseJob(encodeJob(%+v)) = %+v, %v", job, got, err)
		}
	}
}

// FuzzParseJob checks that ParseJob never panics, and that whatever it accepts
// is a valid job whose own encoding decodes to the same job.
func FuzzParseJob(f *testing.F) {
	f.Add([]byte(`{"site":"https://chat.example.com","user":"u1","generation":1}`))
	f.Add([]byte(`{"site":"https://chat.example.com","user":"u1","generation":2,"attempt":1}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		job, err := ParseJob(payload)
		if err != nil {
			return
		}
		if err := job.Validate(); err != nil {
			t.Fatalf("ParseJob accepted an invalid job %+v: %v", job, err)
		}
		again, err := json.Marshal(job)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseJob(again)
		if err != nil || back != job {
			t.Fatalf("ParseJob(Marshal(%+v)) = %+v, %v", job, back, err)
		}
	})
}
