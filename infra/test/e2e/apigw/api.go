package apigw

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Invoker runs one invocation of a function and returns its result.
type Invoker func(ctx context.Context, event []byte) ([]byte, error)

// API is an HTTP API: routes ("METHOD /path", as in template.yaml) each
// integrated with a function.
type API struct {
	// BaseURL is the API's public URL, e.g. https://abc.execute-api.us-east-1.amazonaws.com.
	BaseURL string
	Routes  map[string]Invoker
	// Now tells the time for the events (default time.Now).
	Now func() time.Time
}

// Do sends r through the API: it builds the event, invokes the route's
// function and returns the response. A route the API does not have is
// answered 404 {"message":"Not Found"} without invoking anything, as API
// Gateway does.
func (a *API) Do(ctx context.Context, r Request) (Response, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return Response{}, fmt.Errorf("apigw: request URL: %w", err)
	}
	if !strings.HasPrefix(r.URL, a.BaseURL+"/") {
		return Response{}, fmt.Errorf("apigw: %s %s is not on the API %s", r.Method, u.Path, a.BaseURL)
	}
	invoke, ok := a.Routes[r.Method+" "+u.Path]
	if !ok {
		return Response{Status: http.StatusNotFound, Header: http.Header{"Content-Type": {"application/json"}},
			Body: []byte(`{"message":"Not Found"}`)}, nil
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	e, err := Event(r, rand.Text(), now())
	if err != nil {
		return Response{}, err
	}
	payload, err := json.Marshal(e)
	if err != nil {
		return Response{}, fmt.Errorf("apigw: encode event: %w", err)
	}
	result, err := invoke(ctx, payload)
	if err != nil {
		// API Gateway answers 500 when the integration fails; the test wants
		// to know why.
		return Response{}, fmt.Errorf("apigw: %s %s: %w", r.Method, u.Path, err)
	}
	return ParseResponse(result)
}
