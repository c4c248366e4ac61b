package faults_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"rcgithub/infra/test/faults"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

const (
	clientID     = "Iv1.faults"
	clientSecret = "faults-client-secret"
	webhookToken = "faults-webhook-token-0123456789"
	site         = "https://chat.example.com"
	ttl          = 7 * 24 * time.Hour
	// githubTimeout is the GitHub client's timeout in these tests: short, so
	// that a stand-in told to stall makes the client give up quickly.
	githubTimeout = 500 * time.Millisecond
)

// world is one service, wired as in production on one backend, with its own
// GitHub and Rocket.Chat stand-ins, clock and fault injection. Every test case
// gets a fresh one.
type world struct {
	backend   string
	flow      *faults.Flow
	svc       *session.Service
	ports     *faults.Ports
	aws       *faults.AWSFaults // nil for the embedded backend
	gh        *githubtest.Server
	chat      *rocketchattest.Incoming
	clock     *sessiontest.Clock
	inspector faults.Inspector
	runDue    func(ctx context.Context) error
	// redrive plays an operator redriving the on-failure queue (AWS only).
	redrive func(ctx context.Context) error
	alice   rocketchattest.User
	bob     rocketchattest.User
	logs    *lockedBuffer
}

// lockedBuffer collects log lines from concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newServer starts an HTTP server whose handler is set later, so that the
// service can be wired with its own public URL.
func newServer(t *testing.T) (*httptest.Server, string) {
	srv := httptest.NewUnstartedServer(nil)
	return srv, "http://" + srv.Listener.Addr().String()
}

// finish fills in what both backends share and starts the server.
func (w *world) finish(t *testing.T, srv *httptest.Server, publicURL string, handler http.Handler) {
	srv.Config.Handler = handler
	srv.Start()
	t.Cleanup(srv.Close)
	w.flow = &faults.Flow{URL: publicURL, Authorize: w.gh.Authorize,
		Chat: &rocketchattest.Outgoing{URL: publicURL + "/rocketchat/webhook", Token: webhookToken, SiteURL: site + "/"}}
	// On failure, show what the service logged as going wrong.
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, line := range strings.Split(w.logs.String(), "\n") {
			if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"level":"WARN"`) {
				t.Logf("service log: %s", line)
			}
		}
	})
	suffix := randomSuffix()
	w.alice = rocketchattest.User{ID: "alice-" + suffix, Name: "alice"}
	w.bob = rocketchattest.User{ID: "bob-" + suffix, Name: "bob"}
}

func newStandIns(t *testing.T, publicURL string, clock *sessiontest.Clock) (*githubtest.Server, string, *rocketchattest.Incoming) {
	gh := githubtest.New(githubtest.Options{ClientID: clientID, ClientSecret: clientSecret,
		RedirectURLs: []string{publicURL + "/oauth/callback"}, Now: clock.Now})
	ghURL, stop := gh.Start()
	t.Cleanup(stop)
	chat := rocketchattest.NewIncoming()
	t.Cleanup(chat.Close)
	return gh, ghURL, chat
}

// keys and logins of the two users every case has.
func (w *world) key(u rocketchattest.User) session.Key { return session.Key{Site: site, UserID: u.ID} }

func ghLogin(u rocketchattest.User) string { return u.Name + "-gh" }

// live returns the generation and token of u's live session (0, "" if none),
// read from the store without fault injection.
func (w *world) live(t *testing.T, u rocketchattest.User) (int64, string, session.Session) {
	t.Helper()
	ctx := context.Background()
	s, err := w.inspector.Store.GetSession(ctx, w.key(u))
	if err != nil {
		return 0, "", session.Session{}
	}
	tok, err := w.inspector.Sealer.Open(ctx, w.key(u), s.SealedToken)
	if err != nil {
		t.Fatalf("open token of %s: %v", u.ID, err)
	}
	return s.Generation, string(tok), s
}

// login logs u in with no fault and fails the test unless it works.
func (w *world) login(t *testing.T, u rocketchattest.User) {
	t.Helper()
	out, err := w.flow.Login(context.Background(), u, ghLogin(u))
	if err != nil || !out.Has("Connected to GitHub as @"+ghLogin(u)+" until") {
		t.Fatalf("login of %s: %v %s", u.ID, err, out)
	}
}

// clearFaults ends every fault: injected, at the GitHub stand-in and at Rocket.Chat.
func (w *world) clearFaults() {
	w.ports.Reset()
	if w.aws != nil {
		w.aws.Reset()
	}
	for _, r := range []githubtest.Route{githubtest.RouteToken, githubtest.RouteUser, githubtest.RouteRevokeToken, githubtest.RouteRevokeGrant} {
		w.gh.ClearFault(r)
	}
	w.chat.SetDown(false)
}

// outage makes one of the service's dependencies fail every call: "store",
// "scheduler" or "sealer", which on AWS are DynamoDB, EventBridge Scheduler
// and KMS (every attempt answered 5xx, so the SDK gives up).
func (w *world) outage(dep string) {
	if w.aws == nil {
		w.ports.Set(faults.PortRule{Op: map[string]string{"store": "Store", "scheduler": "Scheduler", "sealer": "Sealer"}[dep], Effect: faults.Fail})
		return
	}
	w.aws.Set(faults.AWSRule{Op: map[string]string{"store": "DynamoDB", "scheduler": "Scheduler", "sealer": "KMS"}[dep], Kind: faults.ServerError})
}

// check asserts the three invariants.
func (w *world) check(t *testing.T, when string, want map[session.Key]int64, untracked int) faults.Report {
	t.Helper()
	rep, err := w.inspector.Check(context.Background(), faults.Scope{
		Keys: []session.Key{w.key(w.alice), w.key(w.bob)}, Logins: []string{ghLogin(w.alice), ghLogin(w.bob)},
		Want: want, Untracked: untracked,
	})
	if err != nil {
		t.Fatalf("%s: inspecting: %v", when, err)
	}
	for _, v := range rep.Violations {
		t.Errorf("%s: %s", when, v)
	}
	return rep
}

// recoverAll ends the faults and lets four hours pass in three steps, running
// the due jobs after each: revocation retries (due 1, 2, 4... minutes after a
// failure) and failed jobs (retried after 1, 2, 4... minutes) have run by then.
func (w *world) recoverAll(t *testing.T) {
	t.Helper()
	w.clearFaults()
	for _, step := range []time.Duration{10 * time.Minute, 50 * time.Minute, 3 * time.Hour} {
		w.clock.Advance(step)
		if err := w.runDue(context.Background()); err != nil {
			t.Fatalf("running due jobs after the faults: %v", err)
		}
	}
}

// dms returns the direct messages the service sent u through the incoming webhook.
func (w *world) dms(u rocketchattest.User) []string {
	var texts []string
	for _, m := range w.chat.MessagesTo("@" + u.ID) {
		texts = append(texts, m.Text)
	}
	return texts
}

// skipIfShort skips a slow test under -short (make check); make test runs it.
func skipIfShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("slow: make test runs it")
	}
}
