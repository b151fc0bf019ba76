//go:build race

package pairing

// raceEnabled: the tests run under the race detector (about 10× slower here), so the large
// quality tests use fewer instances.
const raceEnabled = true
