package main

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The council the Slack flow tests run on. Slack itself is the fake of internal/slackfake
// (see startServeWithSlack in harness_test.go).

// slackCouncil is the demo council seeded in a database of its own, with everyone on Slack.
type slackCouncil struct {
	t    *testing.T
	ctx  context.Context
	vars map[string]string // DATABASE_URL, REDIS_URL and REDIS_PREFIX, for serve
	pool *pgxpool.Pool
}

// seedSlackCouncil seeds the demo council with employees people in a new database (and a
// Redis prefix of its own) and gives every employee without a Slack identity the identity
// 'U' || id.
func seedSlackCouncil(t *testing.T, employees int) *slackCouncil {
	t.Helper()
	ctx := context.Background()
	c := &slackCouncil{t: t, ctx: ctx, vars: seedDemo(t, employees)}
	pool, err := pgxpool.New(ctx, c.vars["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	c.pool = pool
	// Everyone gets a Slack identity; whoever has one keeps it (ON CONFLICT covers both the
	// external id and the one-identity-per-transport constraints).
	c.exec(`INSERT INTO employee_identities (transport, external_id, employee_id)
		SELECT 'slack', 'U' || id, id FROM employees ON CONFLICT DO NOTHING`)
	if n := c.count(`SELECT count(*) FROM employees e WHERE NOT EXISTS
		(SELECT 1 FROM employee_identities i WHERE i.employee_id = e.id AND i.transport = 'slack')`); n != 0 {
		t.Fatalf("%d employees without a Slack identity", n)
	}
	return c
}

// exec runs sql, failing the test on an error.
func (c *slackCouncil) exec(sql string, args ...any) {
	c.t.Helper()
	if _, err := c.pool.Exec(c.ctx, sql, args...); err != nil {
		c.t.Fatalf("%s: %v", sql, err)
	}
}

// count returns the single integer sql selects, failing the test on an error.
func (c *slackCouncil) count(sql string, args ...any) int {
	c.t.Helper()
	var n int
	if err := c.pool.QueryRow(c.ctx, sql, args...).Scan(&n); err != nil {
		c.t.Fatalf("%s: %v", sql, err)
	}
	return n
}
