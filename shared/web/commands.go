package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
)

// DefaultBudget is how long a read that acts at GitHub may take inside the
// webhook's answer: past it, the command is handed to the Deferrer and the
// user told so, well before webhookDeadline (12 s) and Rocket.Chat's 20 s.
// An issue creation is never deferred: it has the webhook's whole deadline.
const DefaultBudget = 8 * time.Second

// ChatOps is what the commands that act at GitHub need; see EnableChatOps.
type ChatOps struct {
	Service *chatops.Service
	// Deferrer finishes the commands that outrun Budget; nil: they are not
	// deferred, and the user is told to try again.
	Deferrer chatops.Deferrer
	// Messenger delivers deferred answers (*rocketchat.Notifier); required
	// with a Deferrer.
	Messenger Messenger
	// Budget bounds a command inside the webhook's answer; DefaultBudget when zero.
	Budget time.Duration
}

// Messenger sends messages outside of a webhook answer, through a site's
// incoming webhook. *rocketchat.Notifier implements it.
type Messenger interface {
	// HasIncomingWebhook reports whether site has an incoming webhook.
	HasIncomingWebhook(ctx context.Context, site string) bool
	// Send sends text to the user of k as a direct message.
	Send(ctx context.Context, k session.Key, text string) error
	// SendRoom posts text to a room of site (in a thread when threadID is not "").
	SendRoom(ctx context.Context, site, roomID, threadID, text string) error
}

// EnableChatOps turns on the commands that act at GitHub: me, a repository's
// card, issues and pulls, a new issue, search and share. Without it they get
// the help text, as any unknown command does. Call it before serving.
func (h *Handler) EnableChatOps(c ChatOps) error {
	if c.Service == nil {
		return errors.New("web: chat commands need a chatops.Service")
	}
	if c.Deferrer != nil && c.Messenger == nil {
		return errors.New("web: deferred chat commands need a Messenger to answer by")
	}
	if c.Budget <= 0 {
		c.Budget = DefaultBudget
	}
	h.chat = &c
	return nil
}

// The commands that act at GitHub.
type chatKind int

const (
	kindMe chatKind = iota + 1
	kindRepo
	kindIssues
	kindPulls
	kindIssue
	kindSearch
)

// chatCommand is a parsed command that acts at GitHub.
type chatCommand struct {
	kind  chatKind
	share bool // answer in the room, public things only
	repo  chatops.Repo
	title string // kindIssue
	body  string // kindIssue, lines kept
	query string // kindSearch
}

// parseChat reads the first line and body of a command (RawCommand). isChat
// is false for a command that does not act at GitHub (login, status, help);
// err, a *usageError or *chatops.RepoNameError, when it does but is typed
// wrong.
func parseChat(line, body string) (cmd chatCommand, isChat bool, err error) {
	words := strings.Fields(line)
	if len(words) == 0 {
		return chatCommand{}, false, nil
	}
	if strings.EqualFold(words[0], "share") {
		rest := rocketchat.CutWords(line, 1)
		if rest == "" {
			return chatCommand{}, true, &usageError{kind: "share what"}
		}
		inner, isChat, err := parseChat(rest, body)
		if !isChat || inner.share {
			return chatCommand{}, true, &usageError{kind: "share"}
		}
		inner.share = true
		return inner, true, err
	}
	switch first := strings.ToLower(words[0]); {
	case first == "me":
		return chatCommand{kind: kindMe}, true, nil
	case first == "search":
		return chatCommand{kind: kindSearch, query: rocketchat.CutWords(line, 1)}, true, nil
	case !strings.Contains(first, "/"):
		return chatCommand{}, false, nil
	}
	repo, err := chatops.ParseRepo(words[0])
	if err != nil {
		return chatCommand{}, true, err
	}
	cmd = chatCommand{repo: repo}
	if len(words) == 1 {
		cmd.kind = kindRepo
		return cmd, true, nil
	}
	switch strings.ToLower(words[1]) {
	case "issues":
		cmd.kind = kindIssues
	case "pulls", "prs":
		cmd.kind = kindPulls
	case "issue":
		cmd.kind, cmd.title, cmd.body = kindIssue, rocketchat.CutWords(line, 2), body
	default:
		return chatCommand{}, true, &usageError{kind: "repo", word: words[1]}
	}
	return cmd, true, nil
}

