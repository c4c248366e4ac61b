package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"testing/quick"

	"rcgithub/shared/eventbridge"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/session"
)

// maxScheduleInput is EventBridge Scheduler's bound on a target's Input
// (Target.Input, 1 to 8192 characters, in the Scheduler API reference).
const maxScheduleInput = 8192

// invalidKeys break the one key rule, each in its own way.
var invalidKeys = map[string]session.Key{
	"blank user":             {Site: site, UserID: " "},
	"user with a space":      {Site: site, UserID: "alice id"},
	"user with a tab":        {Site: site, UserID: "alice\tid"},
	"user with a NUL":        {Site: site, UserID: "alice\x00"},
	"user with NBSP":         {Site: site, UserID: "alice\u00a0"},
	"user not UTF-8":         {Site: site, UserID: "alice\xff"},
	"empty user":             {Site: site, UserID: ""},
	"user over 256 bytes":    {Site: site, UserID: strings.Repeat("u", session.MaxUserIDLen+1)},
	"empty site":             {Site: "", UserID: "alice-id"},
	"site without a scheme":  {Site: "chat.example.com", UserID: "alice-id"},
	"site not http(s)":       {Site: "ftp://chat.example.com", UserID: "alice-id"},
	"site not normalised":    {Site: "https://Chat.example.com/", UserID: "alice-id"},
	"site with a query":      {Site: site + "?a=b", UserID: "alice-id"},
	"site with a fragment":   {Site: site + "#u1", UserID: "alice-id"},
	"site with user info":    {Site: "https://u:p@chat.example.com", UserID: "alice-id"},
	"site over 512 bytes":    {Site: site + "/" + strings.Repeat("p", session.MaxSiteLen), UserID: "alice-id"},
	"site with a space":      {Site: site + "/a b", UserID: "alice-id"},
	"site with a line break": {Site: site + "/a\nb", UserID: "alice-id"},
}

// TestStartLoginRefusesInvalidKeysWithoutAStoreCall: no link, and so no
// session, is ever made for a key that breaks the rule its logout job will be
// held to; the refusal costs no store call.
func TestStartLoginRefusesInvalidKeysWithoutAStoreCall(t *testing.T) {
	f := newFixture(t)
	store := f.counted()
	for name, k := range invalidKeys {
		t.Run(name, func(t *testing.T) {
			store.Reset()
			_, err := f.svc.StartLogin(context.Background(), session.LinkRequest{Key: k, UserName: "x", MessageID: "m1"})
			if !errors.Is(err, session.ErrInvalidKey) {
				t.Fatalf("StartLogin(%q, %q) = %v, want ErrInvalidKey", k.Site, k.UserID, err)
			}
			if calls := store.Calls(); len(calls) != 0 {
				t.Fatalf("store calls %v, want none", calls)
			}
		})
	}
}

// keyTamperingStore hands back every pending sign-in with another user id,
// as a record written by anything but StartLogin could hold.
type keyTamperingStore struct {
	session.Store
	userID string
}

func (s keyTamperingStore) TakePending(ctx context.Context, state string) (session.Pending, error) {
	p, err := s.Store.TakePending(ctx, state)
	p.UserID = s.userID
	return p, err
}

// TestCompleteLoginRefusesAnInvalidKey: a pending sign-in whose key breaks
// the rule never becomes a session, nor a logout job, nor a token at GitHub.
func TestCompleteLoginRefusesAnInvalidKey(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := f.pendingSignIn(t, alice, "octocat")
	f.svc.Store = keyTamperingStore{Store: f.db, userID: "alice id"}
	if _, err := f.svc.CompleteLogin(ctx, s.state, s.code, s.browser); !errors.Is(err, session.ErrInvalidKey) {
		t.Fatalf("CompleteLogin with an invalid key: %v, want ErrInvalidKey", err)
	}
	if n := f.gh.Requests(githubtest.RouteToken); n != 0 {
		t.Fatalf("the code was exchanged at GitHub (%d requests) for an invalid key", n)
	}
	if n, err := f.sched.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("%d logout jobs pending (%v), want none", n, err)
	}
	if _, err := f.db.GetSession(ctx, session.Key{Site: site, UserID: "alice id"}); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("a session was stored for the invalid key: %v", err)
	}
}

// keyCase is a Key made to sit near the edges of the rule: sites and user ids
// from pieces that are valid, invalid, or valid only in some places, with
// lengths around the bounds. About half of them pass the rule.
type keyCase struct{ session.Key }

