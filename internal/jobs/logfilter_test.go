package jobs_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// At every start River asks each schedule for a job to catch up, and a schedule with nothing
// to catch up answers nil: River's INFO line about it, once per such schedule at every start,
// is kept at DEBUG.
func TestNothingToCatchUpIsNotLoggedAtInfo(t *testing.T) {
	t.Parallel()
	pool := openPool(t, pgtest.NewDatabase(t))
	var logs lockedBuffer
	f := newFirings()
	startRunner(t, pool, jobs.Config{
		Logger:      slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		CronSeconds: true,
		Schedules: []jobs.Schedule{
			// Never due near now and no catch-up: its start-up constructor returns nil.
			{Name: "new-year", Cron: "0 0 3 1 1 *", CatchUp: -1, Run: f.run},
			// Due every second: once it has run, River's start-up pass (which asked both
			// schedules) is over.
			{Name: "every-second", Cron: "* * * * * *", Run: f.run},
		},
	})
	f.waitDistinct(t, 1, time.Time{})

	var demoted bool
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if !strings.Contains(line, "nil returned from periodic job constructor") {
			continue
		}
		if !strings.Contains(line, "level=DEBUG") {
			t.Errorf("logged above DEBUG: %s", line)
		}
		demoted = true
	}
	if !demoted {
		t.Fatalf("River did not report the nil constructor at all (the test no longer exercises the filter):\n%s", logs.String())
	}
}