// answer answers a message: the commands that act at GitHub here, the others
// by command. Everything is private but a successful share.
func (h *Handler) answer(ctx context.Context, k session.Key, msg rocketchat.Message, cmd rocketchat.Command) rocketchat.Reply {
	if h.chat != nil {
		if raw, ok := rocketchat.ParseRawCommand(msg.Text, h.cfg.TriggerWords); ok {
			if cc, isChat, err := parseChat(raw.Line, raw.Body); isChat {
				return h.chatAnswer(ctx, k, msg, raw.Trigger, cc, err)
			}
		}
	}
	return rocketchat.DirectReply(msg.UserName, h.command(ctx, k, msg, cmd))
}

// chatAnswer runs a command within the budget; one that outruns it is
// deferred (answered later by direct message) when the site can be written
// to later.
func (h *Handler) chatAnswer(ctx context.Context, k session.Key, msg rocketchat.Message, trigger string,
	cc chatCommand, parseErr error) rocketchat.Reply {
	private := func(text string) rocketchat.Reply { return rocketchat.DirectReply(msg.UserName, text) }
	if parseErr != nil {
		annotate(ctx, slog.String("outcome", "command typed wrong"))
		return private(chatErrorText(parseErr, trigger, cc.repo))
	}
	if cc.kind == kindIssue {
		return h.issueAnswer(ctx, k, msg, trigger, cc)
	}
	// A read that outruns the budget is cancelled and deferred: it is run
	// again from the start elsewhere.
	runCtx, cancelRun := context.WithCancel(ctx)
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	h.running.Add(1)
	go func() {
		defer h.running.Done()
		defer cancelRun()
		text, err := h.runChat(runCtx, k, msg.MessageID, cc)
		done <- result{text, err}
	}()
	budget := time.NewTimer(h.chat.Budget)
	defer budget.Stop()
	var r result
	select {
	case r = <-done:
	case <-budget.C:
		cancelRun()
		d := chatops.Deferred{Key: k, UserName: msg.UserName, MessageID: msg.MessageID, Trigger: trigger,
			Text: msg.Text, RoomID: msg.ChannelID, ThreadID: msg.ThreadID}
		return private(h.deferCommand(ctx, d, cc))
	}
	text, err := r.text, r.err
	switch {
	case err != nil:
		return private(h.chatFailure(ctx, k, err, trigger, cc))
	case cc.share:
		annotate(ctx, slog.String("outcome", "shared"))
		return rocketchat.RoomReply(text, msg.ThreadID)
	}
	return private(text)
}

// issueAnswer creates an issue within the webhook's whole deadline, never
// deferred: on AWS the webhook's Lambda is frozen once it has answered, so a
// creation left running would never settle its claim, and a deferred run
// could not tell whether GitHub had opened the issue. One that GitHub has not
// confirmed by the deadline keeps its claim (chatops.ErrNotConfirmed) and the
// user is told to look before trying again.
func (h *Handler) issueAnswer(ctx context.Context, k session.Key, msg rocketchat.Message, trigger string, cc chatCommand) rocketchat.Reply {
	text, err := h.runChat(ctx, k, msg.MessageID, cc)
	switch {
	case err != nil:
		text = h.chatFailure(ctx, k, err, trigger, cc)
	case cc.share:
		annotate(ctx, slog.String("outcome", "shared"))
		return rocketchat.RoomReply(text, msg.ThreadID)
	}
	return rocketchat.DirectReply(msg.UserName, text)
}

// WaitCommands waits for the chat commands still running after their answer
// (a read that outran the budget, until it has seen its cancellation): the
// local server calls it before closing its store.
func (h *Handler) WaitCommands() { h.running.Wait() }

// chatFailure words err, logging what is not the user's to fix.
func (h *Handler) chatFailure(ctx context.Context, k session.Key, err error, trigger string, cc chatCommand) string {
	text := chatReasonText(err, trigger, cc.repo)
	if text == unreachableText {
		h.log().WarnContext(ctx, "chat command failed", "site", k.Site, "user", k.UserID, "error", err)
	}
	return text
}

// deferCommand hands a late read to the Deferrer and says so; without a
// Deferrer or an incoming webhook to answer by, it says to try again.
func (h *Handler) deferCommand(ctx context.Context, d chatops.Deferred, cc chatCommand) string {
	notFinished := notFinishedText
	if h.chat.Deferrer == nil || !h.chat.Messenger.HasIncomingWebhook(ctx, d.Site) {
		annotate(ctx, slog.String("outcome", "late, not deferred"))
		return notFinished
	}
	if err := h.chat.Deferrer.Defer(ctx, d); err != nil {
		h.log().ErrorContext(ctx, "defer chat command", "site", d.Site, "user", d.UserID, "error", err)
		return notFinished
	}
	annotate(ctx, slog.String("outcome", "deferred"))
	if cc.share {
		return deferredSharedText
	}
	return deferredText
}

