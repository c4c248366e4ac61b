// Command callback is the Lambda behind API Gateway for the OAuth pages: GET
// and POST /oauth/start, GET /oauth/callback; it answers 404 to every other
// path. Wiring only: the handlers live in shared/web.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/httpapi"
)

func main() {
	lambda.Start(httpapi.Handler(awsapp.Init().Web.OAuthRoutes()))
}
