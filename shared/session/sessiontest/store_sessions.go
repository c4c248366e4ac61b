package sessiontest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"rcgithub/shared/session"
)

var sessionTests = []storeTest{
	{"sessions/none yet", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		_, err := s.GetSession(ctx, k)
		requireErr(t, "GetSession", err, session.ErrNotFound)
		_, err = s.RetireSession(ctx, k, gen1)
		requireErr(t, "RetireSession", err, session.ErrNotFound)
		requireNotRetired(t, s, "GetRetired", k, gen1)
		requireNoErr(t, "DeleteRetired", s.DeleteRetired(ctx, k, gen1))
	}},
	{"sessions/first put", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		s1 := f.session(f.key("u1"), gen1)
		requireNoErr(t, "PutSession", s.PutSession(ctx, s1, 0))
		got, err := s.GetSession(ctx, s1.Key)
		requireNoErr(t, "GetSession", err)
		requireSame(t, "GetSession", got, s1)
		requireNotRetired(t, s, "GetRetired of the live generation", s1.Key, gen1)
	}},
	{"sessions/empty fields round trip", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		s1 := f.session(f.key("u1"), gen1)
		s1.Scopes, s1.UserName, s1.Trigger = nil, "", "" // a GitHub App token has no scopes; a login from before trigger words were kept
		s1.AskedScopes = nil                             // a GitHub App token, or a login from before asked scopes were kept
		// An OAuth App token has no refresh token and does not expire.
		s1.SealedRefresh, s1.TokenExpires, s1.RefreshExpires = nil, time.Time{}, time.Time{}
		requireNoErr(t, "PutSession", s.PutSession(ctx, s1, 0))
		got, err := s.GetSession(ctx, s1.Key)
		requireNoErr(t, "GetSession", err)
		requireSame(t, "GetSession", got, s1)
	}},
	{"sessions/put with prev 0 while one is live conflicts", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		s1, s2 := f.session(f.key("u1"), gen1), f.session(f.key("u1"), gen2)
		requireNoErr(t, "PutSession", s.PutSession(ctx, s1, 0))
		requireErr(t, "PutSession with prev 0", s.PutSession(ctx, s2, 0), session.ErrConflict)
		requireUnchanged(t, s, s1)
		requireNotRetired(t, s, "GetRetired of the losing generation", s1.Key, gen2)
	}},
	{"sessions/put with a wrong prev conflicts", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		s1, s2 := f.session(k, gen1), f.session(k, gen2)

		requireErr(t, "PutSession with prev while none is live", s.PutSession(ctx, s1, gen3), session.ErrConflict)
		_, err := s.GetSession(ctx, k)
		requireErr(t, "GetSession after the conflict", err, session.ErrNotFound)

		requireNoErr(t, "PutSession", s.PutSession(ctx, s1, 0))
		requireErr(t, "PutSession with a wrong prev", s.PutSession(ctx, s2, gen3), session.ErrConflict)
		requireUnchanged(t, s, s1)
		requireNotRetired(t, s, "GetRetired of the losing generation", k, gen2)
	}},
	{"sessions/replacing keeps the old one retired", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		s1, s2 := f.session(k, gen1), f.session(k, gen2)
		requireNoErr(t, "PutSession first", s.PutSession(ctx, s1, 0))
		requireNoErr(t, "PutSession replacing", s.PutSession(ctx, s2, gen1))
		got, err := s.GetSession(ctx, k)
		requireNoErr(t, "GetSession", err)
		requireSame(t, "GetSession", got, s2)
		requireRetired(t, s, "GetRetired of the replaced one", s1)
		requireNotRetired(t, s, "GetRetired of the live generation", k, gen2)
	}},
	{"sessions/retire", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		s1, s2 := f.session(k, gen1), f.session(k, gen2)
		requireNoErr(t, "PutSession", s.PutSession(ctx, s1, 0))

		_, err := s.RetireSession(ctx, k, gen2)
		requireErr(t, "RetireSession of another generation", err, session.ErrConflict)
		requireUnchanged(t, s, s1)

		got, err := s.RetireSession(ctx, k, gen1)
		requireNoErr(t, "RetireSession", err)
		requireSame(t, "RetireSession returned", got, s1)
		_, err = s.GetSession(ctx, k)
		requireErr(t, "GetSession after retiring", err, session.ErrNotFound)
		requireRetired(t, s, "GetRetired", s1)
		_, err = s.RetireSession(ctx, k, gen1)
		requireErr(t, "RetireSession again", err, session.ErrNotFound)

		// With none live, the next login puts with prev 0.
		requireNoErr(t, "PutSession after retiring", s.PutSession(ctx, s2, 0))
		requireUnchanged(t, s, s2)
		requireRetired(t, s, "GetRetired after the next login", s1)
	}},
	{"sessions/delete retired", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		s1, s2 := f.session(k, gen1), f.session(k, gen2)
		requireNoErr(t, "PutSession first", s.PutSession(ctx, s1, 0))
		requireNoErr(t, "PutSession replacing", s.PutSession(ctx, s2, gen1))

		requireNoErr(t, "DeleteRetired", s.DeleteRetired(ctx, k, gen1))
		requireNotRetired(t, s, "GetRetired after DeleteRetired", k, gen1)
		requireNoErr(t, "DeleteRetired again", s.DeleteRetired(ctx, k, gen1))

		// The live session is not a retired one: deleting its generation leaves it.
		requireNoErr(t, "DeleteRetired of the live generation", s.DeleteRetired(ctx, k, gen2))
		requireUnchanged(t, s, s2)
	}},
	{"sessions/put retired leaves the live session alone", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		live, orphan := f.session(k, gen1), f.session(k, gen2)
		requireNoErr(t, "PutSession", s.PutSession(ctx, live, 0))
		requireNoErr(t, "PutRetired", s.PutRetired(ctx, orphan))
		requireRetired(t, s, "GetRetired of the put one", orphan)
		requireUnchanged(t, s, live)
		requireNoErr(t, "DeleteRetired", s.DeleteRetired(ctx, k, gen2))
		requireUnchanged(t, s, live)
	}},
	{"sessions/retired generations coexist", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		s1, s2, s3 := f.session(k, gen1), f.session(k, gen2), f.session(k, gen3)
		requireNoErr(t, "PutSession 1", s.PutSession(ctx, s1, 0))
		requireNoErr(t, "PutSession 2", s.PutSession(ctx, s2, gen1))
		requireNoErr(t, "PutSession 3", s.PutSession(ctx, s3, gen2))
		_, err := s.RetireSession(ctx, k, gen3)
		requireNoErr(t, "RetireSession 3", err)
		for _, want := range []session.Session{s1, s2, s3} {
			requireRetired(t, s, "GetRetired", want)
		}
		requireNoErr(t, "DeleteRetired 2", s.DeleteRetired(ctx, k, gen2))
		requireNotRetired(t, s, "GetRetired of the deleted one", k, gen2)
		for _, want := range []session.Session{s1, s3} {
			requireRetired(t, s, "GetRetired of the others", want)
		}
	}},
	{"sessions/keys are isolated", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		neighbours := []session.Key{f.key("u2"), {Site: f.otherSite(), UserID: "u1"}}
		// Keys that collide if an adapter joins site and user id naively.
		for _, sep := range separators {
			neighbours = append(neighbours,
				session.Key{Site: f.site + sep + "u1", UserID: "x"},
				session.Key{Site: f.site, UserID: "u1" + sep + "x"})
		}
		// Every neighbour has a live session and a retired one, of the same
		// generations as k's.
		var live []session.Session
		for _, n := range neighbours {
			requireNoErr(t, "PutSession of a neighbour", s.PutSession(ctx, f.session(n, gen1), 0))
			requireNoErr(t, "PutSession of a neighbour", s.PutSession(ctx, f.session(n, gen2), gen1))
			live = append(live, f.session(n, gen2))
		}

		requireNoErr(t, "PutSession", s.PutSession(ctx, f.session(k, gen1), 0))
		requireNoErr(t, "PutSession replacing", s.PutSession(ctx, f.session(k, gen2), gen1))
		_, err := s.RetireSession(ctx, k, gen2)
		requireNoErr(t, "RetireSession", err)
		requireNoErr(t, "DeleteRetired", s.DeleteRetired(ctx, k, gen1))
		requireNoErr(t, "DeleteRetired", s.DeleteRetired(ctx, k, gen2))

		for i, n := range neighbours {
			requireUnchanged(t, s, live[i])
			requireRetired(t, s, "GetRetired of a neighbour", f.session(n, gen1))
		}
	}},
}

