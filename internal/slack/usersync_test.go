package slack

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/slackfake"
)

// member is a users.list member as Slack sends it.
func member(id, displayName, email string, extra map[string]any) map[string]any {
	m := map[string]any{
		"id": id, "name": id, "real_name": "Real " + id, "tz": "Europe/Rome", "locale": "it-IT",
		"profile": map[string]any{"display_name": displayName, "real_name": "Real " + id, "email": email},
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func TestUserSyncPagesThroughA429AndAppliesEveryoneOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	api := slackfake.New(t)
	pool := pgtest.NewPool(t)
	store := postgres.NewStore(pool)

	// Anna was imported by HR; Bruno was imported too but had written to the bot first, as
	// an admin; Dario wrote to the bot and has since left.
	var anna, bruno int64
	if err := pool.QueryRow(ctx, `INSERT INTO employees (display_name, email) VALUES ('Anna Bianchi', 'anna@comune.prato.it') RETURNING id`).Scan(&anna); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `INSERT INTO employees (display_name, email) VALUES ('Bruno Verdi', 'bruno@comune.prato.it') RETURNING id`).Scan(&bruno); err != nil {
		t.Fatal(err)
	}
	adhoc, err := store.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "UBRUNO", DisplayName: "bruno"})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.GrantRole(ctx, 0, adhoc.ID, bot.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	dario, err := store.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "UDARIO", DisplayName: "dario"})
	if err != nil {
		t.Fatal(err)
	}

	api.SetUserPages(
		[]map[string]any{
			member("UANNA", "anna.b", "anna@comune.prato.it", nil),
			member("BREMIND", "reminder", "", map[string]any{"is_bot": true}),
			member(slackbotID, "Slackbot", "", nil),
		},
		[]map[string]any{
			member("UBRUNO", "bruno.v", "bruno@comune.prato.it", nil),
			member("UDARIO", "dario", "dario@comune.prato.it", map[string]any{"deleted": true}),
		},
		[]map[string]any{
			member("UFRANCO", "", "franco@comune.prato.it", map[string]any{"locale": "en-GB"}),
			member("UFLOW", "workflow", "", map[string]any{"is_workflow_bot": true}),
		},
	)
	// The second page is refused once: Retry-After 1.
	api.SetHook(func(w http.ResponseWriter, method string, n int) bool {
		if method == "users.list" && n == 2 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	})
	lim := &recordingLimiter{}
	c, m := newTestClient(t, api, lim)

	start := time.Now()
	rep, err := NewUserSync(c, store).SyncUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("sync took %v: the 429's Retry-After was not waited out", waited)
	}

	// Paging: three pages, the second asked twice, with the cursors Slack gave.
	calls := api.CallsTo("users.list")
	var cursors []string
	for _, call := range calls {
		cursors = append(cursors, call.Params.Get("cursor"))
		if call.Params.Get("limit") != "200" || call.Params.Get("include_locale") != "true" {
			t.Errorf("users.list asked with limit %q include_locale %q", call.Params.Get("limit"), call.Params.Get("include_locale"))
		}
	}
	if !slices.Equal(cursors, []string{"", "page-1", "page-1", "page-2"}) {
		t.Errorf("users.list cursors %q", cursors)
	}
	if !slices.Equal(lim.keys, []string{"users.list", "users.list", "users.list", "users.list"}) {
		t.Errorf("limiter keys %v: every page must go through the limiter", lim.keys)
	}
	if !slices.Equal(lim.penalties, []time.Duration{time.Second}) {
		t.Errorf("penalties %v, want the Retry-After shared once", lim.penalties)
	}
	if got := metricValue(t, m.SlackRateLimited.WithLabelValues("users.list")); got != 1 {
		t.Errorf("429s counted %v, want 1", got)
	}
	if got := metricValue(t, m.SlackCalls.WithLabelValues("users.list", "ok")); got != 3 {
		t.Errorf("users.list ok calls %v, want 3", got)
	}

	if rep.Seen != 4 || rep.Created != 1 || rep.Linked != 1 || rep.Merged != 1 || rep.Deactivated != 1 || rep.Conflicts != 0 {
		t.Errorf("report %+v", rep)
	}

	// Everyone once, bots never.
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM employee_identities WHERE transport = 'slack'`).Scan(&n); err != nil || n != 4 {
		t.Errorf("slack identities %d (%v), want 4", n, err)
	}
	for _, id := range []string{"BREMIND", slackbotID, "UFLOW"} {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM employee_identities WHERE external_id = $1`, id).Scan(&n); err != nil || n != 0 {
			t.Errorf("bot %s became an employee", id)
		}
	}
	find := func(id string) bot.Employee {
		t.Helper()
		e, err := store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportSlack, ExternalID: id})
		if err != nil {
			t.Fatalf("find %s: %v", id, err)
		}
		return e
	}
	// Linked by e-mail to the imported row, whose name stays.
	if e := find("UANNA"); e.ID != anna || e.DisplayName != "Anna Bianchi" || e.Timezone != "Europe/Rome" || e.SlackLocale != "it-IT" {
		t.Errorf("Anna: %+v", e)
	}
	// Merged into the imported row, with the role held at first contact.
	if e := find("UBRUNO"); e.ID != bruno || !e.HasRole(bot.RoleAdmin) {
		t.Errorf("Bruno: id %d (imported %d, first contact %d), roles %v", e.ID, bruno, adhoc.ID, e.Roles)
	}
	// Deactivated.
	if e := find("UDARIO"); e.ID != dario.ID || e.Active {
		t.Errorf("Dario: id %d active %v", e.ID, e.Active)
	}
	// Created, named after the real name when there is no display name.
	if e := find("UFRANCO"); e.DisplayName != "Real UFRANCO" || e.Email != "franco@comune.prato.it" || e.SlackLocale != "en-GB" || !e.Active {
		t.Errorf("Franco: %+v", e)
	}
}

func TestUserSyncFailingMidwayAppliesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	api := slackfake.New(t)
	pool := pgtest.NewPool(t)
	api.SetUserPages(
		[]map[string]any{member("UANNA", "anna", "anna@comune.prato.it", nil)},
		[]map[string]any{member("UBRUNO", "bruno", "bruno@comune.prato.it", nil)},
	)
	api.SetHook(func(w http.ResponseWriter, method string, n int) bool {
		if method == "users.list" && n >= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return true
		}
		return false
	})
	c, _ := newTestClient(t, api, nil)
	if _, err := NewUserSync(c, postgres.NewStore(pool)).SyncUsers(ctx); err == nil {
		t.Fatal("a sync whose second page failed reported success")
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM employees`).Scan(&n); err != nil || n != 0 {
		t.Errorf("employees after a failed listing: %d (%v), want 0", n, err)
	}
	if _, err := NewUserSync(c, nil).SyncUsers(ctx); err == nil {
		t.Error("a sync without a store reported success")
	}
}