var (
	cleanSchemes = []string{"https://", "http://", "HTTPS://", "Http://"}
	cleanParts   = []string{".example.com", "-a", ".EXAMPLE.org", ":8080", ":443", "/", "/path", "/Chat/", "/a%20b", "/é", "/a:b", "//"}
	messySchemes = []string{"ftp://", "", "https:/", "https:///", "javascript:", "https://"}
	messyParts   = []string{"[::1]", ":0", ":99999", ":x", "/a|b", "?q=1", "#frag", "@", "u:p@",
		" ", "\t", "\n", "\x00", "\x7f", "\u00a0", "\u2028", "\u200b", "\xff", "%", "|", "\\", "<", ">", "\"", "'"}
	cleanRunes = []rune("abcXYZ0189-_.@:/#|\"\\<>éß中🙂\u200b\ufeff")
	messyRunes = []rune(" \t\n\x00\x7f\u00a0\u2028\u0085\u3000")
)

// Generate makes a keyCase for testing/quick.
func (keyCase) Generate(r *rand.Rand, _ int) reflect.Value {
	messy := r.Intn(2) == 0 // one piece or more that may break the rule
	var site strings.Builder
	if messy && r.Intn(3) == 0 {
		site.WriteString(messySchemes[r.Intn(len(messySchemes))])
	} else {
		site.WriteString(cleanSchemes[r.Intn(len(cleanSchemes))])
	}
	site.WriteString("chat")
	for range r.Intn(4) {
		if messy && r.Intn(3) == 0 {
			site.WriteString(messyParts[r.Intn(len(messyParts))])
		} else {
			site.WriteString(cleanParts[r.Intn(len(cleanParts))])
		}
	}
	if r.Intn(8) == 0 { // near the length bound
		site.WriteString("/" + strings.Repeat("p", session.MaxSiteLen-site.Len()-1+r.Intn(3)))
	}
	s := site.String()
	if r.Intn(3) > 0 {
		s = session.NormalizeSite(s) // as the webhook does
	}
	var user []rune
	n := 1 + r.Intn(20)
	if r.Intn(8) == 0 {
		n = session.MaxUserIDLen - 1 + r.Intn(3) // near the bound (in runes; most are one byte)
	}
	for range n {
		switch {
		case messy && r.Intn(8) == 0:
			user = append(user, messyRunes[r.Intn(len(messyRunes))])
		case r.Intn(4) == 0:
			user = append(user, cleanRunes[r.Intn(len(cleanRunes))])
		default:
			user = append(user, rune('a'+r.Intn(26)))
		}
	}
	if r.Intn(20) == 0 {
		user = nil
	}
	return reflect.ValueOf(keyCase{session.Key{Site: s, UserID: string(user)}})
}

// checkOneRule is the property: a key passes Key.Validate exactly when its
// logout jobs pass Job.Validate, and then every such job survives the
// EventBridge payload (what the scheduler adapter's encodeJob writes, JSON)
// and fits in it.
func checkOneRule(t *testing.T, k session.Key, gen int64, attempt int) {
	t.Helper()
	job := session.Job{Site: k.Site, UserID: k.UserID, Generation: gen, Attempt: attempt}
	keyErr, jobErr := k.Validate(), job.Validate()
	if (keyErr == nil) != (jobErr == nil) {
		t.Fatalf("key %q/%q: Key.Validate says %v but Job.Validate says %v", k.Site, k.UserID, keyErr, jobErr)
	}
	if keyErr != nil {
		if !errors.Is(keyErr, session.ErrInvalidKey) || !errors.Is(jobErr, session.ErrInvalidJob) {
			t.Fatalf("refusals %v / %v do not wrap ErrInvalidKey / ErrInvalidJob", keyErr, jobErr)
		}
		return
	}
	payload, err := json.Marshal(job)
	if err != nil {
		t.Fatalf("encode %+v: %v", job, err)
	}
	if len(payload) > maxScheduleInput {
		t.Fatalf("payload of %d bytes, over EventBridge's %d", len(payload), maxScheduleInput)
	}
	back, err := eventbridge.ParseJob(payload)
	if err != nil || back != job {
		t.Fatalf("ParseJob(%s) = %+v, %v; want %+v", payload, back, err, job)
	}
}

