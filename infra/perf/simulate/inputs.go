package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// inputs are what the report reads from the repository: the AWS calls per
// flow that TestAWSCallsPerFlow measured against moto, the template's API
// throttles and access-log format, and the Lambda bench's durations.
type inputs struct {
	calls map[string]flowCalls
	// API Gateway throttles (requests per second, burst): the webhook route
	// and the default route (the OAuth pages).
	webhookRate, webhookBurst, defaultRate, defaultBurst float64
	accessLogFormat                                      string
	// warmMS is each function's warm median duration (ms) from the bench.
	warmMS map[string]float64
	// benchNote says where the durations come from.
	benchNote string
}

// flowCalls is one flow of shared/awsapp/testdata/aws-calls.json.
type flowCalls struct {
	Function           string         `json:"function"`
	Calls              map[string]int `json:"calls"`
	TransactWriteItems int            `json:"transact_write_items"`
}

const (
	callsPath    = "shared/awsapp/testdata/aws-calls.json"
	templatePath = "template.yaml"
	benchPath    = "infra/perf/bench/results/lambda.md"
)

func readInputs(root string) (*inputs, error) {
	in := &inputs{warmMS: map[string]float64{}}
	b, err := os.ReadFile(filepath.Join(root, callsPath))
	if err != nil {
		return nil, fmt.Errorf("read the AWS calls per flow: %w", err)
	}
	var f struct {
		Flows map[string]flowCalls `json:"flows"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("decode %s: %w", callsPath, err)
	}
	in.calls = f.Flows
	for _, fl := range flows {
		if _, ok := in.calls[fl.measured]; !ok {
			return nil, fmt.Errorf("%s has no flow %q: rerun TestAWSCallsPerFlow with UPDATE_AWS_CALLS=1", callsPath, fl.measured)
		}
	}
	if err := in.readTemplate(filepath.Join(root, templatePath)); err != nil {
		return nil, err
	}
	if err := in.readBench(filepath.Join(root, benchPath)); err != nil {
		return nil, err
	}
	return in, nil
}

var (
	reParamDefault = regexp.MustCompile(`(?m)^  (WebhookThrottling(?:Rate|Burst)Limit):\n(?:    .*\n)*?    Default: (\d+)`)
	reRouteDefault = regexp.MustCompile(`DefaultRouteSettings:\n(?:\s*#.*\n)*\s*ThrottlingBurstLimit: (\d+)\n\s*ThrottlingRateLimit: (\d+)`)
	reAccessFormat = regexp.MustCompile(`(?m)^\s*Format: '(.*)'\s*$`)
)

// readTemplate reads the API's throttles and access-log format.
func (in *inputs) readTemplate(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read the template: %w", err)
	}
	t := string(b)
	for _, m := range reParamDefault.FindAllStringSubmatch(t, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		if m[1] == "WebhookThrottlingRateLimit" {
			in.webhookRate = v
		} else {
			in.webhookBurst = v
		}
	}
	if m := reRouteDefault.FindStringSubmatch(t); m != nil {
		in.defaultBurst, _ = strconv.ParseFloat(m[1], 64)
		in.defaultRate, _ = strconv.ParseFloat(m[2], 64)
	}
	if m := reAccessFormat.FindStringSubmatch(t); m != nil {
		in.accessLogFormat = m[1]
	}
	if in.webhookRate == 0 || in.webhookBurst == 0 || in.defaultRate == 0 || in.accessLogFormat == "" {
		return fmt.Errorf("%s: the API throttles or the access-log format were not found", path)
	}
	return nil
}

// readBench reads the warm median of each function from the bench table.
func (in *inputs) readBench(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read the Lambda bench results: %w", err)
	}
	names := map[string]string{"webhook": "WebhookFunction", "callback": "CallbackFunction", "logout": "LogoutFunction"}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 8 {
			continue
		}
		fn, ok := names[strings.TrimSpace(cells[1])]
		if !ok {
			continue
		}
		// Columns: function | init | init×floor | penalty | penalty×floor | warm median | ...
		v, err := strconv.ParseFloat(strings.TrimSpace(cells[6]), 64)
		if err != nil {
			return fmt.Errorf("%s: warm median of %s: %w", path, fn, err)
		}
		in.warmMS[fn] = v
		if strings.HasPrefix(line, "Measured") {
			in.benchNote = line
		}
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Measured with") {
			in.benchNote = strings.TrimSpace(line)
		}
	}
	if len(in.warmMS) != len(names) {
		return fmt.Errorf("%s: warm medians found for %v only", path, in.warmMS)
	}
	return nil
}

// accessLogBytes is the size of one access-log line: the template's format
// with typical values (a request id of 16 characters, the longest route
// key, a documentation IP address, latencies of 2 digits).
func (in *inputs) accessLogBytes() int {
	sample := map[string]string{
		"$context.requestId":               "AbCdEfGhIjKlMnOp",
		"$context.routeKey":                "POST /rocketchat/webhook",
		"$context.status":                  "200",
		"$context.responseLatency":         "42",
		"$context.integrationLatency":      "40",
		"$context.integrationErrorMessage": "",
		"$context.identity.sourceIp":       "203.0.113.10",
		"$context.requestTimeEpoch":        "1767603600000",
	}
	line := regexp.MustCompile(`\$context\.[A-Za-z.]+`).ReplaceAllStringFunc(in.accessLogFormat, func(v string) string {
		if s, ok := sample[v]; ok {
			return s
		}
		return "xxxxxxxx"
	})
	return len(line) + 1
}
