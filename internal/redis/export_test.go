package redis

import "time"

// SetProbeInterval shortens how often a Limiter pacing locally tries Redis again, for tests.
func SetProbeInterval(l *Limiter, d time.Duration) { l.probeInterval = d }
