package main

import "testing"

func TestSummarize(t *testing.T) {
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(100 - i) // 100 down to 1
	}
	tests := []struct {
		name string
		xs   []float64
		want summary
	}{
		{"empty", nil, summary{}},
		{"one", []float64{7}, summary{N: 1, Median: 7, P99: 7, Min: 7, Max: 7}},
		{"odd count, unsorted", []float64{5, 1, 3}, summary{N: 3, Median: 3, P99: 5, Min: 1, Max: 5}},
		{"even count: mean of the middle two", []float64{4, 1, 2, 3}, summary{N: 4, Median: 2.5, P99: 4, Min: 1, Max: 4}},
		{"p99 of 100 is the 99th value", hundred, summary{N: 100, Median: 50.5, P99: 99, Min: 1, Max: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summarize(tt.xs); got != tt.want {
				t.Errorf("summarize = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSummarizeLeavesInputAlone(t *testing.T) {
	xs := []float64{3, 1, 2}
	summarize(xs)
	if xs[0] != 3 || xs[1] != 1 || xs[2] != 2 {
		t.Errorf("summarize sorted its input: %v", xs)
	}
}
