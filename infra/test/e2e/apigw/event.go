// Package apigw plays Amazon API Gateway's HTTP API in front of the Lambdas:
// it turns HTTP requests into payload format 2.0 events as API Gateway builds
// them, routes them like template.yaml's HttpApi, turns the functions'
// results back into HTTP responses, and carries cookies like a browser.
package apigw

import (
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Request is an HTTP request as a client sends it to the API.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// SourceIP is the client's address (default 203.0.113.10).
	SourceIP string
}

// Event returns the HTTP API payload 2.0 event API Gateway hands a Lambda
// integration for r: header names lower-cased, repeated headers joined with
// commas, the Cookie header moved into cookies, the query kept raw and also
// parsed (repeated values joined with commas), the body base64-encoded unless
// its content type is text (JSON or text/*), and the request context with the
// route, stage, request id and time.
func Event(r Request, requestID string, now time.Time) (events.APIGatewayV2HTTPRequest, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return events.APIGatewayV2HTTPRequest{}, fmt.Errorf("apigw: request URL: %w", err)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	sourceIP := r.SourceIP
	if sourceIP == "" {
		sourceIP = "203.0.113.10"
	}
	headers := map[string]string{}
	var cookies []string
	for name, values := range r.Header {
		if strings.EqualFold(name, "Cookie") {
			for _, v := range values {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	headers["host"] = u.Host
	headers["x-forwarded-for"] = sourceIP
	headers["x-forwarded-port"] = "443"
	headers["x-forwarded-proto"] = "https"
	headers["x-amzn-trace-id"] = "Root=1-" + strconv.FormatInt(now.Unix(), 16) + "-" + requestID
	if len(r.Body) > 0 {
		headers["content-length"] = strconv.Itoa(len(r.Body))
	}
	var query map[string]string
	if u.RawQuery != "" {
		query = map[string]string{}
		for k, vs := range u.Query() {
			query[k] = strings.Join(vs, ",")
		}
	}
	body, b64 := string(r.Body), false
	if len(r.Body) > 0 && !isText(headers["content-type"]) {
		body, b64 = base64.StdEncoding.EncodeToString(r.Body), true
	}
	routeKey := r.Method + " " + u.Path
	apiID, _, _ := strings.Cut(u.Host, ".")
	return events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               path,
		RawQueryString:        u.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    "123456789012",
			Stage:        "$default",
			RequestID:    requestID,
			APIID:        apiID,
			DomainName:   u.Host,
			DomainPrefix: apiID,
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      u.Path,
				Protocol:  "HTTP/1.1",
				SourceIP:  sourceIP,
				UserAgent: r.Header.Get("User-Agent"),
			},
		},
		Body:            body,
		IsBase64Encoded: b64,
	}, nil
}

// isText reports whether API Gateway passes a body of this content type as
// text rather than base64: JSON and text/* (form posts arrive base64-encoded).
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "text/")
}
