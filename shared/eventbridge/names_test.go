package eventbridge

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/session"
)

// validName is EventBridge Scheduler's rule for schedule names.
var validName = regexp.MustCompile(`^[0-9a-zA-Z\-_.]{1,64}$`)

const site = "https://chat.example.com"

func TestScheduleName(t *testing.T) {
	hash := strings.TrimPrefix(scheduleName(session.Job{Site: site, UserID: "u1", Generation: 1}), "logout-")[:16]
	tests := []struct {
		name string
		job  session.Job
		want string
	}{
		{"first run", session.Job{Site: site, UserID: "u1", Generation: 1}, "logout-" + hash + "-1"},
		{"attempt 0 has no suffix", session.Job{Site: site, UserID: "u1", Generation: 42, Attempt: 0}, "logout-" + hash + "-42"},
		{"retry", session.Job{Site: site, UserID: "u1", Generation: 42, Attempt: 1}, "logout-" + hash + "-42-r1"},
		{"largest generation the service makes", session.Job{Site: site, UserID: "u1", Generation: 1<<53 - 1, Attempt: 7},
			"logout-" + hash + "-9007199254740991-r7"},
		{"postponed run", session.Job{Site: site, UserID: "u1", Generation: 42, Postponed: 2}, "logout-" + hash + "-42-p2"},
		{"postponed retry", session.Job{Site: site, UserID: "u1", Generation: 42, Attempt: 3, Postponed: 2}, "logout-" + hash + "-42-r3-p2"},
		{"largest valid job", session.Job{Site: site, UserID: "u1", Generation: 1<<53 - 1, Attempt: 10000, Postponed: 10000},
			"logout-" + hash + "-9007199254740991-r10000-p10000"},
		{"largest values at all", session.Job{Site: site, UserID: "u1", Generation: math.MaxInt64, Attempt: math.MaxInt},
			"logout-" + hash + "-9223372036854775807-r9223372036854775807"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scheduleName(tt.job)
			if got != tt.want {
				t.Errorf("scheduleName = %q, want %q", got, tt.want)
			}
			if !validName.MatchString(got) {
				t.Errorf("scheduleName %q (%d characters) is not a valid schedule name", got, len(got))
			}
		})
	}
	if n := len(scheduleName(session.Job{Site: site, UserID: "u1", Generation: math.MaxInt64, Attempt: math.MaxInt})); n != 64 {
		t.Errorf("longest name has %d characters; the arithmetic in scheduleName's comment says 64", n)
	}
}

// TestScheduleNameKeepsJobsApart checks that names differ whenever the jobs do,
// including site and user ids that collide when naively joined.
func TestScheduleNameKeepsJobsApart(t *testing.T) {
	jobs := []session.Job{
		{Site: site, UserID: "u1", Generation: 1},
		{Site: site, UserID: "u2", Generation: 1},
		{Site: site + "/other", UserID: "u1", Generation: 1},
		{Site: site, UserID: "u1", Generation: 2},
		{Site: site, UserID: "u1", Generation: 1, Attempt: 1},
		{Site: site, UserID: "u1", Generation: 12, Attempt: 3},
		{Site: site, UserID: "u1", Generation: 1, Postponed: 1},
		{Site: site, UserID: "u1", Generation: 1, Attempt: 1, Postponed: 1},
		{Site: site, UserID: "u1", Generation: 12, Attempt: 3, Postponed: 1},
		{Site: site, UserID: "u1", Generation: 123},
		{Site: site + "5:", UserID: "u1", Generation: 1},
		{Site: "x", UserID: "", Generation: 1},
	}
	for _, sep := range []string{"#", "/", "|", ":", "-", "\n"} {
		jobs = append(jobs,
			session.Job{Site: site + sep + "u1", UserID: "x", Generation: 1},
			session.Job{Site: site, UserID: "u1" + sep + "x", Generation: 1})
	}
	seen := map[string]session.Job{}
	for _, j := range jobs {
		name := scheduleName(j)
		if other, dup := seen[name]; dup {
			t.Errorf("jobs %+v and %+v share the name %q", other, j, name)
		}
		seen[name] = j
		if !validName.MatchString(name) {
			t.Errorf("name %q of %+v is not a valid schedule name", name, j)
		}
	}
}

func TestAtExpression(t *testing.T) {
	india := time.FixedZone("IST", 5*3600+30*60)
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"whole second", time.Date(2035, 6, 7, 8, 9, 10, 0, time.UTC), "at(2035-06-07T08:09:10)"},
		{"fraction rounds up", time.Date(2035, 6, 7, 8, 9, 10, 1, time.UTC), "at(2035-06-07T08:09:11)"},
		{"fraction rounds up across midnight", time.Date(2035, 12, 31, 23, 59, 59, 500_000_000, time.UTC), "at(2036-01-01T00:00:00)"},
		{"other zone is converted to UTC", time.Date(2035, 6, 7, 13, 39, 10, 0, india), "at(2035-06-07T08:09:10)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atExpression(tt.at)
			if got != tt.want {
				t.Fatalf("atExpression = %q, want %q", got, tt.want)
			}
			back, err := parseAt(got, "UTC")
			if err != nil {
				t.Fatalf("parseAt(%q): %v", got, err)
			}
			if d := back.Sub(tt.at); d < 0 || d >= time.Second {
				t.Errorf("parseAt(atExpression(t)) = %s, want within a second after %s", back, tt.at)
			}
		})
	}
}

func TestParseAt(t *testing.T) {
	want := time.Date(2035, 6, 7, 8, 9, 10, 0, time.UTC)
	for _, zone := range []string{"", "UTC"} {
		got, err := parseAt("at(2035-06-07T08:09:10)", zone)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseAt in zone %q = %s, %v; want %s", zone, got, err, want)
		}
	}
	got, err := parseAt("at(2035-06-07T10:09:10)", "Europe/Berlin") // CEST, UTC+2
	if err != nil || !got.Equal(want) {
		t.Errorf("parseAt in Europe/Berlin = %s, %v; want %s", got, err, want)
	}
	for _, bad := range []string{"", "at()", "rate(5 minutes)", "at(2035-06-07 08:09:10)", "at(2035-06-07T08:09:10", "at(2035-06-07T08:09:10Z)"} {
		if _, err := parseAt(bad, "UTC"); err == nil {
			t.Errorf("parseAt(%q) succeeded, want an error", bad)
		}
	}
	if _, err := parseAt("at(2035-06-07T08:09:10)", "Nowhere/Special"); err == nil {
		t.Error("parseAt with an unknown zone succeeded, want an error")
	}
}

func TestRunAt(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		at, want time.Time
	}{
		{"in the past", now.Add(-time.Hour), now.Add(time.Minute)},
		{"now", now, now.Add(time.Minute)},
		{"less than a minute ahead", now.Add(30 * time.Second), now.Add(time.Minute)},
		{"a minute ahead", now.Add(time.Minute), now.Add(time.Minute)},
		{"well ahead", now.Add(7 * 24 * time.Hour), now.Add(7 * 24 * time.Hour)},
	}
	for _, tt := range tests {
		if got := runAt(tt.at, now); !got.Equal(tt.want) {
			t.Errorf("%s: runAt = %s, want %s", tt.name, got, tt.want)
		}
	}
}
