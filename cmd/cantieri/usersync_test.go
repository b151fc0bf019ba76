package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

// Two replicas of serve starting together on one database sync Slack's users once, and both
// register the daily sync schedule.
func TestServeSyncsSlackUsersOnceAtStart(t *testing.T) {
	t.Parallel()
	_, prefix := redistest.New(t)
	dbURL := pgtest.NewDatabase(t)
	vars := map[string]string{"DATABASE_URL": dbURL, "REDIS_URL": redistest.URL(), "REDIS_PREFIX": prefix}
	a, b := startServe(t, vars), startServe(t, vars)

	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	count := func(state string) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = $1 AND ($2 = '' OR state::text = $2)`,
			jobs.KindSlackSync, state).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The sync runs in the background; nothing signals its end outside the process.
	deadline := time.Now().Add(20 * time.Second)
	for count("completed") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no completed slack_sync job; jobs: %d", count(""))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := count(""); n != 1 {
		t.Errorf("%d slack_sync jobs for two replicas starting together, want 1", n)
	}
	for _, s := range []*servedBot{a, b} {
		if code := s.stop(); code != 0 {
			t.Fatalf("serve exited with %d", code)
		}
		// housekeeping, project reminders, team invitations, meetings, conflict notices, the
		// survey pulse and maintenance, and the daily Slack sync
		if logs := s.logs.String(); !strings.Contains(logs, `"schedules":8`) {
			t.Errorf("the daily sync schedule is not registered:\n%s", logs)
		}
	}
}
