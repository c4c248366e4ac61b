// Package rocketchat speaks Rocket.Chat's integration protocols: the outgoing
// webhook's request and answer, command parsing, and the incoming webhook used
// to send direct messages later.
package rocketchat

import (
	"bytes"
	"encoding/json"
)

// Message is the body of an outgoing webhook request (event "Message Sent").
// channel_name is absent for direct-message rooms; token may be absent when the
// admin left it blank.
type Message struct {
	Token string `json:"token"`
	// Bot is true for a message posted by an integration or an app. Rocket.Chat
	// sends false for people; for bots current versions send true
	// (Boolean(message.bot)) and older ones the message's bot object, such as
	// {"i":"<integration id>"}. Decoding takes any value but false or absent
	// as a bot message (see UnmarshalJSON); encoding writes a boolean.
	Bot         bool   `json:"bot"`
	TriggerWord string `json:"trigger_word"`
	ChannelID   string `json:"channel_id"`
	ChannelName string `json:"channel_name"`
	MessageID   string `json:"message_id"`
	Timestamp   string `json:"timestamp"`
	UserID      string `json:"user_id"`
	UserName    string `json:"user_name"`
	Text        string `json:"text"`
	SiteURL     string `json:"siteUrl"`
	Alias       string `json:"alias,omitempty"`
	IsEdited    bool   `json:"isEdited,omitempty"`
	ThreadID    string `json:"tmid,omitempty"`
}

// UnmarshalJSON decodes a Message as encoding/json would, except that "bot"
// may hold any JSON value: only false or an absent key is a person.
func (m *Message) UnmarshalJSON(data []byte) error {
	if decoded, ok := decodeSimple(data); ok { // the usual body, without reflection (decode.go)
		*m = decoded
		return nil
	}
	type fields Message // no methods: no recursion
	var w struct {
		fields
		Bot json.RawMessage `json:"bot"` // shallower than fields.Bot: it wins
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*m = Message(w.fields)
	m.Bot = len(w.Bot) > 0 && !bytes.Equal(bytes.TrimSpace(w.Bot), []byte("false"))
	return nil
}

// Reply is the JSON answer to an outgoing webhook. Rocket.Chat posts it only
// when it has text or attachments; an empty object means "nothing to say".
type Reply struct {
	Text    string `json:"text,omitempty"`
	Channel string `json:"channel,omitempty"`
	// ParseURLs false stops Rocket.Chat's server from fetching link previews.
	ParseURLs *bool `json:"parseUrls,omitempty"`
	// ThreadID posts the answer in a thread (Rocket.Chat's tmid).
	ThreadID string `json:"tmid,omitempty"`
}

// DirectReply is a reply delivered as a direct message to the named user
// ("@username" or "@userid"; Rocket.Chat resolves both), without link previews.
func DirectReply(user, text string) Reply {
	no := false
	return Reply{Text: text, Channel: "@" + user, ParseURLs: &no}
}
