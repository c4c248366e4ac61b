package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

type requestIDKey struct{}

type requestAttrsKey struct{}

// requestAttrs collects what a handler learns about its request (the site,
// the user, the command) for the request's one access-log line.
type requestAttrs struct{ attrs []slog.Attr }

// annotate adds attributes to the access-log line of the request ctx belongs to.
func annotate(ctx context.Context, attrs ...slog.Attr) {
	if ra, ok := ctx.Value(requestAttrsKey{}).(*requestAttrs); ok {
		ra.attrs = append(ra.attrs, attrs...)
	}
}

// WithRequestID returns ctx carrying a request id, for work that does not come
// through the HTTP routes (the scheduled logout gets Lambda's request id).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// accessLog logs one line per request: method, path (never the query: it holds
// OAuth codes and states), status, duration and what the handler annotated,
// under a request id taken from X-Request-Id (API Gateway's id, set by httpapi)
// or made here. One line, not several: each is a write to stdout.
func accessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		ra := &requestAttrs{}
		r = r.WithContext(context.WithValue(WithRequestID(r.Context(), id), requestAttrsKey{}, ra))
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		attrs := append([]slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Int64("duration_us", time.Since(start).Microseconds())}, ra.attrs...)
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
// context carries its request_id.
func LogHandler(inner slog.Handler) slog.Handler { return requestIDHandler{inner} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
