package faults

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"rcgithub/shared/rocketchattest"
)

// Flow drives the service over HTTP as Rocket.Chat and a person's browser do.
type Flow struct {
	URL  string                   // the service's public URL
	Chat *rocketchattest.Outgoing // sends the outgoing-webhook messages
	// Authorize plays GitHub's consent page: given GitHub's authorize URL and
	// the login to sign in as, it returns where GitHub sends the browser back.
	// githubtest.Server.Authorize fits.
	Authorize func(authorizeURL, login string) (string, error)
	// Timeout bounds each browser request; default 20 s.
	Timeout time.Duration
}

// Step names where a flow ended.
type Step string

// The steps of a login, in order.
const (
	StepWebhook  Step = "webhook"   // the answer to a chat command
	StepLinkPage Step = "link page" // GET /oauth/start
	StepContinue Step = "continue"  // POST /oauth/start
	StepCallback Step = "callback"  // GET /oauth/callback
)

// Outcome is what the person saw where the flow ended.
type Outcome struct {
	Step    Step
	Status  int    // HTTP status; 200 for a chat answer
	Text    string // the direct message or the page
	Aborted bool   // the connection broke without an answer
}

func (o Outcome) String() string {
	if o.Aborted {
		return string(o.Step) + ": connection broken, no answer"
	}
	text := o.Text
	if i := strings.Index(text, "<body>"); i >= 0 {
		text = text[i+len("<body>"):]
	}
	// A login link is a credential for ten minutes: never in test output.
	text = linkPattern.ReplaceAllString(text, "<login link>")
	if len(text) > 300 {
		text = text[:300] + "..."
	}
	return fmt.Sprintf("%s %d: %s", o.Step, o.Status, text)
}

// Has reports whether the text the person saw contains s.
func (o Outcome) Has(s string) bool { return strings.Contains(o.Text, s) }

var linkPattern = regexp.MustCompile(`https?://\S+/oauth/start\?link=([A-Za-z0-9_-]+)`)

// Say sends text as u and returns the direct message the service answered.
// A dropped connection is an Outcome with Aborted set; an answer Rocket.Chat
// would not post privately is an error.
func (f *Flow) Say(ctx context.Context, u rocketchattest.User, text string) (Outcome, error) {
	d, err := f.Chat.Send(ctx, f.Chat.Message(u, text))
	if err != nil {
		return Outcome{Step: StepWebhook, Aborted: true}, nil
	}
	if d.Posted == nil {
		return Outcome{}, fmt.Errorf("%q: the answer (%d %s) is not posted by Rocket.Chat", text, d.Status, d.Body)
	}
	if d.Posted.Channel != "@"+u.Name || d.Posted.ParseURLs == nil || *d.Posted.ParseURLs {
		return Outcome{}, fmt.Errorf("%q: the answer is not a private message without previews: %+v", text, d.Posted)
	}
	return Outcome{Step: StepWebhook, Status: d.Status, Text: d.Posted.Text}, nil
}

// Login walks the whole login of u as GitHub user ghLogin: the chat command,
// the link page, its button, GitHub's consent, the callback. It returns what
// the person saw where the flow ended; an error only when something other
// than the service misbehaved.
func (f *Flow) Login(ctx context.Context, u rocketchattest.User, ghLogin string) (Outcome, error) {
	out, err := f.Say(ctx, u, "/github login")
	if err != nil || out.Aborted {
		return out, err
	}
	m := linkPattern.FindStringSubmatch(out.Text)
	if m == nil {
		return out, nil // no link: the answer says why
	}
	b := f.browser()
	if out = b.do(ctx, StepLinkPage, http.MethodGet, m[0], nil); out.Aborted || out.Status != http.StatusOK {
		return out, nil
	}
	form := url.Values{"link": {m[1]}}
	out = b.do(ctx, StepContinue, http.MethodPost, f.URL+"/oauth/start", form)
	if out.Aborted || out.Status != http.StatusSeeOther {
		return out, nil
	}
	callback, err := f.Authorize(b.location, ghLogin)
	if err != nil {
		return Outcome{}, fmt.Errorf("GitHub's consent page: %w", err)
	}
	return b.do(ctx, StepCallback, http.MethodGet, callback, nil), nil
}

// browser keeps cookies and does not follow redirects.
type browser struct {
	client   *http.Client
	location string // the Location of the last answer
}

func (f *Flow) browser() *browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	timeout := f.Timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	// A connection per request: Go's client (like a browser) silently sends a
	// GET again when a reused connection breaks before the answer, which
	// would hide a server that died.
	return &browser{client: &http.Client{Jar: jar, Timeout: timeout,
		Transport:     &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(ctx context.Context, step Step, method, target string, form url.Values) Outcome {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return Outcome{Step: step, Aborted: true, Text: err.Error()}
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return Outcome{Step: step, Aborted: true}
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil && !errors.Is(err, io.EOF) {
		return Outcome{Step: step, Aborted: true}
	}
	b.location = resp.Header.Get("Location")
	return Outcome{Step: step, Status: resp.StatusCode, Text: string(page)}
}
