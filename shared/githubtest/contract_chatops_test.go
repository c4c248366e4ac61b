package githubtest

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The chat commands' routes held to the extract: statuses, the required
// fields of every answer down to nested objects, pagination and the
// rate-limit headers (extract_chatops.py wrote those entries from GitHub's
// REST description).

type chatopsExtract struct {
	RateLimits struct {
		Headers   []string `json:"headers"`
		Resources map[string]struct {
			PerHour       int `json:"authenticated_per_hour"`
			PerMinute     int `json:"authenticated_per_minute"`
			AnonymousHour int `json:"unauthenticated_per_hour"`
		} `json:"resources"`
		ExceededStatuses []int `json:"exceeded_statuses"`
	} `json:"rate_limits"`
	Operations []struct {
		Operation     string                 `json:"operation"`
		Method        string                 `json:"method"`
		Path          string                 `json:"path"`
		Statuses      map[string]chatopsSpec `json:"statuses"`
		OtherStatuses map[string]chatopsSpec `json:"other_statuses"`
	} `json:"operations"`
}

type chatopsSpec struct {
	ContentType    string                     `json:"content_type"`
	Array          bool                       `json:"array"`
	Fields         []string                   `json:"fields"`
	RequiredFields []string                   `json:"required_fields"`
	NestedRequired map[string][]string        `json:"nested_required"`
	Nullable       []string                   `json:"nullable"`
	Headers        map[string]json.RawMessage `json:"headers"`
}

func loadChatopsExtract(t *testing.T) chatopsExtract {
	t.Helper()
	raw, err := os.ReadFile(extractFile)
	if err != nil {
		t.Fatal(err)
	}
	var x chatopsExtract
	if err := json.Unmarshal(raw, &x); err != nil {
		t.Fatal(err)
	}
	return x
}

// chatopsCase is one request to a chat command's route.
type chatopsCase struct {
	name     string
	path     string // with the owner and repository filled in
	body     string
	auth     string // "octocat" (repo scope), "narrow" (octocat, read:user), "mona", "app", "bad", "none"
	setup    func(s *Server)
	version  string
	want     int
	checkRes func(t *testing.T, resp *http.Response, raw []byte)
}

