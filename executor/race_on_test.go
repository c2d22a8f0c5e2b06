//go:build race

package executor_test

// raceEnabled reports that the race detector is on: heavy tests do less.
const raceEnabled = true
