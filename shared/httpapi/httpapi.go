// Package httpapi runs a net/http handler behind Amazon API Gateway's HTTP API
// (payload format 2.0), so the Lambdas serve exactly the handlers the local
// server mounts. It is a few dozen lines instead of a dependency, which keeps
// the cold start small.
package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"rcgithub/shared/web"
)

// Handler adapts h to a Lambda handler for HTTP API events.
func Handler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		req, err := Request(ctx, e)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadRequest,
				Headers: map[string]string{"Content-Type": "application/json"},
				Body:    `{"error":"malformed request"}`}, nil
		}
		rec := newRecorder()
		h.ServeHTTP(rec, req)
		return rec.response(), nil
	}
}

// Request builds the http.Request an HTTP API event describes.
func Request(ctx context.Context, e events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	body := e.Body
	if e.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(e.Body)
		if err != nil {
			return nil, fmt.Errorf("httpapi: body is not base64: %w", err)
		}
		body = string(b)
	}
	raw := e.RawPath
	if raw == "" {
		raw = e.RequestContext.HTTP.Path
	}
	// rawPath is as the client sent it, percent-encoded.
	u, err := url.Parse(raw)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return nil, fmt.Errorf("httpapi: bad path %q", raw)
	}
	u.RawQuery = e.RawQueryString
	method := e.RequestContext.HTTP.Method
	if method == "" {
		return nil, fmt.Errorf("httpapi: event has no method")
	}
	if e.RequestContext.RequestID != "" {
		// API Gateway's id (like "JKJaXmPLvHcESHA=") goes in the context, which
		// only code sets: a client's X-Request-Id header never replaces it.
		ctx = web.WithRequestID(ctx, e.RequestContext.RequestID)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	for k, v := range e.Headers {
		// HTTP API joins repeated headers with commas; that is valid HTTP.
		req.Header.Set(k, v)
	}
	if len(e.Cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(e.Cookies, "; "))
	}
	req.Host = e.RequestContext.DomainName
	req.RemoteAddr = e.RequestContext.HTTP.SourceIP
	req.RequestURI = u.RequestURI()
	req.ContentLength = int64(len(body))
	return req, nil
}

// recorder is the http.ResponseWriter a handler writes its answer into: the
// headers as they were when the status was written, the status (200 when the
// handler wrote none) and the body.
type recorder struct {
	header  http.Header // what the handler sets
	sent    http.Header // header as of WriteHeader
	status  int
	body    bytes.Buffer
	written bool
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.written {
		return // as net/http: the first status wins
	}
	r.written, r.status, r.sent = true, status, r.header.Clone()
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.written {
		if r.header.Get("Content-Type") == "" {
			// as net/http does for a handler that set none
			r.header.Set("Content-Type", http.DetectContentType(b))
		}
		r.WriteHeader(http.StatusOK)
	}
	return r.body.Write(b)
}

// response turns what the handler wrote into an HTTP API response. Set-Cookie
// headers go into Cookies, as payload 2.0 requires.
func (r *recorder) response() events.APIGatewayV2HTTPResponse {
	r.WriteHeader(http.StatusOK) // no-op when the handler wrote a status
	out := events.APIGatewayV2HTTPResponse{StatusCode: r.status, Headers: map[string]string{}}
	for k, vs := range r.sent {
		if k == "Set-Cookie" {
			out.Cookies = append(out.Cookies, vs...)
			continue
		}
		out.Headers[k] = strings.Join(vs, ", ")
	}
	body := r.body.Bytes()
	if utf8.Valid(body) {
		out.Body = string(body)
	} else {
		out.Body = base64.StdEncoding.EncodeToString(body)
		out.IsBase64Encoded = true
	}
	return out
}
