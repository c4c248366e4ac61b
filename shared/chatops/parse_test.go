package chatops_test

import (
	"testing"

	"rcgithub/shared/chatops"
)

// TestParseRepoManagedUserOwners: Enterprise Managed Users' logins are a
// normalized name, "_" and the enterprise's short code (GitHub docs,
// "Username considerations for external authentication": "the-octocat_SHORT-CODE",
// a setup admin "acme_admin"), so "_" is allowed in owners; the hyphen rules
// stay.
func TestParseRepoManagedUserOwners(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"mona-lisa_acme/hello", true},
		{"acme_admin/tools", true},
		{"the-octocat_SHORT-CODE/x", true},
		{"oc_to/x", true},
		{"mona_acme-/x", false},
		{"-mona_acme/x", false},
		{"mona--lisa_acme/x", false},
		{"mona.lisa_acme/x", false},
		{"mona lisa_acme/x", false},
	}
	for _, tt := range tests {
		got, err := chatops.ParseRepo(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseRepo(%q) = %+v, %v; want ok %v", tt.in, got, err, tt.ok)
		}
	}
}
