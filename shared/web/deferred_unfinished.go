package web

import (
	"context"
	"errors"
	"fmt"

	"rcgithub/shared/chatops"
	"rcgithub/shared/rocketchat"
)

// TellUnfinished tells d's user by direct message that a deferred command was
// cut short before its answer was delivered: by the server stopping
// (stopping) or by its time running out. An issue creation may have gone
// through, so its user is told to look before trying again. ctx is a fresh
// one: the run's own is over.
func (h *Handler) TellUnfinished(ctx context.Context, d chatops.Deferred, stopping bool) error {
	if h.chat == nil || h.chat.Messenger == nil {
		return errors.New("tell unfinished command: chat commands are not enabled with a Messenger")
	}
	text := notFinishedText
	if stopping {
		text = stoppedText
	}
	if raw, ok := rocketchat.ParseRawCommand(d.Text, h.cfg.TriggerWords); ok {
		if cc, isChat, err := parseChat(raw.Line, raw.Body); isChat && err == nil && cc.kind == kindIssue {
			text = notConfirmedText(cc.repo)
		}
	}
	if err := h.chat.Messenger.Send(ctx, d.Key, text); err != nil {
		return fmt.Errorf("tell unfinished command: %w", err)
	}
	return nil
}
