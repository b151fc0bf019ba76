//go:build !race

package pairing

// raceEnabled: the tests run under the race detector (see race_test.go).
const raceEnabled = false
