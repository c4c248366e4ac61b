package session

import (
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
