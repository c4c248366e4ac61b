// Command commands is the Lambda that finishes the chat commands the webhook
// could not answer inside Rocket.Chat's wait (a slow GitHub): its SQS event
// source is the commands queue, and it answers each user by direct message.
// Wiring only: the handler lives in shared/awsapp.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"rcgithub/shared/awsapp"
)

func main() {
	lambda.Start(awsapp.Init().Deferred)
}
