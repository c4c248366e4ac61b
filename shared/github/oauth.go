package github

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"rcgithub/shared/session"
)

// AuthCodeURL is GitHub's authorize URL for state, with the S256 PKCE
// challenge of verifier, asking for scopes (space-separated, as GitHub's
// "Authorizing OAuth apps" wants; Config.Scopes when scopes is empty, and no
// scope parameter when both are). prompt=select_account makes GitHub show
// which account is about to be connected even when the user authorized the
// app before. A GitHub App ignores the scopes: its tokens have permissions.
func (c *Client) AuthCodeURL(state, verifier string, scopes []string) string {
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("prompt", "select_account")}
	if len(scopes) > 0 {
		// Replaces the scope oauth2 sets from Config.Scopes.
		opts = append(opts, oauth2.SetAuthURLParam("scope", strings.Join(scopes, " ")))
	}
	return c.oauth.AuthCodeURL(state, opts...)
}

// Exchange trades an authorization code for a token.
//
// GitHub reports a bad code, wrong client credentials, a redirect_uri mismatch
// and the like WITH HTTP 200; those come back as *session.OAuthError and are
// final. Network errors, timeouts and 5xx answers come back as other errors:
// trying again may work.
func (c *Client) Exchange(ctx context.Context, code, verifier string) (session.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.http)
	tok, err := c.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return session.Token{}, tokenEndpointError("exchange", err)
	}
	return c.token(tok), nil
}

// Refresh trades a GitHub App refresh token for a new token pair (POST to the
// token endpoint with grant_type=refresh_token); the old pair stops working.
// A refresh token that is expired, used or revoked comes back as
// *session.OAuthError with code bad_refresh_token (GitHub answers HTTP 200).
func (c *Client) Refresh(ctx context.Context, refreshToken string) (session.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.http)
	tok, err := c.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return session.Token{}, tokenEndpointError("refresh", err)
	}
	return c.token(tok), nil
}

// token reads a token response. GitHub App user tokens come with expires_in,
// refresh_token and refresh_token_expires_in; OAuth App tokens with none.
// Lifetimes count from the client's clock, not oauth2's.
func (c *Client) token(tok *oauth2.Token) session.Token {
	t := session.Token{
		AccessToken: tok.AccessToken,
		Scopes:      parseScopes(extraString(tok, "scope")),
	}
	now := c.now()
	// oauth2 fills ExpiresIn from JSON answers only.
	if secs := max(tok.ExpiresIn, extraSeconds(tok, "expires_in")); secs > 0 {
		t.ExpiresAt = now.Add(time.Duration(secs) * time.Second)
	}
	if tok.RefreshToken != "" {
		t.RefreshToken = tok.RefreshToken
		if secs := extraSeconds(tok, "refresh_token_expires_in"); secs > 0 {
			t.RefreshExpiresAt = now.Add(time.Duration(secs) * time.Second)
		}
	}
	return t
}

// extraSeconds reads a number of seconds from the token response: a string in
// a form answer (which oauth2 may have parsed already), a float64 in a JSON
// one. 0 when absent or malformed.
func extraSeconds(tok *oauth2.Token, key string) int64 {
	switch v := tok.Extra(key).(type) {
	case float64:
		return int64(v)
	case int64: // oauth2 parses numbers in form answers
		return v
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0
		}
		return n
	default:
		return 0
	}
}

// tokenEndpointError sorts a failed exchange or refresh into what GitHub said
// (OAuthError) and what went wrong on the way (transient). It keeps oauth2's
// response body out of the message: it is not ours to print.
func tokenEndpointError(what string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("github token %s: %w", what, err)
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	if re.ErrorCode != "" && status < 500 {
		return &session.OAuthError{Code: re.ErrorCode, Description: re.ErrorDescription}
	}
	return fmt.Errorf("github token %s: HTTP %d", what, status)
}

// extraString reads a string field of the token response, which oauth2 keeps
// as url.Values (form answer) or a JSON map.
func extraString(tok *oauth2.Token, key string) string {
	switch v := tok.Extra(key).(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}
