package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"
)

// maxLogString bounds every string a log line carries: callers choose paths,
// query parameters (GitHub's error code) and headers, and a megabyte of them
// must not become a megabyte of log.
const maxLogString = 2048

// clientRequestID is the only form of X-Request-Id taken from a client (a
// reverse proxy in front of the local server: nginx's hex $request_id, a
// UUID): short, and nothing that could pass for another field of the line.
var clientRequestID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

type requestIDKey struct{}

type requestKey struct{}

// request is what the access log keeps of a request while it is served, in
// one allocation: its id, what the handler learns about it (the site, the
// user, the command) for its one access-log line, and the status written.
type request struct {
	id     string
	attrs  []slog.Attr
	inline [6]slog.Attr // attrs' room: a handler annotates a few
	statusWriter
}

// annotate adds attributes to the access-log line of the request ctx belongs to.
func annotate(ctx context.Context, attrs ...slog.Attr) {
	if req, ok := ctx.Value(requestKey{}).(*request); ok {
		req.attrs = append(req.attrs, attrs...)
	}
}

// WithRequestID returns ctx carrying a request id, for work that does not come
// through the HTTP routes (the scheduled logout gets Lambda's request id).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if req, ok := ctx.Value(requestKey{}).(*request); ok {
		return req.id
	}
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// accessLog logs one line per request: method, path (never the query: it holds
// OAuth codes and states), status, duration and what the handler annotated,
// every string cut to maxLogString. The request id is the one already in the
// request's context (API Gateway's, put there by httpapi), else the client's
// X-Request-Id when it has the strict form of clientRequestID, else made here.
// One line, not several: each is a write to stdout.
func accessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := RequestID(r.Context())
		if id == "" {
			id = r.Header.Get("X-Request-Id")
			if !clientRequestID.MatchString(id) {
				var b [8]byte
				_, _ = rand.Read(b[:])
				var text [16]byte
				hex.Encode(text[:], b[:])
				id = string(text[:])
			}
		}
		req := &request{id: id, statusWriter: statusWriter{ResponseWriter: w, status: http.StatusOK}}
		req.attrs = req.inline[:0]
		r = r.WithContext(context.WithValue(r.Context(), requestKey{}, req))
		start := time.Now()
		next.ServeHTTP(&req.statusWriter, r)
		var room [12]slog.Attr
		attrs := append(append(room[:0], slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", req.status), slog.Int64("duration_us", time.Since(start).Microseconds())), req.attrs...)
		for i := range attrs {
			attrs[i] = boundAttr(attrs[i])
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// LogHandler wraps a slog.Handler so that every record logged with a request's
// context carries its request_id, and no string in a record, its message or
// an attribute (an error's text included), is longer than maxLogString.
func LogHandler(inner slog.Handler) slog.Handler { return requestIDHandler{inner} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	id := RequestID(ctx)
	if len(r.Message) <= maxLogString && !anyAttrOverBound(r) && len(id) <= maxLogString {
		// The usual record: nothing to cut, so no copy of its attributes.
		if id != "" {
			r = r.Clone() // Clone lets AddAttrs leave the caller's record alone
			r.AddAttrs(slog.String("request_id", id))
		}
		return h.Handler.Handle(ctx, r)
	}
	bounded := slog.NewRecord(r.Time, r.Level, boundString(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		bounded.AddAttrs(boundAttr(a))
		return true
	})
	if id != "" {
		bounded.AddAttrs(slog.String("request_id", boundString(id)))
	}
	return h.Handler.Handle(ctx, bounded)
}

// anyAttrOverBound reports whether boundAttr would change an attribute of r.
func anyAttrOverBound(r slog.Record) bool {
	over := false
	r.Attrs(func(a slog.Attr) bool {
		switch a.Value.Kind() {
		case slog.KindString:
			over = len(a.Value.String()) > maxLogString
		case slog.KindInt64, slog.KindUint64, slog.KindFloat64, slog.KindBool, slog.KindDuration, slog.KindTime:
		default: // groups, errors, other values and log valuers: boundAttr decides
			over = true
		}
		return !over
	})
	return over
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	bounded := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		bounded[i] = boundAttr(a)
	}
	return requestIDHandler{h.Handler.WithAttrs(bounded)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// boundAttr cuts the strings of a to maxLogString: string values, groups'
// members, and the text of errors and other values when it is longer.
func boundAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		if len(v.String()) > maxLogString {
			return slog.String(a.Key, boundString(v.String()))
		}
	case slog.KindGroup:
		members := v.Group()
		bounded := make([]slog.Attr, len(members))
		for i, m := range members {
			bounded[i] = boundAttr(m)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(bounded...)}
	case slog.KindAny:
		var text string
		if err, ok := v.Any().(error); ok {
			text = err.Error()
		} else {
			text = fmt.Sprint(v.Any())
		}
		if len(text) > maxLogString {
			return slog.String(a.Key, boundString(text))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// boundString cuts s to maxLogString bytes at a character boundary and says
// how much was cut.
func boundString(s string) string {
	if len(s) <= maxLogString {
		return s
	}
	cut := maxLogString
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "...(" + strconv.Itoa(len(s)-cut) + " more bytes)"
}
