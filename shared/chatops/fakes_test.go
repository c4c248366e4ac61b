package chatops_test

import (
	"context"
	"sync"

	"rcgithub/shared/chatops"
	"rcgithub/shared/session"
)

// fakeSessions hands out one session's token, and records the 401s reported.
type fakeSessions struct {
	mu       sync.Mutex
	token    session.UserToken
	err      error // UserToken's error, when set
	rejected []int64
	// rejectErr is TokenRejected's answer; default session.ErrEndedAtGitHub.
	rejectErr error
}

func (f *fakeSessions) UserToken(_ context.Context, k session.Key) (session.UserToken, error) {
	if f.err != nil {
		return session.UserToken{}, f.err
	}
	if k != f.token.Key {
		return session.UserToken{}, session.ErrNotFound
	}
	return f.token, nil
}

func (f *fakeSessions) TokenRejected(_ context.Context, _ session.Key, gen int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejected = append(f.rejected, gen)
	if f.rejectErr != nil {
		return f.rejectErr
	}
	return session.ErrEndedAtGitHub
}

// fakeGitHub answers from its fields and counts the calls by name.
type fakeGitHub struct {
	mu      sync.Mutex
	calls   map[string]int
	token   string
	errs    map[string]error // by call name
	card    chatops.RepoCard
	items   []chatops.Item
	created chatops.Created
	// lastN, lastPublicOnly, lastQuery, lastTitle, lastBody record arguments.
	lastN          int
	lastPublicOnly bool
	lastQuery      string
	lastTitle      string
	lastBody       string
}

func (f *fakeGitHub) call(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[name]++
	return f.errs[name]
}

func (f *fakeGitHub) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func (f *fakeGitHub) Profile(_ context.Context, publicOnly bool) (chatops.Profile, error) {
	f.lastPublicOnly = publicOnly
	if err := f.call("Profile"); err != nil {
		return chatops.Profile{}, err
	}
	return chatops.Profile{Login: "octocat"}, nil
}

func (f *fakeGitHub) Repo(_ context.Context, r chatops.Repo) (chatops.RepoCard, error) {
	if err := f.call("Repo"); err != nil {
		return chatops.RepoCard{}, err
	}
	card := f.card
	card.Repo = r
	return card, nil
}

func (f *fakeGitHub) Issues(_ context.Context, _ chatops.Repo, n int) ([]chatops.Item, error) {
	f.lastN = n
	if err := f.call("Issues"); err != nil {
		return nil, err
	}
	return f.items, nil
}

func (f *fakeGitHub) Pulls(_ context.Context, _ chatops.Repo, n int) ([]chatops.Item, error) {
	f.lastN = n
	if err := f.call("Pulls"); err != nil {
		return nil, err
	}
	return f.items, nil
}

func (f *fakeGitHub) CreateIssue(_ context.Context, r chatops.Repo, title, body string) (chatops.Created, error) {
	f.lastTitle, f.lastBody = title, body
	if err := f.call("CreateIssue"); err != nil {
		return chatops.Created{}, err
	}
	c := f.created
	c.Repo = r
	return c, nil
}

func (f *fakeGitHub) Search(_ context.Context, query string, n int, publicOnly bool) (chatops.SearchResult, error) {
	f.lastQuery, f.lastN, f.lastPublicOnly = query, n, publicOnly
	if err := f.call("Search"); err != nil {
		return chatops.SearchResult{}, err
	}
	return chatops.SearchResult{Total: len(f.items), Items: f.items}, nil
}

// fakeClaims keeps claims in a map; fail makes the named call fail.
type fakeClaims struct {
	mu       sync.Mutex
	claims   map[string]chatops.Claim
	released int
	fail     map[string]error
}

func (f *fakeClaims) Claim(_ context.Context, c chatops.Claim) (chatops.Claim, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail["Claim"]; err != nil {
		return chatops.Claim{}, false, err
	}
	if f.claims == nil {
		f.claims = map[string]chatops.Claim{}
	}
	id := c.Site + "|" + c.UserID + "|" + c.MessageID
	if old, ok := f.claims[id]; ok {
		return old, false, nil
	}
	f.claims[id] = c
	return c, true, nil
}

func (f *fakeClaims) Complete(_ context.Context, k session.Key, messageID string, created chatops.Created) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail["Complete"]; err != nil {
		return err
	}
	id := k.Site + "|" + k.UserID + "|" + messageID
	c := f.claims[id]
	c.Created = created
	f.claims[id] = c
	return nil
}

func (f *fakeClaims) Release(_ context.Context, k session.Key, messageID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.released++
	if err := f.fail["Release"]; err != nil {
		return err
	}
	delete(f.claims, k.Site+"|"+k.UserID+"|"+messageID)
	return nil
}

func (f *fakeClaims) get(k session.Key, messageID string) (chatops.Claim, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.claims[k.Site+"|"+k.UserID+"|"+messageID]
	return c, ok
}
