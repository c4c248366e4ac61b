package session_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"rcgithub/shared/readmetest"
	"rcgithub/shared/session"
)

// TestREADMEListsEveryMetric: the README's Observability list of Logouts
// reasons and Failures kinds is exactly what the service counts.
func TestREADMEListsEveryMetric(t *testing.T) {
	readme := readmetest.Text(t)
	const logouts, failures, end = "`Logouts` by `Reason`", "`Failures` by `Kind`", "On AWS they become metrics"
	i := strings.Index(readme, logouts)
	j := strings.Index(readme[max(i, 0):], failures) + max(i, 0)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks %q followed by %q", logouts, failures)
	}
	k := strings.Index(readme[j:], end)
	if k < 0 {
		t.Fatalf("README.md lacks %q after %q", end, failures)
	}
	if !strings.Contains(readme[:i], "`Logins`") {
		t.Error("README.md does not list `Logins` before the Logouts")
	}
	value := regexp.MustCompile("`([a-z_]+)`")
	listed := func(text string) []string {
		var out []string
		for _, m := range value.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return out
	}
	counted := map[string][]string{}
	for _, m := range session.AllMetrics() {
		counted[m.Name] = append(counted[m.Name], m.Value)
	}
	for name, got := range map[string][]string{
		"Logouts":  listed(readme[i+len(logouts) : j]),
		"Failures": listed(readme[j+len(failures) : j+k]),
	} {
		want := slices.Sorted(slices.Values(counted[name]))
		if !slices.Equal(got, want) {
			t.Errorf("README.md lists %s %v, the service counts %v", name, got, want)
		}
	}
}

// TestMetricsAreDistinct: every metric is listed once, with a dimension
// exactly when it is not Logins.
func TestMetricsAreDistinct(t *testing.T) {
	seen := map[session.Metric]bool{}
	for _, m := range session.AllMetrics() {
		if seen[m] {
			t.Errorf("%v listed twice", m)
		}
		seen[m] = true
		if (m.Dimension == "") != (m == session.Logins) {
			t.Errorf("%v: dimension %q", m, m.Dimension)
		}
	}
}
