package webhookevents_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/readmetest"
	"rcgithub/shared/webhookevents"
)

// TestREADMEVerificationSnippet runs the README's Python verify() (Python 3
// is one of the repository's requirements) on deliveries signed here: it
// accepts a fresh one and refuses a tampered body, another secret and a
// timestamp outside the replay window.
func TestREADMEVerificationSnippet(t *testing.T) {
	section := readmetest.Section(t, "Events")
	m := regexp.MustCompile("(?s)```python\n(.*?)```").FindStringSubmatch(section)
	if m == nil {
		t.Fatal("README Events has no ```python snippet")
	}
	if !strings.Contains(m[1], strconv.Itoa(int(webhookevents.ReplayWindow.Seconds()))) {
		t.Errorf("the snippet does not use the replay window of %s", webhookevents.ReplayWindow)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed (the repository requires Python 3.11): %v", err)
	}
	script := filepath.Join(t.TempDir(), "verify.py")
	driver := "\nimport sys\nprint(verify(sys.argv[1].encode(), sys.argv[2], sys.argv[3], sys.argv[4].encode()))\n"
	if err := os.WriteFile(script, []byte(m[1]+driver), 0o600); err != nil {
		t.Fatal(err)
	}
	body := `{"source":"rcgithub","detail":{"kind":"logged_in"}}`
	now := time.Now()
	ts := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	stale := now.Add(-webhookevents.ReplayWindow - time.Minute)
	tests := []struct {
		name, secret, timestamp, signature, body string
		want                                     string
	}{
		{"fresh", string(secret), ts(now), webhookevents.Sign(secret, ts(now), []byte(body)), body, "True"},
		{"body tampered", string(secret), ts(now), webhookevents.Sign(secret, ts(now), []byte(body)), body + " ", "False"},
		{"another secret", "another-secret", ts(now), webhookevents.Sign(secret, ts(now), []byte(body)), body, "False"},
		{"stale", string(secret), ts(stale), webhookevents.Sign(secret, ts(stale), []byte(body)), body, "False"},
	}
	for _, tt := range tests {
		out, err := exec.Command(python, script, tt.secret, tt.timestamp, tt.signature, tt.body).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != tt.want {
			t.Errorf("%s: the README's verify printed %q (%v), want %s", tt.name, out, err, tt.want)
		}
	}
}
