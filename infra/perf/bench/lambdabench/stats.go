package main

import (
	"math"
	"slices"
)

// summary describes a sample of measurements in milliseconds.
type summary struct {
	N      int
	Median float64
	P99    float64
	Min    float64
	Max    float64
}

// summarize returns the median (mean of the middle two for an even count),
// the 99th percentile (nearest rank) and the extremes of xs.
func summarize(xs []float64) summary {
	if len(xs) == 0 {
		return summary{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	median := s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	rank := int(math.Ceil(0.99 * float64(n))) // nearest rank, 1-based
	return summary{N: n, Median: median, P99: s[rank-1], Min: s[0], Max: s[n-1]}
}
