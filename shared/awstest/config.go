// Package awstest is test support for the AWS adapters: an aws.Config pointed
// at a local moto server, uniquely named throw-away resources, and a Counter
// of the AWS calls a flow makes. Import it from tests only.
//
// `make test` starts moto and sets MOTO_ENDPOINT; without it the tests that
// need AWS skip, unless REQUIRE_MOTO=1 makes that a failure (as in CI).
package awstest

import (
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region is the region every test client uses.
const Region = "us-east-1"

// Config returns an aws.Config for the moto server at $MOTO_ENDPOINT, with
// static dummy credentials. It skips the test when MOTO_ENDPOINT is unset, or
// fails it when REQUIRE_MOTO=1.
//
// The config is built by hand rather than loaded, so nothing of the machine's
// real AWS setup (profiles, AWS_ENDPOINT_URL_*, credentials) leaks in.
func Config(t testing.TB) aws.Config {
	t.Helper()
	endpoint := os.Getenv("MOTO_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("REQUIRE_MOTO") == "1" {
			t.Fatal("MOTO_ENDPOINT is not set but REQUIRE_MOTO=1: start moto (make moto-start prints its endpoint) and set MOTO_ENDPOINT to it")
		}
		t.Skip("needs a moto server: set MOTO_ENDPOINT (`make test` starts moto and runs these)")
	}
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}