// runChat runs a command and words its answer.
func (h *Handler) runChat(ctx context.Context, k session.Key, messageID string, cc chatCommand) (string, error) {
	svc := h.chat.Service
	switch cc.kind {
	case kindMe:
		p, err := svc.Me(ctx, k, cc.share)
		return profileText(p, cc.share), err
	case kindRepo:
		card, err := svc.Repo(ctx, k, cc.repo, cc.share)
		return repoCardText(card), err
	case kindIssues:
		items, err := svc.Issues(ctx, k, cc.repo, cc.share)
		return itemsText(cc.repo, "issues", items), err
	case kindPulls:
		items, err := svc.Pulls(ctx, k, cc.repo, cc.share)
		return itemsText(cc.repo, "pull requests", items), err
	case kindIssue:
		c, err := svc.CreateIssue(ctx, k, chatops.IssueRequest{MessageID: messageID, Repo: cc.repo, Title: cc.title, Body: cc.body}, cc.share)
		return createdText(c, cc.title), err
	case kindSearch:
		res, err := svc.Search(ctx, k, cc.query, cc.share)
		return searchText(cc.query, res, cc.share), err
	}
	return "", fmt.Errorf("unknown chat command kind %d", cc.kind)
}

// claimWaits are the waits between the tries of a deferred issue creation
// (queued by an earlier version, which deferred them) whose message is still
// being created by the webhook's run: that run settles the claim within
// webhookDeadline, or it was not confirmed (or its process was frozen) and
// the claim stays until it expires.
var claimWaits = []time.Duration{100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}

// runDeferredChat runs a deferred command; an issue creation still in flight
// in the webhook's run is waited for, so that it is answered with its issue.
func (h *Handler) runDeferredChat(ctx context.Context, d chatops.Deferred, cc chatCommand) (string, error) {
	text, err := h.runChat(ctx, d.Key, d.MessageID, cc)
	for _, wait := range claimWaits {
		if !errors.Is(err, chatops.ErrBeingCreated) {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return text, err
		case <-t.C:
		}
		text, err = h.runChat(ctx, d.Key, d.MessageID, cc)
	}
	return text, err
}

// ErrBadDeferred is wrapped by RunDeferred's errors for a Deferred that can
// never run (not a command of this service, or an invalid key): a queue
// drops it rather than retrying.
var ErrBadDeferred = errors.New("not a deferred command of this service")

// RunDeferred finishes a command the webhook deferred, with ctx's time (a
// worker's, not the webhook's), and delivers its answer: a shared answer to
// the room (and thread) it was typed in, anything else, and a share the room refused, by
// direct message. An error means the answer was not delivered; running it
// again is safe (an issue is still created once per message), except for
// ErrBadDeferred, which never runs.
func (h *Handler) RunDeferred(ctx context.Context, d chatops.Deferred) error {
	if h.chat == nil || h.chat.Messenger == nil {
		return errors.New("run deferred command: chat commands are not enabled with a Messenger")
	}
	if err := d.Key.Validate(); err != nil {
		return fmt.Errorf("run deferred command: %w: %w", ErrBadDeferred, err)
	}
	raw, ok := rocketchat.ParseRawCommand(d.Text, h.cfg.TriggerWords)
	if !ok {
		return fmt.Errorf("run deferred command: %w: the text addresses no trigger word of this service", ErrBadDeferred)
	}
	cc, isChat, err := parseChat(raw.Line, raw.Body)
	if !isChat {
		return fmt.Errorf("run deferred command: %w: it does not act at GitHub", ErrBadDeferred)
	}
	var text string
	if err == nil {
		text, err = h.runDeferredChat(ctx, d, cc)
	}
	switch {
	case errors.Is(err, chatops.ErrBeingCreated):
		text = notConfirmedText(cc.repo)
	case err != nil:
		text = h.chatFailure(ctx, d.Key, err, raw.Trigger, cc)
	case cc.share:
		rerr := h.chat.Messenger.SendRoom(ctx, d.Site, d.RoomID, d.ThreadID, text)
		if rerr == nil {
			return nil
		}
		h.log().WarnContext(ctx, "post deferred answer to room", "site", d.Site, "user", d.UserID, "error", rerr)
		if text = roomPostFailedText(text); answerLen(text) > maxAnswer {
			text = roomPostFailedText("(too long to repeat here: run the command again without share)")
		}
	}
	if err := h.chat.Messenger.Send(ctx, d.Key, text); err != nil {
		return fmt.Errorf("deliver deferred answer: %w", err)
	}
	return nil
}
