package stack

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The functions under the emulator must get what template.yaml gives them:
// every variable of Globals.Function.Environment, and their timeouts.
func TestEnvFollowsTheTemplate(t *testing.T) {
	tmpl, err := os.ReadFile("../../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := templateVariables(t, string(tmpl))
	s := &Stack{Name: "test"}
	for _, fn := range Functions {
		env := s.Env(fn, Defaults())
		for _, name := range want {
			if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, name+"=") }) {
				t.Errorf("%s: the template sets %s, Env does not", fn.Name, name)
			}
		}
		if timeout := templateTimeout(t, string(tmpl), fn.Name); timeout != fn.Timeout {
			t.Errorf("%s: Timeout %s in the template, %s here", fn.Name, timeout, fn.Timeout)
		}
	}
}

// templateVariables returns the names under Globals.Function.Environment.Variables.
func templateVariables(t *testing.T, tmpl string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(tmpl, "\n    Environment:\n")
	if !ok {
		t.Fatal("template.yaml: no Globals.Function.Environment")
	}
	variable := regexp.MustCompile(`^        ([A-Z][A-Z0-9_]*):`)
	var names []string
	for line := range strings.SplitSeq(rest, "\n") {
		trimmed := strings.TrimSpace(line)
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#") || trimmed == "Variables:" || indent > 8:
			continue
		case indent < 8:
			return names
		}
		if m := variable.FindStringSubmatch(line); m != nil {
			names = append(names, m[1])
		}
	}
	if len(names) == 0 {
		t.Fatal("template.yaml: found no environment variables")
	}
	return names
}

// templateTimeout returns the Timeout of the function named ${AWS::StackName}-<name>.
func templateTimeout(t *testing.T, tmpl, name string) string {
	t.Helper()
	m := regexp.MustCompile(`FunctionName: !Sub \$\{AWS::StackName\}-` + name + `\n(?:\s+[^\n]*\n)*?\s+Timeout: (\d+)`).FindStringSubmatch(tmpl)
	if m == nil {
		t.Fatalf("template.yaml: no Timeout for the %s function", name)
	}
	return m[1]
}
