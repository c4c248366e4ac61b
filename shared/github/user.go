package github

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"rcgithub/shared/session"
)

// maxBody bounds how much of an answer is read; /user is a few kilobytes.
const maxBody = 1 << 20

// User reads the token's account from GET /user. A 401 means GitHub no longer
// accepts the token and comes back wrapping session.ErrTokenDead.
func (c *Client) User(ctx context.Context, token string) (session.User, error) {
	req, err := c.newAPIRequest(ctx, http.MethodGet, "/user", nil)
	if err != nil {
		return session.User{}, fmt.Errorf("github GET /user: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return session.User{}, fmt.Errorf("github GET /user: %w", err)
	}
	defer drainAndClose(resp)

	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return session.User{}, fmt.Errorf("github GET /user: %w", session.ErrTokenDead)
	default:
		return session.User{}, fmt.Errorf("github GET /user: unexpected status %s", resp.Status)
	}

	var body struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&body); err != nil {
		return session.User{}, fmt.Errorf("github GET /user: decoding answer: %w", err)
	}
	if body.Login == "" || body.ID == 0 {
		return session.User{}, fmt.Errorf("github GET /user: answer lacks login or id")
	}
	return session.User{Login: body.Login, ID: body.ID, Scopes: headerScopes(resp.Header)}, nil
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