func TestStandInServesTheChatRoutesAsTheRESTDescription(t *testing.T) {
	x := loadChatopsExtract(t)
	hello := "/repos/octocat/hello-world"
	secret := "/repos/octocat/secret-plans"
	linkNext := func(t *testing.T, resp *http.Response, _ []byte) {
		link := resp.Header.Get("Link")
		if !strings.Contains(link, `rel="next"`) || !strings.Contains(link, `rel="last"`) || !strings.Contains(link, "per_page=2") {
			t.Errorf("Link = %q, want next and last pages of 2", link)
		}
	}
	exhausted := func(resource string) func(*Server) {
		return func(s *Server) { s.ExhaustRateLimit(SandboxUser, resource) }
	}
	cases := map[string][]chatopsCase{
		"repos/get": {
			{name: "public", path: hello, auth: "octocat", want: 200},
			{name: "public, anonymous", path: hello, auth: "none", want: 200},
			{name: "Enterprise path", path: "/api/v3" + hello, auth: "octocat", want: 200},
			{name: "private, owner with repo", path: secret, auth: "octocat", want: 200},
			{name: "private, owner without repo scope", path: secret, auth: "narrow", want: 404},
			{name: "private, another user", path: secret, auth: "mona", want: 404},
			{name: "unknown", path: "/repos/octocat/nope", auth: "octocat", want: 404},
			{name: "bad token", path: hello, auth: "bad", want: 401},
			{name: "core limit spent", path: hello, auth: "octocat", setup: exhausted("core"), want: 403},
			{name: "unsupported version", path: hello, auth: "octocat", version: "1999-01-01", want: 400},
		},
		"issues/list-for-repo": {
			{name: "open", path: hello + "/issues", auth: "octocat", want: 200},
			{name: "paginated", path: hello + "/issues?per_page=2", auth: "octocat", want: 200, checkRes: linkNext},
			{name: "issues disabled", path: "/repos/octocat/no-issues/issues", auth: "octocat", want: 410},
			{name: "private, another user", path: secret + "/issues", auth: "mona", want: 404},
			{name: "app without issues", path: hello + "/issues", auth: "app", want: 403},
			{name: "bad state", path: hello + "/issues?state=sideways", auth: "octocat", want: 422},
		},
		"issues/create": {
			{name: "created", path: hello + "/issues", body: `{"title":"From chat","body":"line 1\n  line 2"}`, auth: "octocat", want: 201,
				checkRes: func(t *testing.T, resp *http.Response, _ []byte) {
					if !strings.Contains(resp.Header.Get("Location"), "/repos/octocat/hello-world/issues/") {
						t.Errorf("Location = %q", resp.Header.Get("Location"))
					}
				}},
			{name: "empty title", path: hello + "/issues", body: `{"title":"  "}`, auth: "octocat", want: 422},
			{name: "no title", path: hello + "/issues", body: `{}`, auth: "octocat", want: 422},
			{name: "not JSON", path: hello + "/issues", body: `{`, auth: "octocat", want: 400},
			{name: "without public_repo", path: hello + "/issues", body: `{"title":"t"}`, auth: "narrow", want: 404},
			{name: "archived", path: "/repos/sandbox-org/archive/issues", body: `{"title":"t"}`, auth: "octocat", want: 403},
			{name: "app without issues write", path: hello + "/issues", body: `{"title":"t"}`, auth: "app", want: 403},
			{name: "anonymous", path: hello + "/issues", body: `{"title":"t"}`, auth: "none", want: 401},
		},
		"pulls/list": {
			{name: "open", path: hello + "/pulls", auth: "octocat", want: 200},
			{name: "paginated", path: hello + "/pulls?per_page=2", auth: "octocat", want: 200, checkRes: linkNext},
			{name: "unknown", path: "/repos/octocat/nope/pulls", auth: "octocat", want: 404},
		},
		"repos/get-latest-release": {
			{name: "latest", path: hello + "/releases/latest", auth: "octocat", want: 200,
				checkRes: func(t *testing.T, _ *http.Response, raw []byte) {
					if !strings.Contains(string(raw), `"tag_name":"v1.2.0"`) {
						t.Errorf("latest release: %s", raw)
					}
				}},
			{name: "none", path: "/repos/sandbox-org/chat-bridge/releases/latest", auth: "octocat", want: 404},
		},
		"search/issues-and-pull-requests": {
			{name: "my pull requests", path: "/search/issues?q=is:open+is:pr+author:@me&advanced_search=true&sort=updated&order=desc&per_page=5", auth: "octocat", want: 200},
			{name: "words", path: "/search/issues?q=crash", auth: "octocat", want: 200},
			{name: "paginated", path: "/search/issues?q=is:open&per_page=2", auth: "octocat", want: 200, checkRes: linkNext},
			{name: "empty query", path: "/search/issues?q=", auth: "octocat", want: 422},
			{name: "app token without is:", path: "/search/issues?q=crash", auth: "app", want: 422},
			{name: "search limit spent", path: "/search/issues?q=crash", auth: "octocat", setup: exhausted("search"), want: 403},
			{name: "bad token", path: "/search/issues?q=crash", auth: "bad", want: 401},
		},
	}
	for _, op := range x.Operations {
		tcs, ok := cases[op.Operation]
		if !ok {
			continue
		}
		delete(cases, op.Operation)
		for _, tc := range tcs {
			t.Run(op.Operation+"/"+tc.name, func(t *testing.T) {
				e := newEnv(t, Options{World: true})
				app := newEnv(t, Options{World: true, GitHubApp: true, AppPermissions: map[string]string{"metadata": "read"}})
				e.s.AddRepo(RepoSpec{Owner: SandboxUser, Name: "no-issues", IssuesDisabled: true})
				if tc.setup != nil {
					tc.setup(e.s)
				}
				url, token := e.url, ""
				switch tc.auth {
				case "octocat":
					token = e.s.IssueToken(SandboxUser, "repo", "read:user")
				case "narrow":
					token = e.s.IssueToken(SandboxUser, "read:user")
				case "mona":
					token = e.s.IssueToken("mona", "repo")
				case "app":
					url, token = app.url, app.s.IssueToken(SandboxUser)
				case "bad":
					token = "gho_unknown"
				}
				var body *strings.Reader
				if tc.body != "" {
					body = strings.NewReader(tc.body)
				} else {
					body = strings.NewReader("")
				}
				req, err := http.NewRequest(op.Method, url+tc.path, body)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Accept", "application/vnd.github+json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				if tc.version != "" {
					req.Header.Set("X-GitHub-Api-Version", tc.version)
				}
				resp, raw := e.do(t, req)
				if resp.StatusCode != tc.want {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, raw)
				}
				key := strconv.Itoa(resp.StatusCode)
				spec, ok := op.Statuses[key]
				if !ok {
					spec, ok = op.OtherStatuses[key]
				}
				if !ok {
					t.Fatalf("%s %s answered %d, which the extract does not list", op.Method, op.Path, resp.StatusCode)
				}
				checkChatopsAnswer(t, resp, raw, spec)
				if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusBadRequest {
					checkRateHeaders(t, x, resp, op.Path == "/search/issues", tc.auth == "none", tc.setup != nil)
				}
				if tc.checkRes != nil {
					tc.checkRes(t, resp, raw)
				}
			})
		}
	}
	for id := range cases {
		t.Errorf("the extract has no operation %s", id)
	}
}

