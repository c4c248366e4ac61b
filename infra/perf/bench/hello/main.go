// Command hello is the cold-start limit for the benchmark: the aws-lambda-go
// hello world, built like the service's functions. Nothing a Go Lambda does
// can start faster.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) (string, error) { return "hello", nil })
}