var updateTokenTests = []storeTest{
	{"sessions/update token keeps the rest", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		s1 := f.session(k, gen1)
		requireNoErr(t, "PutSession", s.PutSession(ctx, s1, 0))
		want := s1
		want.SealedToken = []byte{0xff, 0x00, 'n', 'e', 'w'}
		want.SealedRefresh = []byte{0xfe, 0x00, 'r', 'e', 'f'}
		want.TokenExpires = s1.TokenExpires.Add(9*time.Hour + 7)
		want.RefreshExpires = s1.RefreshExpires.Add(9*time.Hour + 3)
		requireNoErr(t, "UpdateToken", s.UpdateToken(ctx, k, gen1,
			want.SealedToken, want.SealedRefresh, want.TokenExpires, want.RefreshExpires))
		requireUnchanged(t, s, want)
		requireNotRetired(t, s, "GetRetired after UpdateToken", k, gen1)

		// Back to a token without refresh or expiry: the fields are cleared.
		plain := want
		plain.SealedToken, plain.SealedRefresh = []byte("plain"), nil
		plain.TokenExpires, plain.RefreshExpires = time.Time{}, time.Time{}
		requireNoErr(t, "UpdateToken without refresh", s.UpdateToken(ctx, k, gen1, plain.SealedToken, nil, time.Time{}, time.Time{}))
		requireUnchanged(t, s, plain)
	}},
	{"sessions/update token is conditional on the generation", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		at := f.session(k, gen1).TokenExpires
		requireErr(t, "UpdateToken with none live", s.UpdateToken(ctx, k, gen1, []byte("x"), []byte("y"), at, at), session.ErrNotFound)
		_, err := s.GetSession(ctx, k)
		requireErr(t, "GetSession after a refused UpdateToken", err, session.ErrNotFound)

		s1, s2 := f.session(k, gen1), f.session(k, gen2)
		requireNoErr(t, "PutSession", s.PutSession(ctx, s1, 0))
		requireNoErr(t, "PutSession replacing", s.PutSession(ctx, s2, gen1))
		requireErr(t, "UpdateToken of the replaced generation",
			s.UpdateToken(ctx, k, gen1, []byte("x"), []byte("y"), at, at), session.ErrConflict)
		requireUnchanged(t, s, s2)
		requireRetired(t, s, "GetRetired of the replaced one", s1)

		_, err = s.RetireSession(ctx, k, gen2)
		requireNoErr(t, "RetireSession", err)
		requireErr(t, "UpdateToken of a retired session",
			s.UpdateToken(ctx, k, gen2, []byte("x"), []byte("y"), at, at), session.ErrNotFound)
		requireRetired(t, s, "GetRetired", s2)
	}},
	{"sessions/update token leaves neighbours alone", func(t *testing.T, s session.Store, f *fixture, _ StoreOptions) {
		ctx := context.Background()
		k, n := f.key("u1"), f.key("u2")
		s1, other := f.session(k, gen1), f.session(n, gen1)
		requireNoErr(t, "PutSession", s.PutSession(ctx, s1, 0))
		requireNoErr(t, "PutSession of a neighbour", s.PutSession(ctx, other, 0))
		requireNoErr(t, "UpdateToken", s.UpdateToken(ctx, k, gen1, []byte("new"), []byte("ref"), s1.TokenExpires, s1.RefreshExpires))
		requireUnchanged(t, s, other)
		got, err := s.GetSession(ctx, k)
		requireNoErr(t, "GetSession", err)
		if !bytes.Equal(got.SealedToken, []byte("new")) {
			t.Fatalf("GetSession after UpdateToken: sealed token not replaced")
		}
	}},
}

