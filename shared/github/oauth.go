package github

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/oauth2"

	"rcgithub/shared/session"
)

// AuthCodeURL is GitHub's authorize URL for state, with the S256 PKCE
// challenge of verifier. prompt=select_account makes GitHub show which account
// is about to be connected even when the user authorized the app before.
func (c *Client) AuthCodeURL(state, verifier string) string {
	return c.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("prompt", "select_account"))
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
		return session.Token{}, exchangeError(err)
	}
	return session.Token{
		AccessToken: tok.AccessToken,
		Scopes:      parseScopes(extraString(tok, "scope")),
	}, nil
}

// exchangeError sorts a failed exchange into what GitHub said (OAuthError) and
// what went wrong on the way (transient). It keeps oauth2's response body out
// of the message: it is not ours to print.
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("github token exchange: %w", err)
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	if re.ErrorCode != "" && status < 500 {
		return &session.OAuthError{Code: re.ErrorCode, Description: re.ErrorDescription}
	}
	return fmt.Errorf("github token exchange: HTTP %d", status)
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
