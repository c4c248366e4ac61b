package sessiontest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"rcgithub/shared/session"
)

// base is the fixed time records are built around. Its nanoseconds catch
// adapters that keep less than full precision.
var base = time.Date(2030, 3, 4, 5, 6, 7, 123456789, time.UTC)

// india is a zone other than UTC, to catch adapters that format wall-clock time
// without its offset.
var india = time.FixedZone("IST", 5*3600+30*60)

// separators are the characters an adapter might join the parts of a key with.
var separators = []string{"#", "/", "|", ":"}

// fixture hands out records for one subtest, on a site no other subtest uses.
type fixture struct {
	t    *testing.T
	site string
}

func newFixture(t *testing.T) *fixture {
	return &fixture{t: t, site: "https://chat-" + randomHex(t, 6) + ".example.com"}
}

// otherSite is a second site, distinct from f.site.
func (f *fixture) otherSite() string { return f.site + "/other" }

func (f *fixture) key(user string) session.Key { return session.Key{Site: f.site, UserID: user} }

func (f *fixture) id(prefix string) string { return prefix + "-" + randomHex(f.t, 12) }

func (f *fixture) link(k session.Key, messageID string) session.Link {
	return session.Link{
		ID: f.id("link"), Key: k, UserName: "zoë.åström", MessageID: messageID, Trigger: "!gh",
		Scopes:  []string{"read:user", "repo", "public_repo"}, // in the order asked, not sorted
		Created: base, Expires: base.Add(session.LinkTTL).In(india),
	}
}

func (f *fixture) pending(k session.Key) session.Pending {
	return session.Pending{
		State: f.id("state"), Key: k, UserName: "zoë.åström",
		Verifier:    "verifier-" + randomHex(f.t, 24),
		BrowserHash: []byte{0x00, 0xff, 0x80, 0x7f, 0xc3, 0x28, 0x01, 0x02},
		Trigger:     "!gh",
		Scopes:      []string{"read:user", "public_repo"},
		Expires:     base.Add(session.LinkTTL + 3).In(india),
	}
}

// session builds a session of generation gen whose times and token differ by
// generation, so a store handing back the wrong generation is caught.
func (f *fixture) session(k session.Key, gen int64) session.Session {
	started := base.Add(time.Duration(gen%1000) * time.Hour).Add(time.Duration(gen % 997))
	return session.Session{
		Key: k, UserName: "zoë.åström", GitHubLogin: "octocat", GitHubID: 583231 + gen%1000,
		Scopes:      []string{"repo", "read:org"},
		AskedScopes: []string{"read:user", "repo"},
		SealedToken: append([]byte{0x00, 0xff, 0xfe, 0xc3, 0x28, 0x0a}, []byte(k.Site+"\x00"+k.UserID)...),
		// A GitHub App user token; "empty fields round trip" clears these.
		SealedRefresh:  append([]byte{0x01, 0x00, 0xff}, []byte(k.UserID)...),
		TokenExpires:   started.Add(8 * time.Hour).In(india),
		RefreshExpires: started.Add(183 * 24 * time.Hour),
		Started:        started,
		Ends:           started.Add(7 * 24 * time.Hour).In(india),
		Trigger:        "!gh",
		Generation:     gen,
	}
}

// Generations used by the suite. The largest is 2^53-1, the largest the service
// hands out.
const (
	gen1 int64 = 7
	gen2 int64 = 9007199254740991
	gen3 int64 = 424242
)

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}

// normalize puts a record in the form the suite compares: times in UTC (so
// equal instants compare equal) and empty slices as nil.
func normalize[T session.Link | session.Pending | session.Session](v T) T {
	switch r := any(&v).(type) {
	case *session.Link:
		r.Created, r.Expires = r.Created.UTC(), r.Expires.UTC()
		if len(r.Scopes) == 0 {
			r.Scopes = nil
		}
	case *session.Pending:
		r.Expires = r.Expires.UTC()
		if len(r.BrowserHash) == 0 {
			r.BrowserHash = nil
		}
		if len(r.Scopes) == 0 {
			r.Scopes = nil
		}
	case *session.Session:
		r.Started, r.Ends = r.Started.UTC(), r.Ends.UTC()
		r.TokenExpires, r.RefreshExpires = r.TokenExpires.UTC(), r.RefreshExpires.UTC()
		if len(r.SealedRefresh) == 0 {
			r.SealedRefresh = nil
		}
		if len(r.Scopes) == 0 {
			r.Scopes = nil
		}
		if len(r.AskedScopes) == 0 {
			r.AskedScopes = nil
		}
		if len(r.SealedToken) == 0 {
			r.SealedToken = nil
		}
	}
	return v
}

// requireSame fails the test unless got and want hold the same data.
func requireSame[T session.Link | session.Pending | session.Session](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// requireNoErr fails the test when err is not nil.
func requireNoErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// requireErr fails the test unless errors.Is(err, target).
func requireErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

// contend makes n calls of op: all at once from n goroutines when concurrent,
// else one after another, in order. It returns each call's error at its index.
func contend(concurrent bool, n int, op func(i int) error) []error {
	errs := make([]error, n)
	if !concurrent {
		for i := range n {
			errs[i] = op(i)
		}
		return errs
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start // release every caller at once, to make the race real
			errs[i] = op(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// requireOneWinner fails the test unless exactly one call succeeded and every
// other failed with one of the losing errors. It returns the winner's index.
func requireOneWinner(t *testing.T, what string, errs []error, losing ...error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("%s: calls %d and %d both succeeded; want exactly one", what, winner, i)
			}
			winner = i
			continue
		}
		lost := false
		for _, target := range losing {
			lost = lost || errors.Is(err, target)
		}
		if !lost {
			t.Fatalf("%s: call %d failed with %v; want one of %v", what, i, err, losing)
		}
	}
	if winner < 0 {
		t.Fatalf("%s: no call succeeded; want exactly one", what)
	}
	return winner
}
