package main

import (
	"os/exec"
	"strings"
	"testing"
)

// forbiddenDeps are packages the one-machine server must not link: the AWS
// SDK and the AWS wiring (admin commands live in infra/admin for this), and
// the test stand-ins and harnesses, apart from the sandbox's GitHub
// (shared/githubtest), which GITHUB_SANDBOX=true serves.
var forbiddenDeps = []string{
	"github.com/aws/",
	"rcgithub/shared/awsapp",
	"rcgithub/shared/awstest",
	"rcgithub/shared/rocketchattest",
	"rcgithub/shared/memapp",
	"rcgithub/shared/memstore",
	"rcgithub/shared/session/sessiontest",
	"rcgithub/infra/test/",
	"rcgithub/infra/perf/",
}

func TestServerLinksNoAWSNorTestStandIns(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "rcgithub/infra/local").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps printed %d packages: %q", len(deps), out)
	}
	for _, dep := range deps {
		for _, bad := range forbiddenDeps {
			if dep == bad || strings.HasPrefix(dep, bad+"/") || (strings.HasSuffix(bad, "/") && strings.HasPrefix(dep, bad)) {
				t.Errorf("the server links %s (forbidden: %s)", dep, bad)
			}
		}
	}
}

// skipIfShort skips a slow test under -short (make check); make test runs it.
func skipIfShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("slow: make test runs it")
	}
}
