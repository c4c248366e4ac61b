package github

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	gogithub "github.com/google/go-github/v84/github"

	"rcgithub/shared/session"
)

// maxBody bounds how much of an answer is read; /user is a few kilobytes.
const maxBody = 1 << 20

// User reads the token's account from GET /user (go-github's Users.Get). A
// 401 means GitHub no longer accepts the token and comes back wrapping
// session.ErrTokenDead.
func (c *Client) User(ctx context.Context, token string) (session.User, error) {
	gh, err := c.restClient(token)
	if err != nil {
		return session.User{}, fmt.Errorf("github GET /user: %w", err)
	}
	u, resp, err := gh.Users.Get(ctx, "")
	switch {
	case err == nil:
	case resp != nil && resp.StatusCode == http.StatusUnauthorized:
		return session.User{}, fmt.Errorf("github GET /user: %w", session.ErrTokenDead)
	case resp != nil && resp.StatusCode == http.StatusOK:
		return session.User{}, fmt.Errorf("github GET /user: decoding answer: %w", err)
	default:
		// go-github's errors name the method, URL and status, never the token.
		return session.User{}, fmt.Errorf("github GET /user: %w", err)
	}
	if u.GetLogin() == "" || u.GetID() == 0 {
		return session.User{}, fmt.Errorf("github GET /user: answer lacks login or id")
	}
	return session.User{Login: u.GetLogin(), ID: u.GetID(), Scopes: headerScopes(resp.Header)}, nil
}

// restClient returns a go-github client acting with token against the
// configured API URL, kept as given (with the trailing slash go-github
// needs), so that Enterprise Server's /api/v3 and the sandbox's mount path
// both work.
func (c *Client) restClient(token string) (*gogithub.Client, error) {
	base, err := url.Parse(c.apiURL + "/")
	if err != nil {
		return nil, fmt.Errorf("API URL: %w", err)
	}
	hc := *c.http
	hc.Transport = apiTransport{base: hc.Transport}
	gh := gogithub.NewClient(&hc).WithAuthToken(token)
	gh.BaseURL = base
	gh.UserAgent = "rcgithub"
	return gh, nil
}

// apiTransport asks for GitHub's current media type (go-github still names
// the older v3 one) and bounds what is read of an answer.
type apiTransport struct{ base http.RoundTripper }

func (t apiTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	req = req.Clone(req.Context())
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = limitedBody{Reader: io.LimitReader(resp.Body, maxBody), Closer: resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	io.Closer
}

// headerScopes reads X-OAuth-Scopes ("repo, read:org"). GitHub sends it for
// OAuth App tokens only, so absent means nil, and present but empty means an
// empty list (a token with no scopes).
func headerScopes(h http.Header) []string {
	values := h.Values("X-OAuth-Scopes")
	if len(values) == 0 {
		return nil
	}
	return parseScopes(values[0])
}

// newAPIRequest builds a REST API request with the headers GitHub asks for.
func (c *Client) newAPIRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.apiURL+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", apiVersion)
	return req, nil
}

// drainAndClose reads what is left of a small answer so the connection can be
// reused, then closes it.
func drainAndClose(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
}
