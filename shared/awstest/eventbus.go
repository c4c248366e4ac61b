package awstest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	eventbridgeapi "github.com/aws/aws-sdk-go-v2/service/eventbridge"
)

// EventBus creates an EventBridge event bus, deleted when the test ends, and
// returns its name.
func EventBus(t testing.TB, cfg aws.Config) string {
	t.Helper()
	client := eventbridgeapi.NewFromConfig(cfg)
	name := UniqueName("events")
	if _, err := client.CreateEventBus(t.Context(), &eventbridgeapi.CreateEventBusInput{Name: aws.String(name)}); err != nil {
		t.Fatalf("create event bus: %v", err)
	}
	whenDone(t, "delete event bus "+name, func(ctx context.Context) error {
		_, err := client.DeleteEventBus(ctx, &eventbridgeapi.DeleteEventBusInput{Name: aws.String(name)})
		return err
	})
	return name
}
