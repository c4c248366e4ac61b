package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseResult(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    result
		wantErr string
	}{
		{name: "wrk's output with the result line",
			out: "Running 3s test @ http://127.0.0.1:1/rocketchat/webhook\n  Latency Distribution\n     50%  276.00us\n" +
				"loadgen-result requests=45770 duration_us=1100550 socket_errors=1 status_errors=2 wrong=3 p50_us=276 p99_us=6210\n",
			want: result{requests: 45770, elapsed: 1100550 * time.Microsecond, errors: 6, p50: 276 * time.Microsecond, p99: 6210 * time.Microsecond}},
		{name: "no result line", out: "Usage: wrk <options> <url>\n", wantErr: "no result line"},
		{name: "a field missing", out: "loadgen-result requests=1 duration_us=1\n", wantErr: "lacks socket_errors"},
		{name: "a field not a number", out: "loadgen-result requests=x\n", wantErr: `field "requests=x"`},
		{name: "no request completed",
			out:     "loadgen-result requests=0 duration_us=1 socket_errors=16 status_errors=0 wrong=0 p50_us=0 p99_us=0\n",
			wantErr: "no request completed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseResult(tt.out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseResult = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestLuaString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, `"plain"`},
		{`{"a":"b\c"}`, `"{\"a\":\"b\\c\"}"`},
		{"line\nnext é", `"line\010next \195\169"`},
	}
	for _, tt := range tests {
		if got := luaString(tt.in); got != tt.want {
			t.Errorf("luaString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestScriptPerScenario checks what each script sends: a fixed body for
// help, a body built around a per-request id for login.
func TestScriptPerScenario(t *testing.T) {
	dir := t.TempDir()
	for i, sc := range scenarios {
		path, err := writeScript(dir, sc, sc.want, i)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lua := string(data)
		if filepath.Dir(path) != dir || !strings.Contains(lua, "local want = "+luaString(sc.want)) {
			t.Errorf("%s: script at %s does not check for %q:\n%s", sc.name, path, sc.want, lua)
		}
		if got := strings.Contains(lua, "function request()"); got != sc.newUser {
			t.Errorf("%s: builds each request: %v, want %v", sc.name, got, sc.newUser)
		}
		if strings.Contains(lua, idPlaceholder) {
			t.Errorf("%s: the id placeholder is left in the script:\n%s", sc.name, lua)
		}
		if sc.newUser && strings.Count(lua, `load-user-", "`) != 2 {
			t.Errorf("%s: the user id and name are not both per request:\n%s", sc.name, lua)
		}
	}
}
