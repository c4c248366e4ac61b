package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
)

// maxWebhookBody bounds a webhook request; Rocket.Chat messages are at most
// 5000 characters by default, so 64 KiB is generous.
const maxWebhookBody = 64 << 10

// webhookDeadline keeps every answer well inside the 20 s Rocket.Chat waits
// (it never retries a timeout): GitHub calls that take longer are abandoned,
// and a logout whose revocation did not finish is retried in the background.
const webhookDeadline = 12 * time.Second

// maxMessageID bounds a message id, which becomes part of a store key.
const maxMessageID = 256

// webhook answers Rocket.Chat's outgoing webhook. Rocket.Chat retries every
// answer but 200/201/202 with a body six times, over about three hours (and a
// 500 with a body stops it, a 410 with a body disables the integration), so:
//   - everything handled gets 200 with a JSON body, and so does a message with
//     a valid token that can never be served (no usable user id or site): its
//     body is {"error": ...}, which Rocket.Chat posts nowhere, keeps in the
//     integration's History and does not retry;
//   - a request the service cannot authenticate gets 4xx (400 malformed, 413
//     too large, 401 token, 403 site): a caller that is not Rocket.Chat learns
//     nothing more, and a misconfigured Rocket.Chat's retries cost nothing
//     durable and succeed once the service is configured for its token or site;
//   - never 410 nor 5xx (see the README's table "What Rocket.Chat does with each answer").
func (h *Handler) webhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "request body over 64 KiB"})
		return
	}
	var msg rocketchat.Message
	if err != nil || json.Unmarshal(body, &msg) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "request body is not a Rocket.Chat outgoing webhook JSON object"})
		return
	}
	site := session.NormalizeSite(msg.SiteURL)
	tokens, known := h.webhookTokens(r.Context(), site)
	if !known {
		h.refuseUnknownSite(w, r, site)
		return
	}
	if !anyTokenMatches(msg.Token, tokens) {
		// The site is the caller's text: logged, but cut short.
		annotate(r.Context(), slog.String("outcome", "wrong or missing webhook token"),
			slog.String("site", truncate(site, 200)))
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "wrong or missing webhook token: set the outgoing webhook's Token to the one the service has for this site"})
		return
	}
	if msg.Bot || msg.IsEdited { // bot: true, or a bot object in older versions
		annotate(r.Context(), slog.String("outcome", "ignored: bot or edited message"))
		writeJSON(w, http.StatusOK, struct{}{})
		return
	}
	cmd, ok := rocketchat.ParseCommand(msg.Text, h.cfg.TriggerWords)
	if !ok {
		annotate(r.Context(), slog.String("outcome", "ignored: no trigger word"))
		writeJSON(w, http.StatusOK, struct{}{})
		return
	}
	k := session.Key{Site: session.NormalizeSite(msg.SiteURL), UserID: msg.UserID}
	if len(msg.MessageID) > maxMessageID {
		// Rocket.Chat's ids are 17 characters; a longer one would make the
		// login link's idempotency key outgrow DynamoDB's partition key.
		annotate(r.Context(), slog.String("outcome", "unusable message: message_id too long"))
		writeJSON(w, http.StatusOK, map[string]string{"error": fmt.Sprintf("the message's message_id is over %d bytes", maxMessageID)})
		return
	}
	if err := k.Validate(); err != nil || msg.UserName == "" || !strings.Contains(msg.SiteURL, "://") {
		// The token is right, so this is Rocket.Chat, and the same body would
		// be refused on every retry: 200, which ends the retries, with the reason.
		reason := "the message lacks user_id, user_name or siteUrl"
		if err != nil && msg.UserID != "" && strings.Contains(msg.SiteURL, "://") {
			reason = "the message's user_id or siteUrl cannot name a session: " + err.Error()
		}
		annotate(r.Context(), slog.String("outcome", "unusable message: "+truncate(reason, 300)))
		writeJSON(w, http.StatusOK, map[string]string{"error": reason})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), webhookDeadline)
	defer cancel()
	annotate(ctx, slog.String("site", k.Site), slog.String("user", k.UserID), slog.String("command", cmd.Name))
	text := h.command(r.WithContext(ctx), k, msg, cmd)
	// Everything is answered privately: links, identities and even help.
	writeJSON(w, http.StatusOK, rocketchat.DirectReply(msg.UserName, text))
}

