package teamform

import (
	"os"
	"testing"
)

// fullSweep reports whether the exhaustive quality sweeps run in full: with CANTIERI_SWEEP=1
// (which .ci/run and `make sweep` set) and without -short. Otherwise each runs a
// representative subset of its instances, with the same assertions, so that `make test` stays
// quick.
func fullSweep() bool { return os.Getenv("CANTIERI_SWEEP") == "1" && !testing.Short() }
