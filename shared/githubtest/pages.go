package githubtest

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
)

// The pages are plain HTML with inline style and no external resources, and
// fit a phone screen.
const pageHead = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · GitHub stand-in</title>
<style>
body{font-family:system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2328}
.note{font-size:.85rem;color:#59636e;border-bottom:1px solid #d1d9e0;padding-bottom:.5rem}
.problem{background:#ffebe9;border:1px solid #ff818266;padding:.5rem;border-radius:6px}
label{display:block;font-weight:600;margin-top:1rem}
input[type=text]{width:100%;box-sizing:border-box;font-size:1rem;padding:.5rem;margin-top:.25rem}
.buttons{display:flex;gap:.5rem;margin-top:1.5rem}
button{flex:1;font-size:1rem;padding:.6rem;border-radius:6px;border:1px solid #d1d9e0;background:#f6f8fa}
button.primary{background:#1f883d;color:#fff;border-color:#1f883d}
code{word-break:break-all}
</style>
</head>
<body>
<p class="note">GitHub stand-in for local development: no real GitHub account is used.</p>
`

var (
	consentPage = template.Must(template.New("consent").Parse(pageHead + `<h1>Authorize {{.AppName}}</h1>
{{if .Problem}}<p class="problem" role="alert">{{.Problem}}</p>{{end}}
<form method="post" action="authorize">
{{/* Authorize comes first: pressing Enter submits the first button. */}}
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<p>{{.AppName}} wants to access your GitHub account{{if .Scopes}} with these scopes:{{else}}: public information only.{{end}}</p>
{{if .Scopes}}<ul>{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
<label for="login">Sign in as (GitHub login)</label>
<input type="text" id="login" name="login" value="{{.Login}}" autocomplete="username" autocapitalize="none" required>
<p>Authorizing will redirect to <code>{{.RedirectURI}}</code></p>
<div class="buttons">
<button type="submit" name="decision" value="authorize" class="primary">Authorize</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</div>
</form>
</body>
</html>
`))

	errorPage = template.Must(template.New("error").Parse(pageHead + `<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
</body>
</html>
`))

	homePage = template.Must(template.New("home").Parse(pageHead + `<h1>{{.Title}}</h1>
<p>This server plays GitHub for {{.AppName}}: the sign-in page at <code>/login/oauth/authorize</code>,
the token endpoint and the few API calls the service makes. Start from the chat: type your trigger word, then <code>login</code>.</p>
</body>
</html>
`))
)

type hiddenField struct{ Name, Value string }

type consentPageData struct {
	Title, AppName, Problem, Login, RedirectURI string
	Scopes                                      []string
	Hidden                                      []hiddenField
}

type errorPageData struct{ Title, Message string }

// writeConsent renders the consent page; params are the authorize parameters,
// carried through the form so that the POST can check them again.
func (s *Server) writeConsent(w http.ResponseWriter, status int, params url.Values, req authorizeRequest, login, problem string) {
	data := consentPageData{
		Title:       "Authorize " + s.opts.AppName,
		AppName:     s.opts.AppName,
		Problem:     problem,
		Login:       login,
		RedirectURI: req.redirectURI,
		Scopes:      req.scopes,
	}
	for _, name := range []string{"client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"} {
		if params.Has(name) {
			data.Hidden = append(data.Hidden, hiddenField{name, params.Get(name)})
		}
	}
	writePage(w, status, consentPage, data)
}

func (s *Server) home(w http.ResponseWriter, _ *http.Request) {
	writePage(w, http.StatusOK, homePage, struct{ Title, AppName string }{"GitHub stand-in", s.opts.AppName})
}

// writePage renders into a buffer first so that a template error becomes a
// clean 500 rather than half a page.
func writePage(w http.ResponseWriter, status int, page *template.Template, data any) {
	var buf bytes.Buffer
	if err := page.Execute(&buf, data); err != nil {
		http.Error(w, "page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
