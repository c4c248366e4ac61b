// Command logout is the token-deletion Lambda: EventBridge Scheduler invokes it
// with a session.Job payload when a session's 7 days are over, and for retries
// of revocations GitHub has not confirmed. Wiring only.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/web"
)

func main() {
	logger := slog.New(web.LogHandler(slog.NewJSONHandler(os.Stdout, nil)))
	app, err := awsapp.New(context.Background(), os.Getenv, awsapp.Options{Logger: logger})
	if err != nil {
		logger.Error("init failed", "error", err)
		os.Exit(1)
	}
	lambda.Start(app.Logout)
}
