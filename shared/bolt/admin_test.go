package bolt

import (
	"testing"

	"rcgithub/shared/session/sessiontest"
)

// TestLiveSessions runs the admin listing's contract, shared with DynamoDB.
func TestLiveSessions(t *testing.T) {
	sessiontest.TestLiveSessions(t, openTest(t))
}
