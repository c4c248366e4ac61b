package web_test

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
)

// FuzzWebhook posts arbitrary bodies to POST /rocketchat/webhook of the real
// handler and checks what Rocket.Chat would make of each answer: never 410
// (it disables the integration), never 5xx, always a JSON body; a 200 carries
// a reply, {} or a bare error (which Rocket.Chat posts nowhere); any text is a
// direct message to the sender, and a login link never goes anywhere else. No
// message touches the session of a user it does not come from.
//
// Seeds are in testdata/fuzz/FuzzWebhook; they carry the fixture's webhook
// token so that the fuzzer starts past the 401.
func FuzzWebhook(f *testing.F) {
	fx := newFixture(f)
	victim := fx.loginVictim(f)
	f.Add([]byte(`{"token":"` + fixtureToken + `","user_id":"u1","user_name":"alice","text":"/github help","siteUrl":"` + fixtureSite + `/"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/rocketchat/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		fx.handler.ServeHTTP(rec, req)
		msg, linkID := checkWebhookAnswer(t, body, rec.Result().StatusCode, rec.Header().Get("Content-Type"), rec.Body.Bytes())
		if linkID != "" {
			// The link in a reply is the sender's own: it opens a sign-in for them only.
			l, err := fx.service.Store.GetLink(t.Context(), linkID)
			if err != nil {
				t.Fatalf("the link in the reply is not stored: %v", err)
			}
			if want := (session.Key{Site: session.NormalizeSite(msg.SiteURL), UserID: msg.UserID}); l.Key != want {
				t.Fatalf("reply to %v carries a link for %v", want, l.Key)
			}
		}
		if _, pendings := fx.store.takeWrites(); len(pendings) != 0 {
			t.Fatalf("the webhook started an authorization: %v", pendings)
		}
		if fromVictim(body) {
			// The victim may end its own session; give it a fresh one to guard.
			if _, err := fx.service.Store.GetSession(t.Context(), victim.Key); err != nil {
				victim = fx.loginVictim(t)
			} else if cur, _ := fx.service.Store.GetSession(t.Context(), victim.Key); cur.Generation != victim.Generation {
				t.Fatalf("a webhook message replaced the victim's session")
			}
			return
		}
		fx.checkVictim(t, victim)
	})
}

// linkInReply finds the login link id in a reply's text.
var linkInReply = regexp.MustCompile(`/oauth/start\?link=([A-Za-z0-9_-]+)`)

// checkWebhookAnswer checks one answer against Rocket.Chat's rules and the
// service's promises. For a direct reply it returns the message it answers
// and the id of the login link in it, if any.
func checkWebhookAnswer(t *testing.T, body []byte, status int, contentType string, answer []byte) (rocketchat.Message, string) {
	t.Helper()
	switch status {
	case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge:
	default:
		t.Fatalf("status %d (want 200, 400, 401 or 413): %s", status, answer)
	}
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/json" {
		t.Fatalf("status %d with content type %q", status, contentType)
	}
	var reply struct {
		rocketchat.Reply
		Error       *string           `json:"error"`
		Attachments []json.RawMessage `json:"attachments"`
	}
	if err := json.Unmarshal(answer, &reply); err != nil {
		t.Fatalf("status %d answer is not a JSON object: %q", status, answer)
	}
	hasLink := strings.Contains(string(answer), "/oauth/start?link=")
	if status != http.StatusOK {
		if reply.Error == nil || *reply.Error == "" || reply.Text != "" || reply.Channel != "" || hasLink {
			t.Fatalf("status %d answer is not a bare JSON error: %s", status, answer)
		}
		return rocketchat.Message{}, ""
	}
	if len(reply.Attachments) > 0 {
		t.Fatalf("200 answer with attachments: %s", answer)
	}
	if reply.Error != nil {
		// A message Rocket.Chat sent that can never be served: 200 ends its
		// retries; the error is for the integration's History, never posted.
		if *reply.Error == "" || reply.Text != "" || reply.Channel != "" || hasLink {
			t.Fatalf("200 error answer is not a bare JSON error: %s", answer)
		}
		return rocketchat.Message{}, ""
	}
	if reply.Text == "" {
		if reply.Channel != "" || hasLink {
			t.Fatalf("200 answer without text is not {}: %s", answer)
		}
		return rocketchat.Message{}, ""
	}
	// The handler decodes the first JSON value of the body; so does this.
	var msg rocketchat.Message
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&msg); err != nil {
		t.Fatalf("the service answered a body it cannot decode: %s", answer)
	}
	if msg.Bot {
		t.Fatalf("the service answered a bot's message (any bot value but false is a bot): %s", answer)
	}
	if !strings.HasPrefix(reply.Channel, "@") || reply.Channel != "@"+msg.UserName {
		t.Fatalf("answer addressed to %q, not privately to the sender @%s: %s", reply.Channel, msg.UserName, answer)
	}
	if reply.ParseURLs == nil || *reply.ParseURLs {
		t.Fatalf("answer lets Rocket.Chat fetch link previews: %s", answer)
	}
	var linkID string
	if m := linkInReply.FindStringSubmatch(reply.Text); m != nil {
		linkID = m[1]
	}
	return msg, linkID
}

// fromVictim reports whether the body is a message from the victim's
// Rocket.Chat user, who may end its own session.
func fromVictim(body []byte) bool {
	var msg rocketchat.Message
	if json.NewDecoder(bytes.NewReader(body)).Decode(&msg) != nil {
		return false
	}
	return msg.UserID == victimUserID && session.NormalizeSite(msg.SiteURL) == fixtureSite
}