// TestEveryValidKeyMakesAValidJob checks the property on generated keys
// (edge values of generation and attempt included), and that the generator
// really produces both kinds.
func TestEveryValidKeyMakesAValidJob(t *testing.T) {
	valid, total := 0, 0
	property := func(c keyCase, gen int64, attempt uint16) bool {
		total++
		if c.Validate() == nil {
			valid++
		}
		gens := []int64{1, 1<<53 - 1, 1 + (gen&(1<<62-1))%(1<<53-1)}
		for _, g := range gens {
			for _, a := range []int{0, 10000, int(attempt) % 10001} {
				checkOneRule(t, c.Key, g, a)
			}
		}
		return !t.Failed()
	}
	if err := quick.Check(property, &quick.Config{MaxCount: 3000}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d generated keys are valid", valid, total)
	if valid < total/5 || valid > total*4/5 {
		t.Fatalf("%d of %d generated keys are valid: the generator misses one side of the rule", valid, total)
	}
}

// FuzzKeyRule explores the same property beyond the generator.
func FuzzKeyRule(f *testing.F) {
	f.Add(site, "alice-id", int64(1), 0)
	f.Add("https://chat.example.com/sub", "zoë", int64(1<<53-1), 10000)
	f.Add("http://[::1]:3000", "a:b#c|d/e", int64(7), 3)
	f.Add(site, " ", int64(1), 0)
	f.Add("https://Chat.example.com/", "u", int64(1), 0)
	f.Add(site+"#x", "u", int64(1), 0)
	f.Add(site, "u\u2028", int64(1), 0)
	f.Fuzz(func(t *testing.T, s, user string, gen int64, attempt int) {
		if gen < 1 || attempt < 0 || attempt > 10000 {
			return // the property is about keys; Job.Validate's own numbers are tested elsewhere
		}
		checkOneRule(t, session.Key{Site: s, UserID: user}, gen, attempt)
		checkOneRule(t, session.Key{Site: session.NormalizeSite(s), UserID: user}, gen, attempt)
	})
}

// TestEveryStorableKeyGivesAValidLogoutJob runs the whole sign-in for
// generated keys: the service refuses, before any store call, each key that
// breaks the rule, and for each other one stores a session whose logout job
// passes Job.Validate, survives the EventBridge payload, and is pending in
// the scheduler at the session's end.
func TestEveryStorableKeyGivesAValidLogoutJob(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	store := f.counted()
	stored := 0
	property := func(c keyCase) bool {
		f.clock.Advance(session.LinkTTL) // a fresh link quota
		store.Reset()
		msgSeq++
		l, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: c.Key, UserName: "u", MessageID: fmt.Sprintf("m%d", msgSeq)})
		if c.Validate() != nil {
			if !errors.Is(err, session.ErrInvalidKey) || store.Total() != 0 {
				t.Errorf("invalid key %q/%q: StartLogin = %v with store calls %v", c.Site, c.UserID, err, store.Calls())
			}
			return !t.Failed()
		}
		if err != nil {
			t.Errorf("valid key %q/%q: StartLogin: %v", c.Site, c.UserID, err)
			return false
		}
		browser := "browser-" + l.ID
		authURL, err := f.svc.Authorize(ctx, l.ID, browser)
		if err != nil {
			t.Errorf("authorize: %v", err)
			return false
		}
		code, state := f.callback(t, authURL, "octocat")
		sess, err := f.svc.CompleteLogin(ctx, state, code, browser)
		if err != nil {
			t.Errorf("valid key %q/%q: CompleteLogin: %v", c.Site, c.UserID, err)
			return false
		}
		stored++
		got, err := f.db.GetSession(ctx, c.Key)
		if err != nil || got.Generation != sess.Generation {
			t.Errorf("stored session of %q/%q: %v", c.Site, c.UserID, err)
			return false
		}
		job := session.Job{Site: got.Site, UserID: got.UserID, Generation: got.Generation}
		checkOneRule(t, got.Key, got.Generation, 0)
		if at, ok, err := f.sched.Due(ctx, job); err != nil || !ok || !at.Equal(got.Ends) {
			t.Errorf("logout job of %q/%q: due %v %v %v", c.Site, c.UserID, at, ok, err)
		}
		return !t.Failed()
	}
	if err := quick.Check(property, &quick.Config{MaxCount: 150}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d sign-ins completed", stored)
	if stored < 20 {
		t.Fatalf("only %d sign-ins completed: the generator made too few valid keys", stored)
	}
}
