package rocketchat

import (
	"context"
	"encoding/json"
	"fmt"
)

// RoomReply is an answer to an outgoing webhook posted in the room the
// message was typed in: Rocket.Chat's triggerHandler.sendMessage posts an
// answer that names no channel to the room of the message ("#<room id>", or
// "@<room id>" for a direct-message room). threadID, when not "", puts it in
// the thread the message was typed in (processWebhookMessage honours tmid).
func RoomReply(text, threadID string) Reply {
	no := false
	return Reply{Text: text, ThreadID: threadID, ParseURLs: &no}
}

// HasIncomingWebhook reports whether the site has an incoming webhook to send
// messages later with (Send, SendRoom).
func (n *Notifier) HasIncomingWebhook(ctx context.Context, site string) bool {
	return n.hookURL(ctx, site) != ""
}

// SendRoom posts text to the room roomID of site through its incoming
// webhook ("channel": "#<room id>"; Rocket.Chat then makes the webhook's
// "Post as" user join a public channel, and refuses a private room that user
// is not in). Refusals are as for Send.
func (n *Notifier) SendRoom(ctx context.Context, site, roomID, threadID, text string) error {
	hookURL := n.hookURL(ctx, site)
	if hookURL == "" {
		return fmt.Errorf("post to room: no incoming webhook configured for site %s", site)
	}
	reply := RoomReply(text, threadID)
	reply.Channel = "#" + roomID
	body, err := json.Marshal(reply)
	if err != nil {
		return fmt.Errorf("post to room: %w", err)
	}
	return n.post(ctx, site, hookURL, body)
}
