package apigw

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// Response is the HTTP response API Gateway sends the client.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// ParseResponse turns a function's result (an HTTP API payload 2.0 response)
// into the HTTP response API Gateway makes of it: each of cookies becomes a
// Set-Cookie header and a base64 body is decoded.
func ParseResponse(result []byte) (Response, error) {
	var out events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(result, &out); err != nil {
		return Response{}, fmt.Errorf("apigw: function result is not an HTTP API response: %w", err)
	}
	if out.StatusCode == 0 {
		return Response{}, fmt.Errorf("apigw: function result has no statusCode: %.200s", result)
	}
	h := http.Header{}
	for k, v := range out.Headers {
		h.Set(k, v)
	}
	for k, vs := range out.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range out.Cookies {
		h.Add("Set-Cookie", c)
	}
	body := []byte(out.Body)
	if out.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(out.Body); err != nil {
			return Response{}, fmt.Errorf("apigw: base64 body: %w", err)
		}
	}
	return Response{Status: out.StatusCode, Header: h, Body: body}, nil
}
