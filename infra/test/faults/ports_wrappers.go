package faults

import (
	"context"
	"time"

	"rcgithub/shared/session"
)

// The wrappers below route every port method through Ports.call. The Store
// wrapper embeds the store it wraps only so that it keeps compiling if the
// interface grows; every method of today's interface is listed.

type faultyStore struct {
	p *Ports
	session.Store
}

func (s faultyStore) CreateLink(ctx context.Context, l session.Link, q session.LinkQuota) (session.Link, error) {
	return call(s.p, "Store.CreateLink", func() (session.Link, error) { return s.Store.CreateLink(ctx, l, q) })
}

func (s faultyStore) GetLink(ctx context.Context, id string) (session.Link, error) {
	return call(s.p, "Store.GetLink", func() (session.Link, error) { return s.Store.GetLink(ctx, id) })
}

func (s faultyStore) TakeLink(ctx context.Context, id string) (session.Link, error) {
	return call(s.p, "Store.TakeLink", func() (session.Link, error) { return s.Store.TakeLink(ctx, id) })
}

func (s faultyStore) PutPending(ctx context.Context, pd session.Pending) error {
	return call0(s.p, "Store.PutPending", func() error { return s.Store.PutPending(ctx, pd) })
}

func (s faultyStore) TakePending(ctx context.Context, state string) (session.Pending, error) {
	return call(s.p, "Store.TakePending", func() (session.Pending, error) { return s.Store.TakePending(ctx, state) })
}

func (s faultyStore) GetSession(ctx context.Context, k session.Key) (session.Session, error) {
	return call(s.p, "Store.GetSession", func() (session.Session, error) { return s.Store.GetSession(ctx, k) })
}

func (s faultyStore) PutSession(ctx context.Context, sess session.Session, prev int64) error {
	s.p.noteGeneration(sess.Key, sess.Generation)
	return call0(s.p, "Store.PutSession", func() error { return s.Store.PutSession(ctx, sess, prev) })
}

func (s faultyStore) RetireSession(ctx context.Context, k session.Key, gen int64) (session.Session, error) {
	return call(s.p, "Store.RetireSession", func() (session.Session, error) { return s.Store.RetireSession(ctx, k, gen) })
}

func (s faultyStore) PutRetired(ctx context.Context, sess session.Session) error {
	s.p.noteGeneration(sess.Key, sess.Generation)
	return call0(s.p, "Store.PutRetired", func() error { return s.Store.PutRetired(ctx, sess) })
}

func (s faultyStore) GetRetired(ctx context.Context, k session.Key, gen int64) (session.Session, error) {
	return call(s.p, "Store.GetRetired", func() (session.Session, error) { return s.Store.GetRetired(ctx, k, gen) })
}

func (s faultyStore) DeleteRetired(ctx context.Context, k session.Key, gen int64) error {
	return call0(s.p, "Store.DeleteRetired", func() error { return s.Store.DeleteRetired(ctx, k, gen) })
}

func (s faultyStore) UpdateToken(ctx context.Context, k session.Key, gen int64, sealedToken, sealedRefresh []byte,
	tokenExpires, refreshExpires time.Time) error {
	return call0(s.p, "Store.UpdateToken", func() error {
		return s.Store.UpdateToken(ctx, k, gen, sealedToken, sealedRefresh, tokenExpires, refreshExpires)
	})
}

type faultyScheduler struct{ p *Ports }

func (s faultyScheduler) Schedule(ctx context.Context, job session.Job, at time.Time) error {
	s.p.noteJob(job)
	return call0(s.p, "Scheduler.Schedule", func() error { return s.p.scheduler.Schedule(ctx, job, at) })
}

func (s faultyScheduler) Cancel(ctx context.Context, job session.Job) error {
	return call0(s.p, "Scheduler.Cancel", func() error { return s.p.scheduler.Cancel(ctx, job) })
}

type faultySealer struct{ p *Ports }

func (s faultySealer) Seal(ctx context.Context, k session.Key, plaintext []byte) ([]byte, error) {
	return call(s.p, "Sealer.Seal", func() ([]byte, error) { return s.p.sealer.Seal(ctx, k, plaintext) })
}

func (s faultySealer) Open(ctx context.Context, k session.Key, sealed []byte) ([]byte, error) {
	return call(s.p, "Sealer.Open", func() ([]byte, error) { return s.p.sealer.Open(ctx, k, sealed) })
}

type faultyGitHub struct{ p *Ports }

func (g faultyGitHub) AuthCodeURL(state, verifier string, scopes []string) string {
	return g.p.github.AuthCodeURL(state, verifier, scopes)
}

func (g faultyGitHub) Exchange(ctx context.Context, code, verifier string) (session.Token, error) {
	return call(g.p, "GitHub.Exchange", func() (session.Token, error) { return g.p.github.Exchange(ctx, code, verifier) })
}

func (g faultyGitHub) Refresh(ctx context.Context, refreshToken string) (session.Token, error) {
	return call(g.p, "GitHub.Refresh", func() (session.Token, error) { return g.p.github.Refresh(ctx, refreshToken) })
}

func (g faultyGitHub) User(ctx context.Context, token string) (session.User, error) {
	return call(g.p, "GitHub.User", func() (session.User, error) { return g.p.github.User(ctx, token) })
}

func (g faultyGitHub) Revoke(ctx context.Context, token string) error {
	return call0(g.p, "GitHub.Revoke", func() error { return g.p.github.Revoke(ctx, token) })
}
