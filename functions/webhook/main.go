// Command webhook is the Lambda behind API Gateway for POST /rocketchat/webhook (Rocket.Chat's outgoing webhook).
// Wiring only: the handlers live in shared/web.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/httpapi"
	"rcgithub/shared/web"
)

func main() {
	logger := slog.New(web.LogHandler(slog.NewJSONHandler(os.Stdout, nil)))
	app, err := awsapp.New(context.Background(), os.Getenv, awsapp.Options{Logger: logger})
	if err != nil {
		logger.Error("init failed", "error", err)
		os.Exit(1)
	}
	lambda.Start(httpapi.Handler(app.Web.Routes()))
}
