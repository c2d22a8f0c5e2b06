//go:build race

package tests

// raceEnabled reports that the race detector is on: heavy tests do less.
const raceEnabled = true
