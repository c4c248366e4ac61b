package faults_test

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"rcgithub/infra/test/faults"
	"rcgithub/shared/config"
	"rcgithub/shared/memapp"
)

func ExampleAWSFaults() {
	cfg := aws.Config{Region: "us-east-1"} // in the tests: awstest.Config(t), pointed at moto
	inj := faults.NewAWSFaults()
	inj.Install(&cfg) // before creating the clients
	// The second PutItem from now on answers 500 on every attempt: the SDK
	// retries, gives up, and the caller sees DynamoDB's InternalServerError.
	inj.Set(faults.AWSRule{Op: "DynamoDB.PutItem", Call: 2, Kind: faults.ServerError})
	// ... create clients from cfg, run a flow, then look at what it called:
	fmt.Println(len(inj.Calls()), inj.Hits())
	// Output: 0 0
}

func ExamplePorts() {
	env := map[string]string{"GITHUB_CLIENT_ID": "Iv1.example", "GITHUB_CLIENT_SECRET": "example-client-secret",
		"ROCKETCHAT_WEBHOOK_TOKEN": "example-webhook-token-0123456789"}
	cfg, err := config.LoadLocal(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}
	app, err := memapp.New(cfg, memapp.Options{}) // the worlds use localapp or awsapp
	if err != nil {
		fmt.Println(err)
		return
	}
	ports := faults.NewPorts(app.Service) // wraps the Store, Scheduler, Sealer and GitHub it was wired with
	// The process dies right after the next token exchange: the request that
	// made it ends there, as if the process had been killed.
	ports.Set(faults.PortRule{Op: "GitHub.Exchange", Effect: faults.Die})
	// ... run a login through app.Service, then check the invariants with an
	// Inspector whose Ledger is ports.
	fmt.Println(ports.Calls(), ports.Jobs())
	// Output: [] []
}
