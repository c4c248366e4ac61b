package httpapi_test

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"rcgithub/shared/config"
	"rcgithub/shared/httpapi"
	"rcgithub/shared/web"
)

func event(method, path, query, body string) events.APIGatewayV2HTTPRequest {
	e := events.APIGatewayV2HTTPRequest{RawPath: path, RawQueryString: query, Body: body,
		Headers: map[string]string{"content-type": "application/json"}}
	e.RequestContext.HTTP.Method = method
	e.RequestContext.HTTP.Path = path
	e.RequestContext.DomainName = "abc.execute-api.us-east-1.amazonaws.com"
	return e
}

func TestHandler(t *testing.T) {
	var seen *http.Request
	var seenBody string
	h := httpapi.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		b, _ := io.ReadAll(r.Body)
		seenBody = string(b)
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, "<p>hi</p>")
	}))

	e := event("GET", "/oauth/callback", "code=c&state=s", "")
	e.Cookies = []string{"rcgh_login=x", "other=y"}
	resp, err := h(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	if seen.Method != "GET" || seen.URL.Path != "/oauth/callback" || seen.URL.Query().Get("state") != "s" {
		t.Fatalf("request %s %s", seen.Method, seen.URL)
	}
	if c, err := seen.Cookie("rcgh_login"); err != nil || c.Value != "x" {
		t.Fatalf("cookie: %v %v", c, err)
	}
	if seen.Header.Get("Content-Type") != "application/json" || seen.Host != e.RequestContext.DomainName {
		t.Fatalf("headers %v host %s", seen.Header, seen.Host)
	}
	if resp.StatusCode != http.StatusTeapot || resp.Body != "<p>hi</p>" || resp.Headers["Content-Type"] != "text/html" {
		t.Fatalf("response %+v", resp)
	}
	if !reflect.DeepEqual(resp.Cookies, []string{"a=1", "b=2"}) {
		t.Fatalf("cookies %v", resp.Cookies)
	}
	if _, ok := resp.Headers["Set-Cookie"]; ok {
		t.Fatal("Set-Cookie left in headers")
	}

	e = event("POST", "/rocketchat/webhook", "", base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)))
	e.IsBase64Encoded = true
	if _, err := h(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if seenBody != `{"a":1}` || seen.ContentLength != 7 {
		t.Fatalf("base64 body decoded to %q (len %d)", seenBody, seen.ContentLength)
	}

	bad := event("POST", "/x", "", "!!!")
	bad.IsBase64Encoded = true
	resp, err = h(context.Background(), bad)
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad base64: %+v %v", resp, err)
	}
}

func TestRequestPathIsDecodedOnce(t *testing.T) {
	e := event("GET", "/a%20b/c%2Fd", "x=1&x=2", "")
	r, err := httpapi.Request(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	if r.URL.Path != "/a b/c/d" || r.URL.EscapedPath() != "/a%20b/c%2Fd" || r.RequestURI != "/a%20b/c%2Fd?x=1&x=2" {
		t.Fatalf("path %q escaped %q request URI %q", r.URL.Path, r.URL.EscapedPath(), r.RequestURI)
	}
	if got := r.URL.Query()["x"]; len(got) != 2 {
		t.Fatalf("repeated query keys: %v", got)
	}
}

func TestResponseBinaryBody(t *testing.T) {
	h := httpapi.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte{0xff, 0xfe})
	}))
	resp, err := h(context.Background(), event("GET", "/", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	if !resp.IsBase64Encoded || resp.Body != base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe}) {
		t.Fatalf("binary body: %+v", resp)
	}
}

// API Gateway's request id (its real form ends in "=") is the one the service
// logs, whatever X-Request-Id the client sent.
func TestAPIGatewayRequestIDIsLogged(t *testing.T) {
	var logs strings.Builder
	logger := slog.New(web.LogHandler(slog.NewJSONHandler(&logs, nil)))
	wh, err := web.New(noService{}, web.Config{PublicURL: "https://abc.execute-api.us-east-1.amazonaws.com", TriggerWords: []string{"/github"},
		SessionTTL: time.Hour, Sites: config.FixedSites(nil), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	h := httpapi.Handler(wh.Routes())
	e := event("GET", "/nowhere", "", "")
	e.RequestContext.RequestID = "JKJaXmPLvHcESHA="
	e.Headers["x-request-id"] = "client-chosen-id"
	if _, err := h(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"request_id":"JKJaXmPLvHcESHA="`) || strings.Contains(logs.String(), "client-chosen-id") {
		t.Fatalf("access log does not carry API Gateway's request id:\n%s", logs.String())
	}
}

// noService has nothing: a request for an unknown path never reaches it.
type noService struct{ web.Service }
