package session

import (
	"errors"
	"reflect"
	"testing"
)

func TestCompareScopes(t *testing.T) {
	tests := []struct {
		name           string
		asked, granted []string
		missing, extra []string
	}{
		{"same", []string{"read:user"}, []string{"read:user"}, nil, nil},
		{"implied by a wider grant", []string{"read:user", "repo:status"}, []string{"user", "repo"}, nil, []string{"user", "repo"}},
		{"covered by asking wider", []string{"repo"}, []string{"repo", "repo:status"}, nil, nil},
		{"fewer granted", []string{"repo", "read:org"}, []string{"public_repo"}, []string{"repo", "read:org"}, nil},
		{"two levels", []string{"read:org"}, []string{"admin:org"}, nil, []string{"admin:org"}},
		{"nothing granted", []string{"read:user"}, []string{}, []string{"read:user"}, nil},
		{"github app token: no scopes", []string{"read:user"}, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			missing, extra := CompareScopes(tt.asked, tt.granted)
			if !reflect.DeepEqual(missing, tt.missing) || !reflect.DeepEqual(extra, tt.extra) {
				t.Fatalf("CompareScopes = missing %v extra %v, want %v %v", missing, extra, tt.missing, tt.extra)
			}
		})
	}
}

func TestIsKnownScope(t *testing.T) {
	// GitHub's "Scopes for OAuth apps" table, every row.
	documented := []string{"repo", "repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events",
		"admin:repo_hook", "write:repo_hook", "read:repo_hook", "admin:org", "write:org", "read:org",
		"admin:public_key", "write:public_key", "read:public_key", "admin:org_hook", "gist", "notifications",
		"user", "read:user", "user:email", "user:follow", "project", "read:project", "delete_repo",
		"write:packages", "read:packages", "delete:packages", "admin:gpg_key", "write:gpg_key", "read:gpg_key",
		"codespace", "workflow", "admin:enterprise", "manage_runners:enterprise", "manage_billing:enterprise",
		"read:enterprise", "read:audit_log", "site_admin"}
	for _, s := range documented {
		if !IsKnownScope(s) {
			t.Errorf("IsKnownScope(%q) = false", s)
		}
	}
	for _, s := range []string{"", "repos", "Repo", "issues", "read:user ", "admin"} {
		if IsKnownScope(s) {
			t.Errorf("IsKnownScope(%q) = true", s)
		}
	}
}

func TestAskedScopes(t *testing.T) {
	defaults, extra := []string{"read:user"}, []string{"public_repo", "repo"}
	tests := []struct {
		name    string
		named   []string
		want    []string
		refused string
	}{
		{name: "none named", want: []string{"read:user"}},
		{name: "one", named: []string{"repo"}, want: []string{"read:user", "repo"}},
		{name: "order kept, duplicates and case dropped", named: []string{"Repo", "public_repo", "REPO", "read:user"},
			want: []string{"read:user", "repo", "public_repo"}},
		{name: "refused", named: []string{"repo", "admin:org"}, refused: "admin:org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := askedScopes(defaults, extra, tt.named)
			if tt.refused != "" {
				var e *ScopeNotAllowedError
				if !errors.As(err, &e) || e.Scope != tt.refused || !reflect.DeepEqual(e.Allowed, extra) {
					t.Fatalf("askedScopes: %v, want %q refused", err, tt.refused)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("askedScopes = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	// Two logins never share the slice they ask with, even when the
	// defaults have room to grow.
	roomy := append(make([]string, 0, 4), "read:user")
	first, _ := askedScopes(roomy, extra, []string{"repo"})
	if _, err := askedScopes(roomy, extra, []string{"public_repo"}); err != nil || !reflect.DeepEqual(first, []string{"read:user", "repo"}) {
		t.Fatalf("first login's scopes became %v (%v)", first, err)
	}
}
