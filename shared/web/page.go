package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"
)

// pageStyle is the only style of every page; the Content-Security-Policy allows
// exactly this block by its hash, and nothing else.
const pageStyle = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2328}` +
	`h1{font-size:1.4rem}button{font-size:1rem;padding:.6rem 1.2rem;border-radius:6px;border:1px solid #1f883d;background:#1f883d;color:#fff;cursor:pointer}` +
	`.who{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.8rem;word-break:break-all}`

var styleHash = cspHash(pageStyle)

var layout = template.Must(template.New("layout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><style>{{.Style}}</style></head>
<body><h1>{{.Title}}</h1>{{.Body}}</body></html>
`))

var (
	startTemplate = template.Must(template.New("start").Parse(`<p>Connect a GitHub account to this Rocket.Chat user:</p>
<p class="who">User <strong>@{{.UserName}}</strong><br>on <strong>{{.Site}}</strong></p>
<p>If this is not you, close this page: someone may have forwarded you their link.</p>
<form method="post" action="/oauth/start"><input type="hidden" name="link" value="{{.LinkID}}">
<button type="submit">Continue to GitHub</button></form>`))
	connectedTemplate = template.Must(template.New("connected").Parse(
		`<p id="result">Connected to GitHub as @{{.Login}} until {{.Ends}}. You can close this tab.</p>{{if .Note}}
<p id="scopes">{{.Note}}</p>{{end}}
<p id="next">{{.Next}}</p>`))
	messageTemplate = template.Must(template.New("message").Parse(`<p id="result">{{.Text}}</p>`))
)

// securityHeaders go on every page: no caching (pages carry one-time links),
// no referrer (URLs carry codes and states), no framing, nothing but our style,
// and over https, HSTS.
func (h *Handler) securityHeaders(w http.ResponseWriter) {
	h.setSecurityHeaders(w.Header(), styleHash)
}

// hstsMaxAge is a year: a browser that once reached the service over https
// never tries it over http again, so no one on its network can downgrade it.
const hstsMaxAge = "max-age=31536000"

func (h *Handler) setSecurityHeaders(header http.Header, styleHashes ...string) {
	formAction := "'self'"
	if o := origin(h.cfg.GitHubURL); o != "" {
		// Chrome applies form-action to the redirect that follows our form post.
		formAction += " " + o
	}
	header.Set("Cache-Control", "no-store")
	header.Set("Referrer-Policy", "no-referrer")
	header.Set("X-Content-Type-Options", "nosniff")
	header.Set("Content-Security-Policy", "default-src 'none'; style-src "+strings.Join(styleHashes, " ")+
		"; form-action "+formAction+"; frame-ancestors 'none'; base-uri 'none'")
	if strings.HasPrefix(h.cfg.PublicURL, "https://") {
		header.Set("Strict-Transport-Security", hstsMaxAge)
	}
}

// WithPageSecurity serves next, pages that are not the service's but are
// mounted beside them (the local GitHub sandbox), with the same security
// headers as the service's pages. styles are the texts of the inline <style>
// blocks next's pages use: the Content-Security-Policy allows exactly those,
// by hash. Its forms may post to this origin and to GitHubURL's.
func (h *Handler) WithPageSecurity(next http.Handler, styles ...string) http.Handler {
	hashes := make([]string, 0, len(styles))
	for _, s := range styles {
		hashes = append(hashes, cspHash(s))
	}
	if len(hashes) == 0 {
		hashes = append(hashes, "'none'")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.setSecurityHeaders(w.Header(), hashes...)
		next.ServeHTTP(w, r)
	})
}

// cspHash is the Content-Security-Policy source that allows one inline block.
func cspHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func (h *Handler) render(w http.ResponseWriter, status int, body *template.Template, data any) {
	var inner bytes.Buffer
	if err := body.Execute(&inner, data); err != nil {
		h.log().Error("render page", "error", err)
		status = http.StatusInternalServerError
		inner.Reset()
		inner.WriteString("<p>Something went wrong on our side.</p>")
	}
	title := "Connect GitHub"
	if status >= 400 {
		title = "Sign-in failed"
	} else if body == connectedTemplate {
		title = "Connected"
	}
	h.writePage(w, status, title, template.HTML(inner.String())) //nolint:gosec // produced by html/template
}

// page renders a page with a title and one paragraph of text.
func (h *Handler) page(w http.ResponseWriter, status int, title, text string) {
	var inner bytes.Buffer
	_ = messageTemplate.Execute(&inner, map[string]string{"Text": text})
	h.writePage(w, status, title, template.HTML(inner.String())) //nolint:gosec // produced by html/template
}

func (h *Handler) writePage(w http.ResponseWriter, status int, title string, body template.HTML) {
	var out bytes.Buffer
	if err := layout.Execute(&out, map[string]any{"Title": title, "Style": template.CSS(pageStyle), "Body": body}); err != nil {
		h.log().Error("render layout", "error", err)
	}
	h.securityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(out.Bytes())
}
