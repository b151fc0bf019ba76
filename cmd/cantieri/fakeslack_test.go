package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// What the fake Slack Web APIs of the flow tests share: reading a call, the answers to the
// calls both fakes answer the same way, and the council the flows run on.

// slackParams reads a Web API call's parameters: slack-go sends most methods form-encoded, a
// few as JSON.
func slackParams(r *http.Request) url.Values {
	body, _ := io.ReadAll(r.Body)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var m map[string]any
		out := url.Values{}
		if json.Unmarshal(body, &m) == nil {
			for k, v := range m {
				if s, ok := v.(string); ok {
					out.Set(k, s)
				} else {
					js, _ := json.Marshal(v)
					out.Set(k, string(js))
				}
			}
		}
		return out
	}
	v, _ := url.ParseQuery(string(body))
	for k, q := range r.URL.Query() {
		v[k] = append(v[k], q...)
	}
	return v
}

// slackAnswer is a fake Slack's answer to the calls both flow fakes answer alike: auth.test as
// the bot, users.info with an Italian locale, an empty users.list, and ok to anything else.
func slackAnswer(method string, p url.Values) any {
	switch method {
	case "auth.test":
		return map[string]any{"ok": true, "user_id": "UBOT", "bot_id": "BBOT", "user": "cantieri", "team_id": "T1"}
	case "users.info":
		u := p.Get("user")
		return map[string]any{"ok": true, "user": map[string]any{"id": u, "name": strings.ToLower(u), "locale": "it-IT",
			"profile": map[string]any{}}}
	case "users.list":
		return map[string]any{"ok": true, "members": []any{}, "response_metadata": map[string]any{"next_cursor": ""}}
	default: // pins.add, views.publish, …
		return map[string]any{"ok": true}
	}
}

// writeSlackJSON writes resp as a Web API answer.
func writeSlackJSON(w http.ResponseWriter, resp any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// strs collects every string in a decoded JSON value, in document order (map keys sorted).
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, strs(e)...)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			out = append(out, strs(x[k])...)
		}
		return out
	}
	return nil
}

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
