package sessiontest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"rcgithub/shared/session"
)

// StoreOptions tunes TestStore to what the backend under test can honour.
type StoreOptions struct {
	// Concurrent races goroutines against each other where the contract says
	// "only one caller wins". Set it false for a backend that does not serialise
	// concurrent conditional writes (moto): the same calls then run one after
	// another, which still checks that the second and later ones lose.
	Concurrent bool
}

// contenders is how many callers race for one record.
const contenders = 16

// storeTest is one rule of the Store contract, run on a fresh store.
type storeTest struct {
	name string
	run  func(t *testing.T, s session.Store, f *fixture, opts StoreOptions)
}

// TestStore checks that the stores newStore returns keep the contract of
// session.Store. newStore is called once per subtest and should register any
// cleanup with t.Cleanup.
func TestStore(t *testing.T, newStore func(t *testing.T) session.Store, opts StoreOptions) {
	var tests []storeTest
	tests = append(tests, linkTests...)
	tests = append(tests, pendingTests...)
	tests = append(tests, sessionTests...)
	tests = append(tests, updateTokenTests...)
	tests = append(tests, sessionRaceTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newStore(t), newFixture(t), opts)
		})
	}
}

var linkTests = []storeTest{
	{"links/round trip", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		l := f.link(f.key("u1"), "msg-1")
		got, err := s.CreateLink(ctx, l, unlimited)
		requireNoErr(t, "CreateLink", err)
		requireSame(t, "CreateLink returned", got, l)
		requireLink(t, s, "GetLink", l)
		// Reading does not use the link up.
		requireLink(t, s, "GetLink again", l)
	}},
	{"links/empty fields round trip", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		l := f.link(f.key("u1"), "msg-1")
		l.Trigger, l.Scopes = "", nil // a link from before trigger words and scopes were kept
		_, err := s.CreateLink(ctx, l, unlimited)
		requireNoErr(t, "CreateLink", err)
		requireLink(t, s, "GetLink", l)
		got, err := s.TakeLink(ctx, l.ID)
		requireNoErr(t, "TakeLink", err)
		requireSame(t, "TakeLink", got, l)
	}},
	{"links/unknown id", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		_, err := s.GetLink(ctx, f.id("nope"))
		requireErr(t, "GetLink", err, session.ErrNotFound)
		_, err = s.TakeLink(ctx, f.id("nope"))
		requireErr(t, "TakeLink", err, session.ErrNotFound)
	}},
	{"links/same message returns the first link", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		first := f.link(f.key("u1"), "msg-1")
		_, err := s.CreateLink(ctx, first, unlimited)
		requireNoErr(t, "CreateLink first", err)

		again := f.link(f.key("u1"), "msg-1") // a re-delivery: new id, later times
		again.Created, again.Expires = again.Created.Add(5), again.Expires.Add(5)
		got, err := s.CreateLink(ctx, again, unlimited)
		requireNoErr(t, "CreateLink again", err)
		requireSame(t, "CreateLink again returned", got, first)

		requireNoLink(t, s, "GetLink of the link not stored", again.ID)
		requireLink(t, s, "GetLink first", first)
	}},
	{"links/another message, user or site makes another link", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		links := []session.Link{
			f.link(f.key("u1"), "msg-1"),
			f.link(f.key("u1"), "msg-2"),
			f.link(f.key("u2"), "msg-1"), // never another user's link, whatever the message id
			f.link(session.Key{Site: f.otherSite(), UserID: "u1"}, "msg-1"),
		}
		// Parts that collide if an adapter joins site and message id naively.
		for _, sep := range separators {
			links = append(links,
				f.link(session.Key{Site: f.site + sep + "a", UserID: "u1"}, "b"),
				f.link(session.Key{Site: f.site, UserID: "u1"}, "a"+sep+"b"))
		}
		for _, l := range links {
			got, err := s.CreateLink(ctx, l, unlimited)
			requireNoErr(t, "CreateLink", err)
			requireSame(t, "CreateLink of a new message returned", got, l)
		}
		for _, l := range links {
			requireLink(t, s, "GetLink", l)
		}
	}},
	{"links/quota per user and window", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		window := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
		q := session.LinkQuota{Window: window, Max: 3}
		var made []session.Link
		for i := range q.Max {
			l := f.link(f.key("u1"), fmt.Sprintf("msg-%d", i))
			got, err := s.CreateLink(ctx, l, q)
			requireNoErr(t, "CreateLink within the quota", err)
			requireSame(t, "CreateLink within the quota", got, l)
			made = append(made, l)
		}
		over := f.link(f.key("u1"), "msg-over")
		_, err := s.CreateLink(ctx, over, q)
		requireErr(t, "CreateLink over the quota", err, session.ErrTooManyLinks)
		requireNoLink(t, s, "GetLink of a link refused by the quota", over.ID)
		// A re-delivery is not a new link: it gets its link back, quota or not.
		got, err := s.CreateLink(ctx, f.link(f.key("u1"), "msg-0"), q)
		requireNoErr(t, "CreateLink of a re-delivered message over the quota", err)
		requireSame(t, "CreateLink of a re-delivered message over the quota", got, made[0])
		// Other users, other sites and the next window have quotas of their own.
		for _, l := range []session.Link{f.link(f.key("u2"), "msg-over"), f.link(session.Key{Site: f.otherSite(), UserID: "u1"}, "msg-over")} {
			_, err := s.CreateLink(ctx, l, q)
			requireNoErr(t, "CreateLink by someone else", err)
		}
		next := session.LinkQuota{Window: window.Add(session.LinkTTL), Max: q.Max}
		_, err = s.CreateLink(ctx, over, next)
		requireNoErr(t, "CreateLink in the next window", err)
	}},
	{"links/taken once", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		l := f.link(f.key("u1"), "msg-1")
		other := f.link(f.key("u1"), "msg-2")
		for _, x := range []session.Link{l, other} {
			_, err := s.CreateLink(ctx, x, unlimited)
			requireNoErr(t, "CreateLink", err)
		}
		got, err := s.TakeLink(ctx, l.ID)
		requireNoErr(t, "TakeLink", err)
		requireSame(t, "TakeLink", got, l)
		requireNoLink(t, s, "GetLink of a taken link", l.ID)
		_, err = s.TakeLink(ctx, l.ID)
		requireErr(t, "TakeLink again", err, session.ErrNotFound)
		requireLink(t, s, "GetLink of another link", other)
	}},
	{"links/only one of many takers wins", func(t *testing.T, s session.Store, f *fixture, opts StoreOptions) {
		ctx := context.Background()
		l := f.link(f.key("u1"), "msg-1")
		_, err := s.CreateLink(ctx, l, unlimited)
		requireNoErr(t, "CreateLink", err)
		requireOneTakerWins(t, opts, "TakeLink", l, func() (session.Link, error) { return s.TakeLink(ctx, l.ID) })
	}},
	{"links/one link per message under concurrent creates", func(t *testing.T, s session.Store, f *fixture, opts StoreOptions) {
		ctx := context.Background()
		tried := make([]session.Link, contenders)
		got := make([]session.Link, contenders)
		for i := range tried {
			tried[i] = f.link(f.key("u1"), "msg-1")
		}
		errs := contend(opts.Concurrent, contenders, func(i int) (err error) {
			got[i], err = s.CreateLink(ctx, tried[i], unlimited)
			return err
		})
		var stored session.Link
		for i, err := range errs {
			requireNoErr(t, "CreateLink", err)
			if got[i].ID != got[0].ID {
				t.Fatalf("CreateLink of one message returned links %s and %s", got[0].ID, got[i].ID)
			}
			if tried[i].ID == got[0].ID {
				stored = tried[i]
			}
		}
		if stored.ID == "" {
			t.Fatalf("CreateLink returned %s, which no caller created", got[0].ID)
		}
		if !opts.Concurrent && stored.ID != tried[0].ID {
			t.Fatalf("CreateLink one at a time returned link %s, want the first one %s", stored.ID, tried[0].ID)
		}
		requireSame(t, "CreateLink returned", got[0], stored)
		for _, l := range tried {
			_, err := s.GetLink(ctx, l.ID)
			if l.ID == stored.ID {
				requireNoErr(t, "GetLink of the stored link", err)
			} else {
				requireErr(t, "GetLink of a link not stored", err, session.ErrNotFound)
			}
		}
	}},
}

