package memstore_test

import (
	"testing"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/chatops/chatopstest"
	"rcgithub/shared/memstore"
)

func TestClaimsContract(t *testing.T) {
	chatopstest.TestClaims(t, func(_ *testing.T, now time.Time) chatops.Claims {
		return memstore.NewClaims(func() time.Time { return now })
	}, chatopstest.ClaimsOptions{Concurrent: true})
}
