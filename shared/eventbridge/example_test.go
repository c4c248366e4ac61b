package eventbridge_test

import (
	"fmt"

	"rcgithub/shared/eventbridge"
)

// The logout Lambda function receives a schedule's input as its event and
// decodes it strictly before acting on it.
func ExampleParseJob() {
	job, err := eventbridge.ParseJob([]byte(`{"site":"https://chat.example.com","user":"u1","generation":42,"attempt":1}`))
	fmt.Printf("%+v %v\n", job, err)

	_, err = eventbridge.ParseJob([]byte(`{"site":"https://chat.example.com","user":"u1","generation":42,"admin":true}`))
	fmt.Println(err)
	// Output:
	// {Site:https://chat.example.com UserID:u1 Generation:42 Attempt:1 Postponed:0} <nil>
	// parse logout job: unknown field "admin"
}
