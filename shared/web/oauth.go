package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
)

// The cookie that binds an authorization to the browser that pressed the
// button. SameSite=Lax: it still comes along on GitHub's top-level redirect back.
const (
	bindingCookie       = "rcgh_login"
	securePrefixCookie  = "__Host-rcgh_login"
	bindingCookieMaxAge = int(session.LinkTTL / 1e9)
)

// crossOrigin rejects browser POSTs that come from another origin (by
// Sec-Fetch-Site, or Origin against Host).
var crossOrigin = http.NewCrossOriginProtection()

// startPage shows who is about to be connected and a button that posts. A GET
// uses nothing up: link previewers and scanners open links too.
func (h *Handler) startPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("link")
	l, err := h.svc.OpenLink(r.Context(), id)
	if err != nil {
		h.problem(r.Context(), w, r.URL.Path, err)
		return
	}
	annotate(r.Context(), slog.String("site", l.Site), slog.String("user", l.UserID))
	h.render(w, http.StatusOK, startTemplate, map[string]any{
		"UserName": l.UserName,
		"Site":     l.Site,
		"LinkID":   l.ID,
	})
}

// startPost uses up the link, binds the authorization to this browser with a
// cookie, and sends the browser to GitHub.
func (h *Handler) startPost(w http.ResponseWriter, r *http.Request) {
	// Only our own page may press the button: a form on another site posting
	// someone's link id would bind the visitor's GitHub account to that user.
	if err := crossOrigin.Check(r); err != nil {
		h.page(w, http.StatusForbidden, "Sign-in refused", crossOriginText(h.defaultTrigger()))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		h.page(w, http.StatusBadRequest, "Sign-in failed", unreadableFormText(h.defaultTrigger()))
		return
	}
	secret, err := randomSecret()
	if err != nil {
		h.page(w, http.StatusInternalServerError, "Sign-in failed", internalErrorText(h.defaultTrigger()))
		return
	}
	authURL, err := h.svc.Authorize(r.Context(), r.PostForm.Get("link"), secret)
	if err != nil {
		h.problem(r.Context(), w, r.URL.Path, err)
		return
	}
	http.SetCookie(w, h.cookie(secret, bindingCookieMaxAge))
	h.securityHeaders(w)
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

// callback is where GitHub sends the browser back.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	var secret string
	if c, err := r.Cookie(h.cookieName()); err == nil {
		secret = c.Value
	}
	if code := q.Get("error"); code != "" {
		// Only the browser that started the sign-in can cancel it: the
		// service checks the state against this browser's cookie.
		trigger := h.svc.CancelLogin(r.Context(), state, secret)
		h.log().InfoContext(r.Context(), "callback: github reported an error", "error_code", safeCode(code))
		status, title, text := authorizeError(code, wordOr(trigger, h.defaultTrigger()))
		http.SetCookie(w, h.cookie("", -1))
		h.page(w, status, title, text)
		return
	}
	l, err := h.svc.CompleteLogin(r.Context(), state, q.Get("code"), secret)
	if err != nil {
		http.SetCookie(w, h.cookie("", -1)) // its sign-in is over
		h.problem(r.Context(), w, r.URL.Path, err)
		return
	}
	// After a success the cookie stays until it expires (it opens nothing
	// more: its state is used up), so that reloading this page says the
	// sign-in was already used rather than that it came from another browser:
	// without the cookie, the service cannot tell the two apart without a
	// store call.
	annotate(r.Context(), slog.String("site", l.Site), slog.String("user", l.UserID), slog.String("outcome", "connected"))
	data := connectedText(l)
	// What the user can do now, named with their trigger word, as plain text.
	next := strings.ReplaceAll(rocketchat.NextCommandsText(wordOr(l.Trigger, h.defaultTrigger())), "`", "")
	data["Next"] = strings.Replace(next, "Try", "In Rocket.Chat, try", 1)
	h.render(w, http.StatusOK, connectedTemplate, data)
}

// safeCode keeps only the characters an OAuth error code has.
func safeCode(code string) string {
	code = strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, code)
	if len(code) > 40 {
		code = code[:40]
	}
	return code
}

// problem renders an error from the service as a page, worded with the
// trigger word of the link or sign-in it is about.
func (h *Handler) problem(ctx context.Context, w http.ResponseWriter, path string, err error) {
	var p *session.Problem
	if !errors.As(err, &p) {
		h.log().ErrorContext(ctx, "oauth", "path", path, "error", err)
		h.page(w, http.StatusInternalServerError, "Sign-in failed", internalErrorText(h.defaultTrigger()))
		return
	}
	annotate(ctx, slog.String("outcome", p.Reason.String()))
	status := http.StatusBadRequest
	if p.Kind == session.Unavailable {
		status = http.StatusServiceUnavailable
		h.log().ErrorContext(ctx, "oauth", "path", path, "error", err)
	} else {
		h.log().InfoContext(ctx, "oauth refused", "path", path, "error", err)
	}
	h.page(w, status, "Sign-in failed", problemText(p, wordOr(p.Trigger, h.defaultTrigger())))
}

func (h *Handler) cookieName() string {
	if strings.HasPrefix(h.cfg.PublicURL, "https://") {
		return securePrefixCookie
	}
	return bindingCookie
}

func (h *Handler) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: h.cookieName(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: strings.HasPrefix(h.cfg.PublicURL, "https://"), SameSite: http.SameSiteLaxMode,
	}
}

func randomSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
