package eventbridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"rcgithub/shared/session"
)

// jobFields are the JSON names of session.Job, exactly as they must appear.
var jobFields = map[string]bool{"site": true, "user": true, "generation": true, "attempt": true, "postponed": true}

// ParseJob decodes the payload of a scheduled logout strictly: one JSON object
// with session.Job's fields spelt exactly (encoding/json alone would accept any
// case), each at most once, nothing unknown and nothing after it, and a job
// that passes Job.Validate.
func ParseJob(payload []byte) (session.Job, error) {
	if err := checkFieldNames(payload); err != nil {
		return session.Job{}, fmt.Errorf("parse logout job: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	var job session.Job
	if err := dec.Decode(&job); err != nil {
		return session.Job{}, fmt.Errorf("parse logout job: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return session.Job{}, errors.New("parse logout job: data after the JSON object")
	}
	if err := job.Validate(); err != nil {
		return session.Job{}, err
	}
	return job, nil
}

// checkFieldNames checks that payload starts with a JSON object whose keys are
// known, exactly spelt, and unique. Values are checked by the decoder after it.
func checkFieldNames(payload []byte) error {
	dec := json.NewDecoder(bytes.NewReader(payload))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string) // object keys are always strings
		if !jobFields[name] {
			return fmt.Errorf("unknown field %q", name)
		}
		if seen[name] {
			return fmt.Errorf("field %q appears twice", name)
		}
		seen[name] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// encodeJob is the schedule input for a job: its JSON form.
func encodeJob(job session.Job) (string, error) {
	b, err := json.Marshal(job)
	if err != nil {
		return "", fmt.Errorf("encode logout job: %w", err)
	}
	return string(b), nil
}
