package githubtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// floodPosts is the number of unauthenticated consent posts in the flood the
// security review sent to the local sandbox (30 MB grew to 410 MB).
const floodPosts = 20000

// TestAuthorizeFloodKeepsMemoryBounded posts consent answers, as anyone who
// can reach the sandbox can, and checks the stand-in keeps a bounded number
// of codes. The heap figures are logged (go test -run Flood -v), not
// asserted: they depend on the runtime.
func TestAuthorizeFloodKeepsMemoryBounded(t *testing.T) {
	e := newEnv(t, Options{})
	h := e.s.Handler()
	before := heapInUse()
	for i := range floodPosts {
		form := with(authorizeParams(), "decision", "authorize")
		form.Set("login", fmt.Sprintf("user-%d", i))
		// Long values, as a flood would send: a code must not keep them.
		form.Set("state", strings.Repeat("s", 4000))
		form.Set("scope", strings.Repeat(fmt.Sprintf("s%d ", i%7), 300))
		req := httptest.NewRequest(http.MethodPost, authorizePath, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusFound {
			t.Fatalf("post %d: status %d, want a redirect with a code", i, rec.Code)
		}
	}
	after := heapInUse()
	codes, tokens, refresh := e.s.entries()
	t.Logf("%d consent posts: heap in use %.1f MB before, %.1f MB after; kept %d codes, %d tokens, %d refresh tokens",
		floodPosts, mb(before), mb(after), codes, tokens, refresh)
	if codes > maxCodes {
		t.Errorf("%d codes kept after %d posts, want at most %d", codes, floodPosts, maxCodes)
	}
}

func TestAuthorizeRefusesLongScopeLists(t *testing.T) {
	e := newEnv(t, Options{})
	params := with(authorizeParams(), "scope", strings.Repeat("repo ", 201))
	resp, _ := e.get(t, authorizePath+"?"+params.Encode(), nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", resp.StatusCode)
	}
	if codes, _, _ := e.s.entries(); codes != 0 {
		t.Errorf("%d codes kept", codes)
	}
}

func TestCodesAreSweptAndCapped(t *testing.T) {
	e := newEnv(t, Options{})
	e.s.maxCodes = 5
	var first []string
	for range 3 {
		first = append(first, e.code(t, authorizeParams(), "mona"))
	}
	e.clock.Advance(codeLifetime + time.Second)
	fresh := e.code(t, authorizeParams(), "mona")
	if codes, _, _ := e.s.entries(); codes != 1 {
		t.Errorf("%d codes kept, want 1: the expired ones are swept", codes)
	}
	for range 10 {
		e.code(t, authorizeParams(), "mona")
	}
	if codes, _, _ := e.s.entries(); codes != 5 {
		t.Errorf("%d codes kept, want the cap of 5", codes)
	}
	// The oldest went first: the fresh code is gone, the newest works.
	newest := e.code(t, authorizeParams(), "mona")
	for _, c := range []struct {
		code string
		want bool
	}{{first[0], false}, {fresh, false}, {newest, true}} {
		_, _, fields := e.postToken(t, exchangeForm(c.code), "")
		if got := fields["access_token"] != ""; got != c.want {
			t.Errorf("exchange worked = %v, want %v (%v)", got, c.want, fields)
		}
	}
	if codes, _, _ := e.s.entries(); codes != 4 {
		t.Errorf("%d codes kept, want 4: exchanged codes are removed", codes)
	}
}

func TestTokenRecordsAreCapped(t *testing.T) {
	for _, app := range []bool{false, true} {
		t.Run(fmt.Sprintf("GitHubApp=%v", app), func(t *testing.T) {
			e := newEnv(t, Options{GitHubApp: app})
			e.s.maxTokens = 20
			revoked := e.s.IssueToken("early", "repo")
			e.s.RevokeAll("early")
			oldest := e.s.IssueToken("first", "repo")
			for i := range 100 {
				e.s.IssueToken(fmt.Sprintf("user-%d", i), "repo")
			}
			newest := e.s.IssueToken("last", "repo")
			_, tokens, refresh := e.s.entries()
			if tokens > 20 || refresh > 20 {
				t.Errorf("kept %d tokens and %d refresh tokens, want at most 20 each", tokens, refresh)
			}
			if e.s.TokenAlive(oldest) || !e.s.TokenAlive(newest) {
				t.Errorf("oldest alive = %v, newest alive = %v: want the oldest evicted", e.s.TokenAlive(oldest), e.s.TokenAlive(newest))
			}
			for _, r := range e.s.RevokedTokens() {
				if r == revoked {
					t.Error("a revoked record outlived working tokens")
				}
			}
		})
	}
}

func TestExpiredAppTokensGoFirst(t *testing.T) {
	e := newEnv(t, Options{GitHubApp: true})
	e.s.maxTokens = 3
	old := e.s.IssueToken("old", "repo")
	e.clock.Advance(refreshLifetime + time.Second) // token and refresh token expired
	a := e.s.IssueToken("a", "repo")
	b := e.s.IssueToken("b", "repo")
	c := e.s.IssueToken("c", "repo")
	if _, tokens, _ := e.s.entries(); tokens != 3 {
		t.Errorf("kept %d tokens, want 3", tokens)
	}
	for _, tok := range []string{a, b, c} {
		if !e.s.TokenAlive(tok) {
			t.Error("a working token was evicted before the dead one")
		}
	}
	e.s.mu.Lock()
	_, kept := e.s.tokens[old]
	e.s.mu.Unlock()
	if kept {
		t.Error("the dead token's record is still kept")
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

func TestExpiredAppTokensAreSwept(t *testing.T) {
	e := newEnv(t, Options{GitHubApp: true})
	e.s.IssueToken("old", "repo")
	e.clock.Advance(appTokenLifetime + time.Second) // expired, refreshable
	refreshable := e.s.IssueToken("a", "repo")
	if _, tokens, _ := e.s.entries(); tokens != 2 {
		t.Fatalf("kept %d tokens, want 2: an expired token that can be refreshed stays", tokens)
	}
	e.clock.Advance(refreshLifetime)
	e.s.IssueToken("b", "repo")
	if _, tokens, refresh := e.s.entries(); tokens != 1 || refresh != 1 {
		t.Errorf("kept %d tokens, %d refresh tokens; want 1 each: expired ones are swept", tokens, refresh)
	}
	if e.s.TokenAlive(refreshable) {
		t.Error("an expired token works")
	}
}