var pendingTests = []storeTest{
	{"pending/round trip and taken once", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		p := f.pending(f.key("u1"))
		other := f.pending(f.key("u1"))
		requireNoErr(t, "PutPending", s.PutPending(ctx, p))
		requireNoErr(t, "PutPending other", s.PutPending(ctx, other))
		got, err := s.TakePending(ctx, p.State)
		requireNoErr(t, "TakePending", err)
		requireSame(t, "TakePending", got, p)
		_, err = s.TakePending(ctx, p.State)
		requireErr(t, "TakePending again", err, session.ErrNotFound)
		got, err = s.TakePending(ctx, other.State)
		requireNoErr(t, "TakePending other", err)
		requireSame(t, "TakePending other", got, other)
	}},
	{"pending/empty fields round trip", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		p := f.pending(f.key("u1"))
		p.Trigger, p.Scopes = "", nil // a sign-in from before trigger words and scopes were kept
		requireNoErr(t, "PutPending", s.PutPending(ctx, p))
		got, err := s.TakePending(ctx, p.State)
		requireNoErr(t, "TakePending", err)
		requireSame(t, "TakePending", got, p)
	}},
	{"pending/unknown state", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		_, err := s.TakePending(context.Background(), f.id("nope"))
		requireErr(t, "TakePending", err, session.ErrNotFound)
	}},
	{"pending/only one of many takers wins", func(t *testing.T, s session.Store, f *fixture, opts StoreOptions) {
		ctx := context.Background()
		p := f.pending(f.key("u1"))
		requireNoErr(t, "PutPending", s.PutPending(ctx, p))
		requireOneTakerWins(t, opts, "TakePending", p, func() (session.Pending, error) { return s.TakePending(ctx, p.State) })
	}},
}

// requireLink fails the test unless want is the link of its id.
func requireLink(t *testing.T, s session.Store, what string, want session.Link) {
	t.Helper()
	got, err := s.GetLink(context.Background(), want.ID)
	requireNoErr(t, what, err)
	requireSame(t, what, got, want)
}

// requireNoLink fails the test unless there is no link id.
func requireNoLink(t *testing.T, s session.Store, what, id string) {
	t.Helper()
	_, err := s.GetLink(context.Background(), id)
	requireErr(t, what, err, session.ErrNotFound)
}

// requireOneTakerWins has contenders call take at once (one at a time unless
// opts.Concurrent) and fails the test unless exactly one gets want and the
// others session.ErrNotFound.
func requireOneTakerWins[T session.Link | session.Pending](t *testing.T, opts StoreOptions, what string, want T, take func() (T, error)) {
	t.Helper()
	taken := make([]T, contenders)
	errs := contend(opts.Concurrent, contenders, func(i int) (err error) {
		taken[i], err = take()
		return err
	})
	w := requireOneWinner(t, what, errs, session.ErrNotFound)
	requireSame(t, what+" by the winner", taken[w], want)
}

// unlimited is a link quota the other tests do not reach.
var unlimited = session.LinkQuota{Window: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Max: 1 << 30}
