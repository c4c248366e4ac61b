// Command logout is the token-deletion Lambda: EventBridge Scheduler invokes it
// with a session.Job payload when a session's 7 days are over, and for retries
// of revocations GitHub has not confirmed. Wiring only.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"rcgithub/shared/awsapp"
)

func main() {
	lambda.Start(awsapp.Init().Logout)
}
