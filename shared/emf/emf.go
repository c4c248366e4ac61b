// Package emf counts the service's events as CloudWatch Embedded Metric Format
// lines: JSON log lines that CloudWatch Logs turns into metrics, with no API
// call and no extra latency. It implements session.Metrics.
package emf

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"

	"rcgithub/shared/session"
)

// Namespace is the CloudWatch namespace of the service's metrics.
const Namespace = "rcgithub"

// Writer writes one EMF line per count to Out (stdout in Lambda).
type Writer struct {
	Out io.Writer
	Now func() time.Time // default time.Now

	mu sync.Mutex // one line per Write, whole
}

type metricDef struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type directive struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []metricDef `json:"Metrics"`
}

type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

// Count records one occurrence of m, under its dimension when it has one
// (e.g. Logouts by Reason).
func (w *Writer) Count(_ context.Context, m session.Metric) {
	metric, dimension, value := m.Name, m.Dimension, m.Value
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	d := directive{Namespace: Namespace, Dimensions: [][]string{{}}, Metrics: []metricDef{{Name: metric, Unit: "Count"}}}
	line := map[string]any{metric: 1}
	if dimension != "" {
		d.Dimensions = [][]string{{dimension}}
		line[dimension] = value
	}
	line["_aws"] = metadata{Timestamp: now().UnixMilli(), CloudWatchMetrics: []directive{d}}
	b, err := json.Marshal(line)
	if err != nil {
		return // only plain strings and numbers go in: cannot happen
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = w.Out.Write(append(b, '\n'))
}
