package faults

import (
	"fmt"
	"net/http"

	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrorKind is the error an AWSRule makes AWS answer.
type ErrorKind int

const (
	// ServerError is an HTTP 500: DynamoDB's InternalServerError, KMS's
	// KMSInternalException, EventBridge Scheduler's InternalServerException.
	ServerError ErrorKind = iota
	// Throttling is DynamoDB's ProvisionedThroughputExceededException (400),
	// KMS's ThrottlingException (400) or Scheduler's ThrottlingException (429).
	Throttling
)

func (k ErrorKind) String() string {
	if k == Throttling {
		return "throttling"
	}
	return "5xx"
}

// awsError is how one service words one kind of error.
type awsError struct {
	status int
	code   string
}

// awsErrors are the errors each service sends, by the SDK's service id.
var awsErrors = map[string]map[ErrorKind]awsError{
	"DynamoDB": {
		ServerError: {http.StatusInternalServerError, "com.amazonaws.dynamodb.v20120810#InternalServerError"},
		Throttling:  {http.StatusBadRequest, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"},
	},
	"KMS": {
		ServerError: {http.StatusInternalServerError, "KMSInternalException"},
		Throttling:  {http.StatusBadRequest, "ThrottlingException"},
	},
	"Scheduler": {
		ServerError: {http.StatusInternalServerError, "InternalServerException"},
		Throttling:  {http.StatusTooManyRequests, "ThrottlingException"},
	},
}

// errorResponse is the answer service gives for kind. The error type goes in
// both places the SDK's protocols read it from: the X-Amzn-ErrorType header
// (REST-JSON, Scheduler) and the body's __type (JSON 1.0/1.1, DynamoDB and KMS).
func errorResponse(service string, kind ErrorKind) *smithyhttp.Response {
	e, ok := awsErrors[service][kind]
	if !ok {
		e = awsError{http.StatusInternalServerError, "InternalFailure"}
	}
	header := http.Header{}
	header.Set("X-Amzn-ErrorType", e.code)
	header.Set("Content-Type", "application/x-amz-json-1.0")
	body := fmt.Sprintf(`{"__type":%q,"message":"injected fault","Message":"injected fault"}`, e.code)
	return response(e.status, header, body)
}