// requireUnchanged fails the test unless want is the live session of its key.
func requireUnchanged(t *testing.T, s session.Store, want session.Session) {
	t.Helper()
	got, err := s.GetSession(context.Background(), want.Key)
	requireNoErr(t, "GetSession of "+want.UserID+" on "+want.Site, err)
	requireSame(t, "GetSession of "+want.UserID+" on "+want.Site, got, want)
}

// requireRetired fails the test unless want is the retired session of its key
// and generation.
func requireRetired(t *testing.T, s session.Store, what string, want session.Session) {
	t.Helper()
	got, err := s.GetRetired(context.Background(), want.Key, want.Generation)
	requireNoErr(t, what, err)
	requireSame(t, what, got, want)
}

// requireNotRetired fails the test unless k has no retired session of
// generation gen.
func requireNotRetired(t *testing.T, s session.Store, what string, k session.Key, gen int64) {
	t.Helper()
	_, err := s.GetRetired(context.Background(), k, gen)
	requireErr(t, what, err, session.ErrNotFound)
}

// requireOnePutWins puts contenders sessions of k, each of its own
// generation, over generation prev (0: none) at once, or one at a time unless
// opts.Concurrent, and fails unless exactly one wins and is live unchanged and
// no contender was kept as retired.
func requireOnePutWins(t *testing.T, s session.Store, f *fixture, opts StoreOptions, k session.Key, prev int64) {
	t.Helper()
	ctx := context.Background()
	tried := make([]session.Session, contenders)
	for i := range tried {
		tried[i] = f.session(k, int64(1000+i))
	}
	errs := contend(opts.Concurrent, contenders, func(i int) error {
		return s.PutSession(ctx, tried[i], prev)
	})
	w := requireOneWinner(t, fmt.Sprintf("PutSession with prev %d", prev), errs, session.ErrConflict)
	requireUnchanged(t, s, tried[w])
	for _, c := range tried {
		requireNotRetired(t, s, "GetRetired of a contender", k, c.Generation)
	}
}

