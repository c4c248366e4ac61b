package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

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
	// The deadline covers everything, the re-read of the sites included.
	ctx, cancel := context.WithTimeout(r.Context(), webhookDeadline)
	defer cancel()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "request body over 64 KiB"})
		return
	}
	var msg rocketchat.Message
	if err == nil {
		msg, err = rocketchat.DecodeMessage(body) // json.Unmarshal's result, in one pass
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "request body is not a Rocket.Chat outgoing webhook JSON object"})
		return
	}
	site := session.NormalizeSite(msg.SiteURL)
	tokens, known := h.webhookTokens(ctx, site)
	if !known {
		h.refuseUnknownSite(w, r, site)
		return
	}
	if !anyTokenMatches(msg.Token, tokens) {
		// The site is the caller's text: logged, but cut short.
		annotate(r.Context(), slog.String("outcome", "wrong or missing webhook token"),
			slog.String("site", rocketchat.Truncate(site, 200)))
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
		annotate(r.Context(), slog.String("outcome", "unusable message: "+rocketchat.Truncate(reason, 300)))
		writeJSON(w, http.StatusOK, map[string]string{"error": reason})
		return
	}
	annotate(ctx, slog.String("site", k.Site), slog.String("user", k.UserID), slog.String("command", cmd.Name))
	// Everything is answered privately (links, identities and even help), but
	// for a share, which is answered in the room (answer).
	writeJSON(w, http.StatusOK, h.answer(ctx, k, msg, cmd))
}

func (h *Handler) command(ctx context.Context, k session.Key, msg rocketchat.Message, cmd rocketchat.Command) string {
	switch cmd.Name {
	case "login", "signin", "connect":
		return h.login(ctx, k, msg, cmd.Trigger)
	case "status", "whoami": // "me" acts at GitHub (commands.go)
		return h.status(ctx, k, cmd.Trigger)
	case "logout", "signout", "disconnect":
		return h.logout(ctx, k, cmd.Trigger)
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
	return helpText(trigger, h.cfg.SessionTTL, h.cfg.ExtraScopes)
}

// login answers "<trigger> login [scope ...]" with a login link; the trigger
// word travels with it, so that the pages and direct messages of this login
// name it. The words after "login" (spaces or commas between them) are the
// scopes the user adds to the default ones ("/github login repo").
func (h *Handler) login(ctx context.Context, k session.Key, msg rocketchat.Message, trigger string) string {
	var scopes []string
	if cmd, ok := rocketchat.ParseCommand(msg.Text, h.cfg.TriggerWords); ok {
		for _, arg := range cmd.Args {
			scopes = append(scopes, strings.FieldsFunc(arg, func(r rune) bool { return r == ',' })...)
		}
	}
	l, err := h.svc.StartLogin(ctx, session.LinkRequest{Key: k, UserName: msg.UserName, MessageID: msg.MessageID, Trigger: trigger,
		Scopes: scopes})
	var tooMany *session.TooManyLinksError
	if errors.As(err, &tooMany) {
		return tooManyLinksText(tooMany.RetryAt.Sub(h.now()).Round(time.Minute))
	}
	var notAllowed *session.ScopeNotAllowedError
	if errors.As(err, &notAllowed) {
		return scopeNotAllowedText(trigger, notAllowed.Scope, notAllowed.Allowed)
	}
	if err != nil {
		h.log().ErrorContext(ctx, "login link", "site", k.Site, "user", k.UserID, "error", err)
		return linkFailedText
	}
	return linkText(h.cfg.PublicURL, l.ID)
}

func (h *Handler) status(ctx context.Context, k session.Key, trigger string) string {
	st, err := h.svc.GetStatus(ctx, k)
	switch {
	case errors.Is(err, session.ErrNotFound):
		return notLoggedInText(trigger)
	case errors.Is(err, session.ErrEndedAtGitHub):
		return endedAtGitHubText(trigger)
	case err != nil:
		h.log().ErrorContext(ctx, "status", "site", k.Site, "user", k.UserID, "error", err)
		return statusFailedText
	}
	return statusText(st, st.Ends.Sub(h.now()).Round(time.Minute))
}

func (h *Handler) logout(ctx context.Context, k session.Key, trigger string) string {
	res, err := h.svc.Logout(ctx, k)
	switch {
	case errors.Is(err, session.ErrNotFound):
		return nothingToLogOutText(trigger)
	case err != nil:
		h.log().ErrorContext(ctx, "logout", "site", k.Site, "user", k.UserID, "error", err)
		return logoutFailedText
	}
	return loggedOutText(res)
}

// defaultTrigger is the word pages and replies name when no link or sign-in
// says which one the user typed: the first configured one.
func (h *Handler) defaultTrigger() string { return h.cfg.TriggerWords[0] }
