package githubtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// extractFile is what the stand-in is held to: a small extract of GitHub's
// REST description and OAuth docs, with its sources and versions.
const extractFile = "testdata/github-rest-extract.json"

type extract struct {
	Sources     map[string]json.RawMessage `json:"sources"`
	APIVersions struct {
		Supported         []string `json:"supported"`
		UnsupportedStatus int      `json:"unsupported_status"`
	} `json:"api_versions"`
	Operations []extractOperation `json:"operations"`
}

type extractOperation struct {
	Operation     string                `json:"operation"`
	Source        string                `json:"source"`
	Method        string                `json:"method"`
	Path          string                `json:"path"`
	Statuses      map[string]statusSpec `json:"statuses"`
	OtherStatuses map[string]statusSpec `json:"other_statuses"`
}

type statusSpec struct {
	ContentType    string                     `json:"content_type"`
	ContentTypes   map[string]string          `json:"content_types"`
	Fields         []string                   `json:"fields"`
	RequiredFields []string                   `json:"required_fields"`
	Messages       []string                   `json:"messages"`
	Headers        map[string]json.RawMessage `json:"headers"`
	// The token endpoint's answers.
	OAuthAppFields  []string `json:"oauth_app_fields"`
	GitHubAppFields struct {
		Fields                []string `json:"fields"`
		ExpiresIn             int      `json:"expires_in"`
		RefreshTokenExpiresIn int      `json:"refresh_token_expires_in"`
	} `json:"github_app_fields"`
	ErrorFields []string `json:"error_fields"`
	Errors      map[string]struct {
		ErrorDescription string `json:"error_description"`
		ErrorURIPath     string `json:"error_uri_path"`
	} `json:"errors"`
	SuccessParams []string `json:"success_params"`
	ErrorParams   []string `json:"error_params"`
}

func loadExtract(t *testing.T) extract {
	t.Helper()
	raw, err := os.ReadFile(extractFile)
	if err != nil {
		t.Fatal(err)
	}
	var x extract
	if err := json.Unmarshal(raw, &x); err != nil {
		t.Fatalf("%s: %v", extractFile, err)
	}
	return x
}

func (x extract) operation(t *testing.T, id string) extractOperation {
	t.Helper()
	for _, op := range x.Operations {
		if op.Operation == id {
			return op
		}
	}
	t.Fatalf("%s has no operation %s", extractFile, id)
	return extractOperation{}
}

// spec returns what the extract says about status for op; a status it does
// not list fails the test.
func (op extractOperation) spec(t *testing.T, status int) statusSpec {
	t.Helper()
	key := strconv.Itoa(status)
	if s, ok := op.Statuses[key]; ok {
		return s
	}
	if s, ok := op.OtherStatuses[key]; ok {
		return s
	}
	t.Fatalf("%s %s answered %d, which %s does not list", op.Method, op.Path, status, extractFile)
	return statusSpec{}
}

func TestExtractNamesItsSources(t *testing.T) {
	x := loadExtract(t)
	if len(x.Operations) < 5 {
		t.Fatalf("%d operations, want /user, both revocations, authorize and access_token", len(x.Operations))
	}
	for _, op := range x.Operations {
		if _, ok := x.Sources[op.Source]; !ok {
			t.Errorf("%s: source %q is not among the sources", op.Operation, op.Source)
		}
		if len(op.Statuses) == 0 {
			t.Errorf("%s: no documented statuses", op.Operation)
		}
	}
	var rest struct {
		Repository, File, ReadVia string
	}
	if err := json.Unmarshal(x.Sources["rest-description"], &rest); err != nil || rest.Repository != "github/rest-api-description" || rest.File == "" {
		t.Errorf("rest-description source = %+v (%v)", rest, err)
	}
}

// restCase is one request to a REST operation.
type restCase struct {
	name      string
	github    bool // GitHub App mode
	path      string
	auth      func(e *env, token string) string
	body      func(token string) string
	version   string
	wantScope bool // X-OAuth-Scopes expected on 200
}

