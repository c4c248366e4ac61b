package web

import (
	"net/http"
	"sync"

	"rcgithub/shared/rocketchat"
)

// Header values shared by every reply, so that setting them allocates
// nothing; nothing in net/http changes a header value in place.
var (
	jsonContentType = []string{"application/json"}
	noStore         = []string{"no-store"}
)

// replyBuffers hold answers being written; a reply is a few hundred bytes.
var replyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// writeReply answers status with reply: the bytes and headers json.Encoder
// gives it in writeJSON, without reflection.
func writeReply(w http.ResponseWriter, status int, reply rocketchat.Reply) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Cache-Control"] = noStore
	w.WriteHeader(status)
	buf := replyBuffers.Get().(*[]byte)
	b := append(rocketchat.AppendReplyJSON((*buf)[:0], reply), '\n') // as json.Encoder ends it
	_, _ = w.Write(b)
	if cap(b) <= 64<<10 { // an outsized one is let go
		*buf = b
		replyBuffers.Put(buf)
	}
}