func (h *Handler) command(r *http.Request, k session.Key, msg rocketchat.Message, cmd rocketchat.Command) string {
	switch cmd.Name {
	case "login", "signin", "connect":
		return h.login(r, k, msg)
	case "status", "me", "whoami":
		return h.status(r, k, cmd.Trigger)
	case "logout", "signout", "disconnect":
		return h.logout(r, k, cmd.Trigger)
	default:
		return h.help(cmd.Trigger)
	}
}

// help returns the help text for a trigger word, built by New for the
// configured words.
func (h *Handler) help(trigger string) string {
	if text, ok := h.helpTexts[trigger]; ok {
		return text
	}
	return helpText(trigger, h.cfg.SessionTTL)
}

func helpText(trigger string, ttl time.Duration) string {
	return strings.Join([]string{
		"GitHub commands:",
		fmt.Sprintf("`%s login`: connect your GitHub account (you get a private link).", trigger),
		fmt.Sprintf("`%s status`: show which GitHub account is connected and until when.", trigger),
		fmt.Sprintf("`%s logout`: disconnect now and revoke the token at GitHub.", trigger),
		fmt.Sprintf("`%s help`: this list.", trigger),
		"You are logged out automatically " + session.FormatDuration(ttl) + " after login.",
	}, "\n")
}

func (h *Handler) login(r *http.Request, k session.Key, msg rocketchat.Message) string {
	l, err := h.svc.StartLogin(r.Context(), session.LinkRequest{Key: k, UserName: msg.UserName, MessageID: msg.MessageID})
	var tooMany *session.TooManyLinksError
	if errors.As(err, &tooMany) {
		wait := tooMany.RetryAt.Sub(h.now()).Round(time.Minute)
		return fmt.Sprintf("You asked for too many login links in a short time. Try again in %s; the links you already have work for 10 minutes each.",
			session.FormatDuration(max(wait, time.Minute)))
	}
	if err != nil {
		h.log().ErrorContext(r.Context(), "login link", "site", k.Site, "user", k.UserID, "error", err)
		return "Sorry, the login link could not be created because our storage is unavailable. Wait a minute and try again."
	}
	return fmt.Sprintf("Connect your GitHub account: %s/oauth/start?link=%s\nThe link works once, for 10 minutes. Do not share it.", h.cfg.PublicURL, l.ID)
}

func (h *Handler) status(r *http.Request, k session.Key, trigger string) string {
	st, err := h.svc.GetStatus(r.Context(), k)
	switch {
	case errors.Is(err, session.ErrNotFound):
		return fmt.Sprintf("You are not logged in to GitHub. Type `%s login` to connect.", trigger)
	case errors.Is(err, session.ErrEndedAtGitHub):
		return fmt.Sprintf("GitHub no longer accepts your token (it was revoked or expired at GitHub), so your session has ended. Type `%s login` to connect again.", trigger)
	case err != nil:
		h.log().ErrorContext(r.Context(), "status", "site", k.Site, "user", k.UserID, "error", err)
		return "Sorry, your status could not be read because our storage is unavailable. Wait a minute and try again."
	}
	left := st.Ends.Sub(h.now()).Round(time.Minute)
	text := fmt.Sprintf("You are logged in to GitHub as @%s since %s. The session ends %s (in %s).",
		st.GitHubLogin, session.FormatTime(st.Started), session.FormatTime(st.Ends), session.FormatDuration(left))
	if !st.Checked {
		text += " (GitHub could not be reached to check the token just now.)"
	}
	return text
}

func (h *Handler) logout(r *http.Request, k session.Key, trigger string) string {
	res, err := h.svc.Logout(r.Context(), k)
	switch {
	case errors.Is(err, session.ErrNotFound):
		return fmt.Sprintf("You are not logged in to GitHub, so there is nothing to log out. Type `%s login` to connect.", trigger)
	case err != nil:
		h.log().ErrorContext(r.Context(), "logout", "site", k.Site, "user", k.UserID, "error", err)
		return "Sorry, you could not be logged out because our storage is unavailable. Wait a minute and try again."
	case !res.Revoked:
		return fmt.Sprintf("You are logged out of GitHub (@%s). GitHub did not confirm the token's revocation yet; we keep retrying until it does.", res.GitHubLogin)
	}
	return fmt.Sprintf("You are logged out of GitHub (@%s) and the token is revoked.", res.GitHubLogin)
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