// checkChatopsAnswer holds an answer to the extract's fields, required and
// nested.
func checkChatopsAnswer(t *testing.T, resp *http.Response, raw []byte, spec chatopsSpec) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); spec.ContentType == "" || !strings.HasPrefix(ct, spec.ContentType) {
		t.Errorf("Content-Type = %q, want %q", ct, spec.ContentType)
	}
	var objects []map[string]any
	if spec.Array {
		if err := json.Unmarshal(raw, &objects); err != nil {
			t.Fatalf("body %s: %v", raw, err)
		}
		if len(objects) == 0 {
			t.Fatalf("an empty list proves nothing: %s", raw)
		}
	} else {
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatalf("body %s: %v", raw, err)
		}
		objects = []map[string]any{obj}
	}
	for _, obj := range objects {
		for _, f := range append(slices.Clone(spec.Fields), spec.RequiredFields...) {
			if _, ok := obj[f]; !ok {
				t.Errorf("status %d: lacks %q", resp.StatusCode, f)
			}
		}
		for path, fields := range spec.NestedRequired {
			for _, v := range valuesAt(obj, path) {
				if v == nil {
					if !slices.Contains(spec.Nullable, path) {
						t.Errorf("%s is null, which the description does not allow", path)
					}
					continue
				}
				m, ok := v.(map[string]any)
				if !ok {
					t.Errorf("%s = %v, want an object", path, v)
					continue
				}
				for _, f := range fields {
					if _, ok := m[f]; !ok {
						t.Errorf("%s lacks %q", path, f)
					}
				}
			}
		}
	}
}

// valuesAt returns what path ("head.repo", "items[].user") names in obj;
// below a null nothing.
func valuesAt(obj map[string]any, path string) []any {
	current := []any{obj}
	for seg := range strings.SplitSeq(path, ".") {
		array := strings.HasSuffix(seg, "[]")
		seg = strings.TrimSuffix(seg, "[]")
		var next []any
		for _, c := range current {
			m, ok := c.(map[string]any)
			if !ok {
				continue // null above: nothing below
			}
			v := m[seg]
			if array {
				list, _ := v.([]any)
				next = append(next, list...)
			} else {
				next = append(next, v)
			}
		}
		current = next
	}
	return current
}

// checkRateHeaders: every answer says the caller's limit, search its own;
// a spent one answers 403 with nothing remaining.
func checkRateHeaders(t *testing.T, x chatopsExtract, resp *http.Response, search, anonymous, spent bool) {
	t.Helper()
	for _, h := range x.RateLimits.Headers {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	resource, limit := "core", x.RateLimits.Resources["core"].PerHour
	if anonymous {
		limit = x.RateLimits.Resources["core"].AnonymousHour
	}
	if search {
		resource, limit = "search", x.RateLimits.Resources["search"].PerMinute
	}
	if got := resp.Header.Get("X-RateLimit-Resource"); got != resource {
		t.Errorf("X-RateLimit-Resource = %q, want %s", got, resource)
	}
	if got := resp.Header.Get("X-RateLimit-Limit"); got != strconv.Itoa(limit) {
		t.Errorf("X-RateLimit-Limit = %q, want %d", got, limit)
	}
	remaining := resp.Header.Get("X-RateLimit-Remaining")
	if spent && (!slices.Contains(x.RateLimits.ExceededStatuses, resp.StatusCode) || remaining != "0") {
		t.Errorf("spent limit answered %d with remaining %q", resp.StatusCode, remaining)
	}
	if !spent && remaining == "0" {
		t.Errorf("remaining 0 on a limit not spent")
	}
}
