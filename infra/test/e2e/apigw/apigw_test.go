package apigw_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"rcgithub/infra/test/e2e/apigw"
	"rcgithub/shared/httpapi"
)

const base = "https://abc123.execute-api.us-east-1.amazonaws.com"

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// The events must be what the product's adapter (shared/httpapi) turns back
// into the request the client sent.
func TestEventRoundTripsThroughTheAdapter(t *testing.T) {
	form := url.Values{"link": {"a b&c"}}.Encode()
	tests := []struct {
		name       string
		req        apigw.Request
		wantBase64 bool
	}{{
		name: "form post with cookies",
		req: apigw.Request{Method: http.MethodPost, URL: base + "/oauth/start",
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Cookie": {"a=1; b=2"}},
			Body:   []byte(form)},
		wantBase64: true,
	}, {
		name: "JSON webhook",
		req: apigw.Request{Method: http.MethodPost, URL: base + "/rocketchat/webhook",
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"text":"/github help"}`)},
	}, {
		name: "GET with a query and repeated headers",
		req: apigw.Request{Method: http.MethodGet, URL: base + "/oauth/callback?code=c0de&state=s%2Bt&x=1&x=2",
			Header: http.Header{"Accept": {"text/html", "*/*"}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := apigw.Event(tt.req, "req-1", now)
			if err != nil {
				t.Fatal(err)
			}
			if e.Version != "2.0" || e.RouteKey != e.RequestContext.HTTP.Method+" "+e.RawPath || e.RequestContext.RequestID != "req-1" {
				t.Errorf("version %q, route key %q, request id %q", e.Version, e.RouteKey, e.RequestContext.RequestID)
			}
			if e.IsBase64Encoded != tt.wantBase64 {
				t.Errorf("isBase64Encoded = %v, want %v", e.IsBase64Encoded, tt.wantBase64)
			}
			for name := range e.Headers {
				if name != strings.ToLower(name) || name == "cookie" {
					t.Errorf("header %q: API Gateway lower-cases names and moves cookies out", name)
				}
			}
			// Through JSON, as the function receives it.
			raw, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			var got events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			r, err := httpapi.Request(context.Background(), got)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := url.Parse(tt.req.URL)
			body, _ := io.ReadAll(r.Body)
			if r.Method != tt.req.Method || r.URL.Path != want.Path || r.URL.RawQuery != want.RawQuery || string(body) != string(tt.req.Body) {
				t.Errorf("adapter made %s %s?%s body %q; want %s %s?%s body %q", r.Method, r.URL.Path, r.URL.RawQuery, body,
					tt.req.Method, want.Path, want.RawQuery, tt.req.Body)
			}
			for name, values := range tt.req.Header {
				if name == "Cookie" {
					continue
				}
				if got := r.Header.Get(name); got != strings.Join(values, ",") {
					t.Errorf("header %s = %q, want %q", name, got, strings.Join(values, ","))
				}
			}
			if tt.req.Header.Get("Cookie") != "" {
				a, errA := r.Cookie("a")
				b, errB := r.Cookie("b")
				if errA != nil || errB != nil || a.Value != "1" || b.Value != "2" {
					t.Errorf("cookies: %v %v %v %v", a, errA, b, errB)
				}
			}
		})
	}
}

func TestParseResponse(t *testing.T) {
	resp, err := apigw.ParseResponse([]byte(`{"statusCode":303,"headers":{"Location":"https://github.com/x"},` +
		`"cookies":["a=1; Path=/","b=2"],"body":"aGk=","isBase64Encoded":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 303 || resp.Header.Get("Location") != "https://github.com/x" || string(resp.Body) != "hi" ||
		strings.Join(resp.Header.Values("Set-Cookie"), "|") != "a=1; Path=/|b=2" {
		t.Errorf("ParseResponse = %+v", resp)
	}
	for _, bad := range []string{`null`, `{"body":"no status"}`, `{"statusCode":200,"body":"!","isBase64Encoded":true}`} {
		if _, err := apigw.ParseResponse([]byte(bad)); err == nil {
			t.Errorf("ParseResponse(%s) accepted it", bad)
		}
	}
}

func TestAPI(t *testing.T) {
	invoked := 0
	broken := errors.New("function crashed")
	api := &apigw.API{BaseURL: base, Routes: map[string]apigw.Invoker{
		"GET /ok": func(context.Context, []byte) ([]byte, error) {
			invoked++
			return []byte(`{"statusCode":200,"body":"ok"}`), nil
		},
		"GET /broken": func(context.Context, []byte) ([]byte, error) { return nil, broken },
	}}
	ctx := context.Background()
	if resp, err := api.Do(ctx, apigw.Request{Method: http.MethodGet, URL: base + "/ok"}); err != nil || string(resp.Body) != "ok" {
		t.Errorf("GET /ok: %+v, %v", resp, err)
	}
	if resp, err := api.Do(ctx, apigw.Request{Method: http.MethodPost, URL: base + "/ok"}); err != nil || resp.Status != http.StatusNotFound {
		t.Errorf("POST /ok (no such route): %+v, %v; want 404", resp, err)
	}
	if invoked != 1 {
		t.Errorf("the function ran %d times, want 1 (not for the missing route)", invoked)
	}
	if _, err := api.Do(ctx, apigw.Request{Method: http.MethodGet, URL: base + "/broken"}); !errors.Is(err, broken) {
		t.Errorf("GET /broken: %v, want the function's error", err)
	}
	if _, err := api.Do(ctx, apigw.Request{Method: http.MethodGet, URL: "https://github.com/ok"}); err == nil {
		t.Error("a request to another host went through the API")
	}
}

// The browser keeps the cookies the functions set, sends them back, and
// forgets one the function deletes.
func TestBrowserCookies(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "__Host-login", Value: "s3cret", Path: "/", MaxAge: 600, Secure: true, HttpOnly: true,
			SameSite: http.SameSiteLaxMode})
	})
	mux.HandleFunc("GET /clear", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "__Host-login", Path: "/", MaxAge: -1, Secure: true})
	})
	mux.HandleFunc("GET /echo", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Header.Get("Cookie"))
	})
	fn := httpapi.Handler(mux)
	invoke := func(ctx context.Context, event []byte) ([]byte, error) {
		var e events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(event, &e); err != nil {
			return nil, err
		}
		resp, err := fn(ctx, e)
		if err != nil {
			return nil, err
		}
		return json.Marshal(resp)
	}
	api := &apigw.API{BaseURL: base, Routes: map[string]apigw.Invoker{"GET /set": invoke, "GET /clear": invoke, "GET /echo": invoke}}
	b := apigw.NewBrowser(api)
	echo := func() string {
		resp, err := b.Get(context.Background(), base+"/echo")
		if err != nil {
			t.Fatal(err)
		}
		return string(resp.Body)
	}
	if got := echo(); got != "" {
		t.Errorf("a new browser sent cookies %q", got)
	}
	if _, err := b.Get(context.Background(), base+"/set"); err != nil {
		t.Fatal(err)
	}
	if got := echo(); got != "__Host-login=s3cret" {
		t.Errorf("after /set the browser sent %q", got)
	}
	if _, err := b.Get(context.Background(), base+"/clear"); err != nil {
		t.Fatal(err)
	}
	if got := echo(); got != "" {
		t.Errorf("after /clear the browser sent %q", got)
	}
}
