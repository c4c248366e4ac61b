// Command webhook is the Lambda behind API Gateway for POST /rocketchat/webhook
// (Rocket.Chat's outgoing webhook); it answers 404 to every other path.
// Wiring only: the handlers live in shared/web.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/httpapi"
)

func main() {
	lambda.Start(httpapi.Handler(awsapp.Init().Web.WebhookRoutes()))
}
