package awsapp_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rcgithub/shared/sqsqueue"
)

// TestCommandsQueueSettings: the commands queue hides a message in work for
// at least 6 times the commands function's timeout (AWS's advice for an SQS
// event source, so that no second instance gets it meanwhile), is encrypted,
// parks what failed in a dead-letter queue that an alarm watches, accepts
// what the adapter sends, and the function reports failed items one by one.
func TestCommandsQueueSettings(t *testing.T) {
	number := func(text, field string) int {
		t.Helper()
		m := regexp.MustCompile(`(?m)^\s+` + field + `: (\d+)`).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("no %s in\n%s", field, text)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	fn := templateResource(t, "CommandsFunction")
	queue := templateResource(t, "CommandsQueue")
	if timeout, visibility := number(fn, "Timeout"), number(queue, "VisibilityTimeout"); visibility < 6*timeout {
		t.Errorf("CommandsQueue's VisibilityTimeout %d is under 6x the function's Timeout %d", visibility, timeout)
	}
	if got := number(queue, "MaximumMessageSize"); got != sqsqueue.MaxMessageBytes {
		t.Errorf("CommandsQueue's MaximumMessageSize %d, the adapter sends up to %d", got, sqsqueue.MaxMessageBytes)
	}
	for _, want := range []string{"SqsManagedSseEnabled: true", "deadLetterTargetArn: !GetAtt CommandsDeadLetterQueue.Arn", "maxReceiveCount:"} {
		if !strings.Contains(queue, want) {
			t.Errorf("CommandsQueue lacks %s", want)
		}
	}
	if !strings.Contains(templateResource(t, "CommandsDeadLetterQueue"), "SqsManagedSseEnabled: true") {
		t.Error("CommandsDeadLetterQueue is not encrypted")
	}
	if !strings.Contains(templateResource(t, "CommandsDeadLetterAlarm"), "Value: !GetAtt CommandsDeadLetterQueue.QueueName") {
		t.Error("no alarm watches CommandsDeadLetterQueue")
	}
	for _, want := range []string{"Queue: !GetAtt CommandsQueue.Arn", "FunctionResponseTypes: [ReportBatchItemFailures]", "LogGroup: !Ref CommandsLogGroup"} {
		if !strings.Contains(fn, want) {
			t.Errorf("CommandsFunction lacks %s", want)
		}
	}
}

// TestEventsGoToTheStacksBus: the template creates the bus, names it in the
// functions' environment, and lets them put events on that bus only.
func TestEventsGoToTheStacksBus(t *testing.T) {
	if !strings.Contains(templateResource(t, "EventBus"), "Type: AWS::Events::EventBus") {
		t.Error("EventBus is not an AWS::Events::EventBus")
	}
	globals := templateResource(t, "Function") // Globals' Function section
	for _, want := range []string{"EVENT_BUS_NAME: !Ref EventBus", "COMMANDS_QUEUE_URL: !Ref CommandsQueue"} {
		if !strings.Contains(globals, want) {
			t.Errorf("the functions' environment lacks %s", want)
		}
	}
	for policy, want := range map[string]string{
		"EventsPublishPolicy":     "Action: events:PutEvents\n            Resource: !GetAtt EventBus.Arn\n",
		"CommandsQueueSendPolicy": "Action: sqs:SendMessage\n            Resource: !GetAtt CommandsQueue.Arn\n",
	} {
		text := templateResource(t, policy)
		if !strings.Contains(text, want) || strings.Count(text, "Action:") != 1 {
			t.Errorf("%s grants more than %q:\n%s", policy, want, text)
		}
	}
}