var sessionRaceTests = []storeTest{
	{"sessions/only one of many first logins wins", func(t *testing.T, s session.Store, f *fixture, opts StoreOptions) {
		requireOnePutWins(t, s, f, opts, f.key("u1"), 0)
	}},
	{"sessions/only one of many replacements wins", func(t *testing.T, s session.Store, f *fixture, opts StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		s1 := f.session(k, gen1)
		requireNoErr(t, "PutSession", s.PutSession(ctx, s1, 0))
		requireOnePutWins(t, s, f, opts, k, gen1)
		requireRetired(t, s, "GetRetired of the replaced one", s1)
	}},
	{"sessions/only one of many retirements wins", func(t *testing.T, s session.Store, f *fixture, opts StoreOptions) {
		ctx := context.Background()
		k := f.key("u1")
		s1 := f.session(k, gen1)
		requireNoErr(t, "PutSession", s.PutSession(ctx, s1, 0))
		retired := make([]session.Session, contenders)
		errs := contend(opts.Concurrent, contenders, func(i int) (err error) {
			retired[i], err = s.RetireSession(ctx, k, gen1)
			return err
		})
		// One at a time, the losers find nothing live. Racing, a loser may also
		// have seen the session before it went; ErrConflict tells it as much.
		losing := []error{session.ErrNotFound}
		if opts.Concurrent {
			losing = append(losing, session.ErrConflict)
		}
		w := requireOneWinner(t, "RetireSession", errs, losing...)
		requireSame(t, "RetireSession by the winner", retired[w], s1)
		_, err := s.GetSession(ctx, k)
		requireErr(t, "GetSession after retiring", err, session.ErrNotFound)
		requireRetired(t, s, "GetRetired", s1)
	}},
}
