package githubtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	troubleshootToken = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/"
	// grantTypeDocs lists unsupported_grant_type (under the device flow).
	grantTypeDocs = "https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#error-codes-for-the-device-flow"
)

// verifierPattern is a PKCE code verifier (RFC 7636, section 4.1).
var verifierPattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// accessToken serves POST /login/oauth/access_token. Like GitHub it answers
// errors with HTTP 200, form-encoded unless the client asks for JSON.
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeTokenAnswer(w, r, tokenError("invalid_request", "The request body could not be read.", troubleshootToken))
		return
	}
	writeTokenAnswer(w, r, s.exchange(r))
}

// exchange checks a code exchange and issues the token, or says what is wrong.
func (s *Server) exchange(r *http.Request) url.Values {
	form := r.Form
	clientID, secret := form.Get("client_id"), form.Get("client_secret")
	if clientID == "" {
		clientID, secret, _ = r.BasicAuth()
	}
	if !s.clientMatches(clientID, secret) {
		return tokenError("incorrect_client_credentials",
			"The client_id and/or client_secret passed are incorrect.", troubleshootToken+"#incorrect-client-credentials")
	}
	switch form.Get("grant_type") {
	case "", "authorization_code":
	case "refresh_token":
		if s.opts.GitHubApp { // OAuth App tokens have no refresh token
			return s.refreshGrant(clientID, form.Get("refresh_token"))
		}
		return tokenError("unsupported_grant_type", "The grant type is not supported.", grantTypeDocs)
	default:
		return tokenError("unsupported_grant_type", "The grant type is not supported.", grantTypeDocs)
	}

	badCode := tokenError("bad_verification_code",
		"The code passed is incorrect or expired.", troubleshootToken+"#bad-verification-code")

	s.mu.Lock()
	defer s.mu.Unlock()
	// A code works once, whether or not the rest of this exchange is right.
	code, ok := s.takeCodeLocked(form.Get("code"))
	if !ok || code.clientID != clientID {
		return badCode
	}
	if uri := form.Get("redirect_uri"); uri != "" && uri != code.redirectURI {
		// GitHub's docs point this one at the authorization errors page.
		return tokenError("redirect_uri_mismatch", redirectMismatchText, troubleshootAuthorize+"#redirect-uri-mismatch2")
	}
	if !verifierMatches(code.challenge, form.Get("code_verifier")) {
		return badCode
	}
	return s.tokenAnswerLocked(s.tokens[s.issueTokenLocked(code.login, code.scopes)])
}

// tokenAnswerLocked is the token endpoint's answer for t: GitHub App user
// tokens come with their lifetime and refresh token, and no scopes (they have
// permissions instead). Callers hold s.mu.
func (s *Server) tokenAnswerLocked(t *accessToken) url.Values {
	v := url.Values{
		"access_token": {t.value},
		"token_type":   {"bearer"},
		"scope":        {strings.Join(t.scopes, ",")},
	}
	if t.app() {
		now := s.now()
		v.Set("scope", "")
		v.Set("expires_in", strconv.FormatInt(int64(t.expires.Sub(now)/time.Second), 10))
		v.Set("refresh_token", t.refreshToken)
		v.Set("refresh_token_expires_in", strconv.FormatInt(int64(t.refreshExpires.Sub(now)/time.Second), 10))
	}
	return v
}

// verifierMatches checks PKCE. A verifier sent for a code obtained without a
// challenge is refused too: it means AuthCodeURL forgot the challenge, which
// GitHub would not notice but the tests should.
func verifierMatches(challenge, verifier string) bool {
	if challenge == "" {
		return verifier == ""
	}
	if !verifierPattern.MatchString(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:]) == challenge
}

func (s *Server) clientMatches(clientID, secret string) bool {
	return clientID == s.opts.ClientID &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) == 1
}

func tokenError(code, description, uri string) url.Values {
	return url.Values{"error": {code}, "error_description": {description}, "error_uri": {uri}}
}

// writeTokenAnswer answers 200 with v as JSON when the client accepts it,
// else form-encoded (GitHub's default).
func writeTokenAnswer(w http.ResponseWriter, r *http.Request, v url.Values) {
	w.Header().Set("Cache-Control", "no-store")
	if !strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(v.Encode()))
		return
	}
	fields := make(map[string]string, len(v))
	for k := range v {
		fields[k] = v.Get(k)
	}
	writeJSON(w, http.StatusOK, fields)
}

// apiError is the body of a REST API error: the description's basic-error
// and, with Errors, validation-error. Status repeats the HTTP status as a
// string, as GitHub's answers do.
type apiError struct {
	Message          string            `json:"message"`
	Errors           []validationError `json:"errors,omitempty"`
	DocumentationURL string            `json:"documentation_url,omitempty"`
	Status           string            `json:"status,omitempty"`
}

// validationError is one item of a validation-error's errors.
type validationError struct {
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

// writeAPIError answers a REST error with GitHub's body.
func writeAPIError(w http.ResponseWriter, status int, body apiError) {
	body.Status = strconv.Itoa(status)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "answer could not be encoded", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
