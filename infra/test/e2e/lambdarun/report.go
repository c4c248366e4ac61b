package lambdarun

import (
	"encoding/json"
	"regexp"
	"strconv"
)

// initReport matches the emulator's log line for the end of the init phase.
// The emulator (internal/lambda/interop/events_api.go) formats it as
// "INIT REPORT(durationMs: %f)" and logs it through logrus, so it arrives
// inside msg="...". The "Init Duration" of its REPORT line is measured around
// more than the init phase and is not used.
var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9]+(?:\.[0-9]+)?)\)`)

// ParseInitReport returns the duration in milliseconds of an INIT REPORT line.
func ParseInitReport(line string) (float64, bool) {
	m := initReport.FindStringSubmatch(line)
	if m == nil {
		return 0, false
	}
	ms, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	return ms, true
}

// isErrorResult reports whether an invocation result is the error document
// the Lambda runtime posts when a handler fails: {"errorMessage", "errorType"}.
func isErrorResult(body []byte) bool {
	var doc struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    *string `json:"errorType"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return false
	}
	return doc.ErrorMessage != nil && doc.ErrorType != nil
}