func bearerAuth(_ *env, token string) string { return "Bearer " + token }
func appAuth(*env, string) string {
	return "Basic " + basic(testClientID, testSecret)
}
func noAuth(*env, string) string { return "" }

func basic(user, pass string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	req.SetBasicAuth(user, pass)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

func TestStandInAnswersAsTheRESTDescription(t *testing.T) {
	x := loadExtract(t)
	const tokenPath = "/applications/" + testClientID + "/token"
	const grantPath = "/applications/" + testClientID + "/grant"
	unsupported := "1999-01-01"
	if slices.Contains(x.APIVersions.Supported, unsupported) {
		t.Fatal("the unsupported version is listed as supported")
	}
	ops := map[string][]restCase{
		"users/get-authenticated": {
			{name: "OAuth App token", path: "/user", auth: bearerAuth, wantScope: true},
			{name: "GitHub App token", github: true, path: "/user", auth: bearerAuth},
			{name: "Enterprise path", path: "/api/v3/user", auth: bearerAuth, wantScope: true},
			{name: "no credentials", path: "/user", auth: noAuth},
			{name: "unknown token", path: "/user", auth: func(*env, string) string { return "Bearer gho_unknown" }},
			{name: "unsupported version", path: "/user", auth: bearerAuth, version: unsupported},
		},
		"apps/delete-token": {
			{name: "revoked", path: tokenPath, auth: appAuth, body: tokenBody},
			{name: "no credentials", path: tokenPath, auth: noAuth, body: tokenBody},
			{name: "wrong secret", path: tokenPath, auth: func(*env, string) string { return "Basic " + basic(testClientID, "wrong") }, body: tokenBody},
			{name: "other app in the path", path: "/applications/Iv1.other/token", auth: appAuth, body: tokenBody},
			{name: "no access_token", path: tokenPath, auth: appAuth, body: func(string) string { return `{}` }},
			{name: "unknown token", path: tokenPath, auth: appAuth, body: func(string) string { return tokenBody("gho_unknown") }},
			{name: "unsupported version", path: tokenPath, auth: appAuth, body: tokenBody, version: unsupported},
		},
		"apps/delete-authorization": {
			{name: "revoked", path: grantPath, auth: appAuth, body: tokenBody},
			{name: "no credentials", path: grantPath, auth: noAuth, body: tokenBody},
			{name: "unknown token", path: grantPath, auth: appAuth, body: func(string) string { return tokenBody("gho_unknown") }},
		},
	}
	for _, v := range x.APIVersions.Supported {
		ops["users/get-authenticated"] = append(ops["users/get-authenticated"],
			restCase{name: "version " + v, path: "/user", auth: bearerAuth, version: v, wantScope: true})
	}
	for id, cases := range ops {
		op := x.operation(t, id)
		for _, tc := range cases {
			t.Run(id+"/"+tc.name, func(t *testing.T) {
				e := newEnv(t, Options{GitHubApp: tc.github})
				token := e.s.IssueToken("mona", "repo", "read:org")
				var body *strings.Reader
				if tc.body != nil {
					body = strings.NewReader(tc.body(token))
				} else {
					body = strings.NewReader("")
				}
				req, err := http.NewRequest(op.Method, e.url+tc.path, body)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Accept", "application/vnd.github+json")
				if a := tc.auth(e, token); a != "" {
					req.Header.Set("Authorization", a)
				}
				if tc.body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				if tc.version != "" {
					req.Header.Set("X-GitHub-Api-Version", tc.version)
				}
				resp, raw := e.do(t, req)
				spec := op.spec(t, resp.StatusCode)
				if tc.version == unsupported && resp.StatusCode != x.APIVersions.UnsupportedStatus {
					t.Errorf("unsupported version: status %d, want %d", resp.StatusCode, x.APIVersions.UnsupportedStatus)
				}
				checkRESTAnswer(t, resp, raw, spec)
				if resp.StatusCode == http.StatusOK {
					_, has := resp.Header["X-Oauth-Scopes"]
					if has != tc.wantScope {
						t.Errorf("X-OAuth-Scopes present = %v, want %v", has, tc.wantScope)
					}
					if tc.wantScope && resp.Header.Get("X-OAuth-Scopes") != "read:org, repo" {
						t.Errorf("X-OAuth-Scopes = %q", resp.Header.Get("X-OAuth-Scopes"))
					}
					if _, ok := spec.Headers["X-OAuth-Scopes"]; !ok {
						t.Errorf("the extract does not describe X-OAuth-Scopes")
					}
				}
			})
		}
	}
}

// checkRESTAnswer holds one answer to what the extract says of its status.
func checkRESTAnswer(t *testing.T, resp *http.Response, raw []byte, spec statusSpec) {
	t.Helper()
	if spec.ContentType == "" {
		if len(raw) != 0 {
			t.Errorf("status %d has a body %q, want none", resp.StatusCode, raw)
		}
		return
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, spec.ContentType) {
		t.Errorf("Content-Type = %q, want %s", ct, spec.ContentType)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatalf("body %q: %v", raw, err)
	}
	for _, f := range append(slices.Clone(spec.Fields), spec.RequiredFields...) {
		if _, ok := fields[f]; !ok {
			t.Errorf("status %d: body lacks %q: %s", resp.StatusCode, f, raw)
		}
	}
	if slices.Contains(spec.Fields, "status") && fields["status"] != strconv.Itoa(resp.StatusCode) {
		t.Errorf("body status = %v, want %q", fields["status"], strconv.Itoa(resp.StatusCode))
	}
	if msg, _ := fields["message"].(string); len(spec.Messages) > 0 && !slices.Contains(spec.Messages, msg) {
		t.Errorf("message = %v, want one of %q", fields["message"], spec.Messages)
	}
}

func TestStandInAnswersAsTheOAuthDocs(t *testing.T) {
	x := loadExtract(t)
	tokenOp := x.operation(t, "oauth/access_token")
	spec := tokenOp.spec(t, http.StatusOK)

	type tokenCase struct {
		name      string
		github    bool
		form      func(e *env) url.Values
		accept    string
		wantError string
		wantApp   bool
	}
	good := func(e *env) url.Values { return exchangeForm(e.code(t, authorizeParams(), "mona")) }
	refreshOf := func(e *env) url.Values {
		_, _, first := e.postToken(t, good(e), "application/json")
		return refreshForm(first["refresh_token"])
	}
	cases := []tokenCase{
		{name: "exchange, form", form: good},
		{name: "exchange, JSON", form: good, accept: "application/json"},
		{name: "GitHub App exchange", github: true, form: good, accept: "application/json", wantApp: true},
		{name: "refresh", github: true, form: refreshOf, wantApp: true},
		{name: "wrong secret", form: func(e *env) url.Values { return with(good(e), "client_secret", "wrong") }, wantError: "incorrect_client_credentials"},
		{name: "bad code", form: func(*env) url.Values { return exchangeForm("0123456789abcdef0123") }, accept: "application/json", wantError: "bad_verification_code"},
		{name: "redirect mismatch", form: func(e *env) url.Values { return with(good(e), "redirect_uri", "https://other.example.com/cb") }, wantError: "redirect_uri_mismatch"},
		{name: "bad refresh token", github: true, form: func(*env) url.Values { return refreshForm("ghr_unknown") }, wantError: "bad_refresh_token"},
		{name: "refresh for an OAuth App", form: func(*env) url.Values { return refreshForm("ghr_unknown") }, wantError: "unsupported_grant_type"},
	}
	for _, tc := range cases {
		t.Run("access_token/"+tc.name, func(t *testing.T) {
			e := newEnv(t, Options{GitHubApp: tc.github})
			status, ctype, fields := e.postToken(t, tc.form(e), tc.accept)
			tokenOp.spec(t, status)
			wantType := spec.ContentTypes["default"]
			if tc.accept != "" {
				wantType = spec.ContentTypes["Accept: "+tc.accept]
			}
			if wantType == "" || !strings.HasPrefix(ctype, wantType) {
				t.Errorf("Content-Type = %q, want %q", ctype, wantType)
			}
			want := spec.OAuthAppFields
			if tc.wantApp {
				want = spec.GitHubAppFields.Fields
			}
			if tc.wantError != "" {
				want = spec.ErrorFields
				doc, ok := spec.Errors[fields["error"]]
				switch {
				case fields["error"] != tc.wantError:
					t.Errorf("error = %q, want %q", fields["error"], tc.wantError)
				case !ok:
					t.Errorf("error %q is not documented", fields["error"])
				case doc.ErrorDescription != "" && fields["error_description"] != doc.ErrorDescription:
					t.Errorf("error_description = %q, want %q", fields["error_description"], doc.ErrorDescription)
				case doc.ErrorURIPath != "" && !strings.Contains(fields["error_uri"], doc.ErrorURIPath):
					t.Errorf("error_uri = %q, want it to end in %s", fields["error_uri"], doc.ErrorURIPath)
				}
			}
			for _, f := range want {
				if _, ok := fields[f]; !ok {
					t.Errorf("answer lacks %q: %v", f, fields)
				}
			}
			if tc.wantApp {
				if fields["expires_in"] != strconv.Itoa(spec.GitHubAppFields.ExpiresIn) ||
					fields["refresh_token_expires_in"] != strconv.Itoa(spec.GitHubAppFields.RefreshTokenExpiresIn) || fields["scope"] != "" {
					t.Errorf("GitHub App answer = %v", fields)
				}
			}
		})
	}

	authOp := x.operation(t, "oauth/authorize")
	authCases := []struct {
		name       string
		method     string
		params     url.Values
		wantParams func(s statusSpec) []string
	}{
		{"consent page", http.MethodGet, authorizeParams(), nil},
		{"unknown app", http.MethodGet, with(authorizeParams(), "client_id", "Iv1.other"), nil},
		{"authorized", http.MethodPost, with(with(authorizeParams(), "decision", "authorize"), "login", "mona"), func(s statusSpec) []string { return s.SuccessParams }},
		{"denied", http.MethodPost, with(authorizeParams(), "decision", "deny"), func(s statusSpec) []string { return s.ErrorParams }},
		{"redirect mismatch", http.MethodGet, with(authorizeParams(), "redirect_uri", "https://other.example.com/cb"), func(s statusSpec) []string { return s.ErrorParams }},
		{"no state", http.MethodGet, with(authorizeParams(), "state", ""), nil},
	}
	for _, tc := range authCases {
		t.Run("authorize/"+tc.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			var req *http.Request
			var err error
			if tc.method == http.MethodGet {
				req, err = http.NewRequest(http.MethodGet, e.authorizeURL(tc.params), nil)
			} else {
				req, err = http.NewRequest(http.MethodPost, e.url+authorizePath, strings.NewReader(tc.params.Encode()))
				if req != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			resp, _ := e.do(t, req)
			s := authOp.spec(t, resp.StatusCode)
			if s.ContentType != "" && !strings.HasPrefix(resp.Header.Get("Content-Type"), s.ContentType) {
				t.Errorf("Content-Type = %q, want %s", resp.Header.Get("Content-Type"), s.ContentType)
			}
			if tc.wantParams == nil {
				if resp.StatusCode == http.StatusFound {
					t.Errorf("redirected to %s", resp.Header.Get("Location"))
				}
				return
			}
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("status = %d, want a redirect", resp.StatusCode)
			}
			q := query(t, resp.Header.Get("Location"))
			for _, p := range tc.wantParams(s) {
				if q.Get(p) == "" {
					t.Errorf("redirect lacks %s: %v", p, q)
				}
			}
		})
	}
}
