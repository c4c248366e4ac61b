package web_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"rcgithub/shared/eventbridge"
)

// placeholderGeneration in a payload stands for the victim's generation, which
// is random; the fuzzer can then explore jobs that name the victim exactly.
const placeholderGeneration = "GEN"

// FuzzExpireJob feeds arbitrary scheduled-logout payloads through
// eventbridge.ParseJob (what the logout Lambda does with EventBridge's payload)
// to session.Service.Expire, on a real store holding the victim's live
// session, which ends only 7 days from now. Whatever the payload, even one
// naming the victim's own site, user and generation: no panic, and the
// victim's session, token and automatic logout are untouched.
//
// It lives with the web fixture because that is where the real service on a
// real store is wired; it exercises no HTTP.
func FuzzExpireJob(f *testing.F) {
	fx := newFixture(f)
	victim := fx.loginVictim(f)
	f.Add([]byte(`{"site":"` + fixtureSite + `","user":"` + victimUserID + `","generation":GEN}`))
	f.Add([]byte(`{"site":"https://chat.example.com","user":"u1","generation":1}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		payload = bytes.ReplaceAll(payload, []byte(placeholderGeneration), []byte(strconv.FormatInt(victim.Generation, 10)))
		job, err := eventbridge.ParseJob(payload)
		if err != nil {
			return
		}
		if err := job.Validate(); err != nil {
			t.Fatalf("ParseJob accepted an invalid job: %v", err)
		}
		// An error only means "retry later"; what matters is what it did.
		_ = fx.service.Expire(context.Background(), job)
		fx.checkVictim(t, victim)
	})
}
