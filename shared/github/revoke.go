package github

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"rcgithub/shared/session"
)

// Revoke deletes the token at GitHub (DELETE /applications/{client_id}/token,
// authenticated as the app).
//
// GitHub answers 204 when it revoked the token. What it answers for a token
// it no longer knows is not pinned down: the endpoint documents only 204 and
// 422 ("validation failed"), its sibling "check a token" documents 404 for
// invalid tokens, and the stand-in (githubtest) answers 422. Rather than trust
// a status, any other 4xx is checked with GET /user: if that says the token is
// dead, the revocation has nothing left to do and Revoke returns nil. 5xx
// answers and network errors are returned as errors: trying again may work.
//
// A 403 or 429 that is GitHub's rate limit comes back as a
// *session.RateLimitError saying when to try again, as does a call the
// client holds back itself to stay under the limit (Config.RevocationsPerHour)
// or because GitHub refused until a time not yet reached.
func (c *Client) Revoke(ctx context.Context, token string) error {
	if rl := c.revocations.take(c.now()); rl != nil {
		return rl
	}
	body, err := json.Marshal(struct {
		AccessToken string `json:"access_token"`
	}{token})
	if err != nil {
		return fmt.Errorf("github revoke token: encoding body: %w", err)
	}
	path := "/applications/" + url.PathEscape(c.clientID) + "/token"
	req, err := c.newAPIRequest(ctx, http.MethodDelete, path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("github revoke token: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(c.clientID, c.clientSecret)

	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("github revoke token: %w", err)
	}
	answer := readStart(resp)
	if rl := rateLimited(resp.StatusCode, resp.Header, answer, c.now()); rl != nil {
		c.revocations.refused(rl)
		return rl
	}

	switch {
	case resp.StatusCode == http.StatusNoContent:
		return nil
	case resp.StatusCode >= 500:
		return fmt.Errorf("github revoke token: unexpected status %s", resp.Status)
	}

	_, err = c.User(ctx, token)
	switch {
	case errors.Is(err, session.ErrTokenDead):
		return nil
	case err == nil:
		return fmt.Errorf("github revoke token: status %s and the token still works", resp.Status)
	default:
		return fmt.Errorf("github revoke token: status %s, then checking the token: %w", resp.Status, err)
	}
}
