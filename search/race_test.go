//go:build race

package search

// raceEnabled lets exhaustive single-goroutine tests sample under the race
// detector, which slows them tenfold and has nothing to find in them.
const raceEnabled = true
