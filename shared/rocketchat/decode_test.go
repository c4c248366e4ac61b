package rocketchat

import (
	"bytes"
	"encoding/json"
	"testing"
)

// decodeReference is how a Message was decoded before decode.go: encoding/json
// with "bot" taken as any value but false. json.Unmarshal into a Message must
// still agree with it on every input.
func decodeReference(data []byte) (Message, error) {
	type fields Message
	var w struct {
		fields
		Bot json.RawMessage `json:"bot"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return Message{}, err
	}
	m := Message(w.fields)
	m.Bot = len(w.Bot) > 0 && !bytes.Equal(bytes.TrimSpace(w.Bot), []byte("false"))
	return m, nil
}

// decodeCases are bodies on both sides of what decodeSimple takes.
var decodeCases = []struct {
	name   string
	body   string
	simple bool // decodeSimple decodes it (else encoding/json does)
}{
	{"Rocket.Chat's body", `{"token":"t0k","bot":false,"trigger_word":"/github","channel_id":"GENERAL","channel_name":"general","message_id":"m1","timestamp":"2026-01-02T03:04:05.000Z","user_id":"u1","user_name":"alice","text":"/github help","siteUrl":"https://chat.example.com/","isEdited":true,"tmid":"t1","alias":"al"}`, true},
	{"spaces everywhere", " \t\n{ \"token\" : \"t\" , \"bot\" : true \r\n} \n", true},
	{"empty object", `{}`, true},
	{"unknown keys skipped", `{"other":"x","flag":true,"off":false,"text":"hi"}`, true},
	{"non-ASCII text", `{"text":"/github héllo ✓"}`, true},
	{"an escape", `{"text":"a\nb"}`, false},
	{"a unicode escape", `{"text":"\u00e9"}`, false},
	{"another spelling of a key", `{"Token":"t"}`, false},
	{"a key folding to a field", `{"USER_ID":"u"}`, false},
	{"a Kelvin-sign key", "{\"to\u212aen\":\"t\"}", false},
	{"a repeated key", `{"text":"a","text":"b"}`, false},
	{"bot as an object", `{"bot":{"i":"integration"}}`, false},
	{"bot null", `{"bot":null}`, false},
	{"bot a string", `{"bot":"yes"}`, false},
	{"text a number", `{"text":5}`, false},
	{"text a boolean", `{"text":true}`, false},
	{"isEdited a string", `{"isEdited":"true"}`, false},
	{"a null string", `{"text":null}`, false},
	{"an unknown key with a number", `{"n":1,"text":"x"}`, false},
	{"invalid UTF-8", "{\"text\":\"\xff\"}", false},
	{"a control character", "{\"text\":\"a\x01\"}", false},
	{"trailing data", `{"text":"a"} x`, false},
	{"two objects", `{}{}`, false},
	{"unterminated", `{"text":"a"`, false},
	{"a trailing comma", `{"text":"a",}`, false},
	{"truex", `{"bot":truex}`, false},
	{"an array", `["text"]`, false},
	{"nothing", ``, false},
	{"null", `null`, false},
}

func TestMessageDecodingAgreesWithEncodingJSON(t *testing.T) {
	for _, tt := range decodeCases {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := decodeSimple([]byte(tt.body)); ok != tt.simple {
				t.Errorf("decodeSimple took it: %v, want %v", ok, tt.simple)
			}
			checkSameDecoding(t, []byte(tt.body))
		})
	}
}

func checkSameDecoding(t *testing.T, body []byte) {
	t.Helper()
	want, wantErr := decodeReference(body)
	got, err := DecodeMessage(body)
	if (err != nil) != (wantErr != nil) || got != want {
		t.Fatalf("DecodeMessage(%q) = %+v, %v; encoding/json gives %+v, %v", body, got, err, want, wantErr)
	}
	var viaUnmarshal Message
	err = json.Unmarshal(body, &viaUnmarshal)
	if (err != nil) != (wantErr != nil) || viaUnmarshal != want {
		t.Fatalf("json.Unmarshal(%q) = %+v, %v; before: %+v, %v", body, viaUnmarshal, err, want, wantErr)
	}
}

// FuzzDecodeMessage checks DecodeMessage and Message.UnmarshalJSON against
// encoding/json without the fast path, on any input.
func FuzzDecodeMessage(f *testing.F) {
	for _, tt := range decodeCases {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkSameDecoding(t, body) })
}
