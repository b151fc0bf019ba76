package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// importEmployee inserts an employee as the HR import would: a name and an e-mail, no identity.
func importEmployee(t *testing.T, pool *pgxpool.Pool, name, email string) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(context.Background(), `INSERT INTO employees (display_name, email) VALUES ($1, $2) RETURNING id`,
		name, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// slackOwner returns the employee that holds the Slack identity id, or 0.
func slackOwner(t *testing.T, pool *pgxpool.Pool, id string) int64 {
	t.Helper()
	var emp int64
	err := pool.QueryRow(context.Background(), `SELECT coalesce((SELECT employee_id FROM employee_identities
		WHERE transport = 'slack' AND external_id = $1), 0)`, id).Scan(&emp)
	if err != nil {
		t.Fatal(err)
	}
	return emp
}

type syncedRow struct {
	Name, Email, TZ, SlackLocale, Locale string
	Active                               bool
	UpdatedAt                            time.Time
}

func loadSynced(t *testing.T, pool *pgxpool.Pool, id int64) syncedRow {
	t.Helper()
	var r syncedRow
	err := pool.QueryRow(context.Background(), `SELECT display_name, coalesce(email, ''), coalesce(timezone, ''),
		coalesce(slack_locale, ''), coalesce(locale, ''), active, updated_at FROM employees WHERE id = $1`, id).
		Scan(&r.Name, &r.Email, &r.TZ, &r.SlackLocale, &r.Locale, &r.Active, &r.UpdatedAt)
	if err != nil {
		t.Fatalf("load employee %d: %v", id, err)
	}
	return r
}

func TestSyncSlackUsersLinksMergesCreatesAndDeactivates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	s := postgres.NewStore(pool)
	if _, err := pool.Exec(ctx, `INSERT INTO skills (code, name_it, name_en) VALUES ('gis', 'GIS', 'GIS'), ('appalti', 'Appalti', 'Procurement')`); err != nil {
		t.Fatal(err)
	}

	anna := importEmployee(t, pool, "Anna Bianchi", "anna.bianchi@comune.prato.it")
	bruno := importEmployee(t, pool, "Bruno Verdi", "bruno.verdi@comune.prato.it")
	// Bruno wrote to the bot before HR's import reached him: a first-contact row with his
	// choices, a role and an audit entry of his own.
	adhoc, err := s.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "UBRUNO", DisplayName: "bruno"})
	if err != nil {
		t.Fatal(err)
	}
	en, skills := "en", []bot.SkillInput{{Code: "gis", Level: 3}}
	if _, err := s.UpdateProfile(ctx, adhoc.ID, bot.ProfileUpdate{Locale: &en, Skills: &skills}); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO employee_skills (employee_id, skill_id, level) SELECT $1, id, 1 FROM skills WHERE code = 'appalti'`, bruno); err != nil {
		t.Fatal(err)
	}
	if err := s.GrantRole(ctx, 0, adhoc.ID, bot.RoleCoordinator, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO audit_log (actor_id, action) VALUES ($1, 'test.action')`, adhoc.ID); err != nil {
		t.Fatal(err)
	}
	// Carla has only a first-contact row.
	carla, err := s.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "UCARLA", DisplayName: "carla"})
	if err != nil {
		t.Fatal(err)
	}
	// Dario is linked already and leaves; Elena is linked to an old account.
	dario := importEmployee(t, pool, "Dario Neri", "dario.neri@comune.prato.it")
	elena := importEmployee(t, pool, "Elena Rossi", "elena.rossi@comune.prato.it")
	if _, err := pool.Exec(ctx, `INSERT INTO employee_identities (transport, external_id, employee_id) VALUES
		('slack', 'UDARIO', $1), ('slack', 'UELENAOLD', $2)`, dario, elena); err != nil {
		t.Fatal(err)
	}

	listing := []bot.SlackUser{
		{ID: "UANNA", Name: "anna.b", Email: "Anna.Bianchi@Comune.Prato.it", Timezone: "Europe/Rome", Locale: "it-IT"},
		{ID: "UBRUNO", Name: "bruno.v", Email: "bruno.verdi@comune.prato.it", Timezone: "Europe/Rome", Locale: "en-GB"},
		{ID: "UCARLA", Name: "Carla Gialli", Email: "carla.gialli@comune.prato.it", Timezone: "Europe/Rome", Locale: "it-IT"},
		{ID: "UDARIO", Name: "dario", Email: "dario.neri@comune.prato.it", Deleted: true},
		{ID: "UELENA", Name: "elena", Email: "elena.rossi@comune.prato.it"},
		{ID: "UFRANCO", Name: "Franco Blu", Email: "franco.blu@comune.prato.it", Timezone: "Europe/London", Locale: "en-GB"},
		{ID: "UGONE", Name: "Gone", Email: "gone@comune.prato.it", Deleted: true},
		// Two accounts with one e-mail: the active one keeps it.
		{ID: "UHOLD", Name: "Ugo old", Email: "ugo@comune.prato.it", Deleted: true},
		{ID: "UHNEW", Name: "Ugo", Email: "ugo@comune.prato.it"},
		// The same user twice (the listing changed while paged): counted once.
		{ID: "UFRANCO", Name: "Franco Blu", Email: "franco.blu@comune.prato.it", Timezone: "Europe/Rome", Locale: "en-GB"},
	}
	rep, err := s.SyncSlackUsers(ctx, listing)
	if err != nil {
		t.Fatal(err)
	}
	want := bot.UserSyncReport{Seen: 9, Created: 2, Linked: 1, Merged: 1, Updated: 3, Deactivated: 1, Conflicts: 1, ConflictIDs: []string{"UELENA"}}
	if rep.Seen != want.Seen || rep.Created != want.Created || rep.Linked != want.Linked || rep.Merged != want.Merged ||
		rep.Updated != want.Updated || rep.Deactivated != want.Deactivated || rep.Conflicts != want.Conflicts ||
		!slices.Equal(rep.ConflictIDs, want.ConflictIDs) {
		t.Fatalf("report %+v\nwant   %+v", rep, want)
	}

	// Linked by e-mail, case aside; the imported name stays.
	if got := slackOwner(t, pool, "UANNA"); got != anna {
		t.Errorf("UANNA belongs to %d, want Anna's imported row %d", got, anna)
	}
	if r := loadSynced(t, pool, anna); r.Name != "Anna Bianchi" || r.TZ != "Europe/Rome" || r.SlackLocale != "it-IT" || !r.Active {
		t.Errorf("Anna after the sync: %+v", r)
	}

	// Merged: identity, role, skills and language moved to the imported row; the
	// first-contact row is gone; the audit log says so and keeps Bruno's own entry his.
	if got := slackOwner(t, pool, "UBRUNO"); got != bruno {
		t.Errorf("UBRUNO belongs to %d, want Bruno's imported row %d", got, bruno)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM employees WHERE id = $1`, adhoc.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("first-contact row still there (%d, %v)", n, err)
	}
	b, err := s.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportSlack, ExternalID: "UBRUNO"})
	if err != nil {
		t.Fatal(err)
	}
	var skillCodes []string
	for _, sk := range b.Skills {
		skillCodes = append(skillCodes, sk.Code)
	}
	slices.Sort(skillCodes)
	if b.DisplayName != "Bruno Verdi" || b.Locale != "en" || !b.HasRole(bot.RoleCoordinator) ||
		!slices.Equal(skillCodes, []string{"appalti", "gis"}) || b.SlackLocale != "en-GB" {
		t.Errorf("Bruno after the merge: name %q locale %q roles %v skills %v slack locale %q",
			b.DisplayName, b.Locale, b.Roles, skillCodes, b.SlackLocale)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'slack.merge' AND subject = 'employee:' || $1::bigint
		AND NOT details ? 'slack_id' AND (details->>'merged_employee')::bigint = $2`, bruno, adhoc.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("slack.merge audit rows by employee id only %d (%v), want 1", n, err)
	}
	// The audit log holds no chat id, which would outlive an erasure: people are employee ids.
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE details::text LIKE '%UBRUNO%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("audit rows with a Slack id: %d (%v), want 0", n, err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'test.action' AND actor_id = $1`, bruno).Scan(&n); err != nil || n != 1 {
		t.Errorf("Bruno's own audit entry not carried over (%d, %v)", n, err)
	}

	// First-contact row completed: e-mail and (having had no e-mail) the name from Slack.
	if r := loadSynced(t, pool, carla.ID); r.Name != "Carla Gialli" || r.Email != "carla.gialli@comune.prato.it" || r.TZ != "Europe/Rome" {
		t.Errorf("Carla after the sync: %+v", r)
	}
	// Deactivated, audited.
	if r := loadSynced(t, pool, dario); r.Active {
		t.Error("Dario's deactivated account left him active")
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'slack.deactivate' AND subject = 'employee:' || $1::bigint`, dario).Scan(&n); err != nil || n != 1 {
		t.Errorf("slack.deactivate audit rows %d (%v), want 1", n, err)
	}
	// Conflict: left alone.
	if got := slackOwner(t, pool, "UELENA"); got != 0 {
		t.Errorf("conflicting UELENA was attached to %d", got)
	}
	if got := slackOwner(t, pool, "UELENAOLD"); got != elena {
		t.Errorf("Elena's old identity moved to %d", got)
	}
	// Created, once, with the last listing of a repeated user.
	franco := slackOwner(t, pool, "UFRANCO")
	if r := loadSynced(t, pool, franco); franco == 0 || r.Name != "Franco Blu" || r.Email != "franco.blu@comune.prato.it" ||
		r.TZ != "Europe/Rome" || r.SlackLocale != "en-GB" || !r.Active {
		t.Errorf("Franco (%d) after the sync: %+v", franco, r)
	}
	if got := slackOwner(t, pool, "UGONE"); got != 0 {
		t.Errorf("a deactivated account with no row got one (%d)", got)
	}
	if ugo := slackOwner(t, pool, "UHNEW"); ugo == 0 || loadSynced(t, pool, ugo).Email != "ugo@comune.prato.it" {
		t.Errorf("the active account did not keep the shared e-mail (row %d)", ugo)
	}
	if got := slackOwner(t, pool, "UHOLD"); got != 0 {
		t.Errorf("the deactivated duplicate got a row (%d)", got)
	}

	// The same listing again changes nothing, not even updated_at.
	before := loadSynced(t, pool, anna)
	rep, err = s.SyncSlackUsers(ctx, listing)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created+rep.Linked+rep.Merged+rep.Updated+rep.Deactivated != 0 || rep.Conflicts != 1 {
		t.Errorf("second sync of the same listing: %+v, want no change", rep)
	}
	if after := loadSynced(t, pool, anna); !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("an unchanged row was rewritten (updated_at %v → %v)", before.UpdatedAt, after.UpdatedAt)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM employees`).Scan(&n); err != nil || n != 7 {
		t.Errorf("employees %d (%v), want 7", n, err)
	}
}

// An imported name wins over Slack's; a first-contact name follows Slack until the row has an
// e-mail; values too long for the columns do not fail the sync.
func TestSyncSlackUsersNamesAndLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	s := postgres.NewStore(pool)
	imported := importEmployee(t, pool, "Maria Rossi", "maria@comune.prato.it")
	long := make([]rune, 120)
	for i := range long {
		long[i] = 'à'
	}
	rep, err := s.SyncSlackUsers(ctx, []bot.SlackUser{
		{ID: "UMARIA", Name: "mary", Email: "maria@comune.prato.it"},
		{ID: "ULONG", Name: string(long), Email: "not an e-mail", Timezone: string(long), Locale: string(long)},
		{ID: ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Seen != 2 || rep.Linked != 1 || rep.Created != 1 {
		t.Fatalf("report %+v", rep)
	}
	if r := loadSynced(t, pool, imported); r.Name != "Maria Rossi" {
		t.Errorf("imported name overwritten: %q", r.Name)
	}
	r := loadSynced(t, pool, slackOwner(t, pool, "ULONG"))
	if len([]rune(r.Name)) != 80 || r.Email != "" || r.TZ != "" || r.SlackLocale != "" {
		t.Errorf("long values: %+v", r)
	}
	// An empty listing is a no-op, not an error.
	if rep, err := s.SyncSlackUsers(ctx, nil); err != nil || rep.Seen+rep.Created+rep.Linked+rep.Updated+rep.Conflicts != 0 {
		t.Errorf("empty listing: %+v, %v", rep, err)
	}
}

// Syncs running at once (a start and the daily firing, say) and first contacts arriving during
// them leave one row per person and one identity per Slack id.
func TestSyncSlackUsersConcurrentlyWithFirstContacts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	s := postgres.NewStore(pool)
	var listing []bot.SlackUser
	for i := range 50 {
		listing = append(listing, bot.SlackUser{ID: fmt.Sprintf("U%03d", i), Name: fmt.Sprintf("Persona %d", i),
			Email: fmt.Sprintf("persona%d@comune.prato.it", i)})
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.SyncSlackUsers(ctx, listing); err != nil {
				t.Errorf("sync: %v", err)
			}
		}()
	}
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: fmt.Sprintf("U%03d", i)}); err != nil {
				t.Errorf("first contact: %v", err)
			}
		}()
	}
	wg.Wait()
	// One more sync completes whatever a first contact created meanwhile.
	if _, err := s.SyncSlackUsers(ctx, listing); err != nil {
		t.Fatal(err)
	}
	var rows, identities, withEmail int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(email) FROM employees`).Scan(&rows, &withEmail); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM employee_identities`).Scan(&identities); err != nil {
		t.Fatal(err)
	}
	if rows != 50 || identities != 50 || withEmail != 50 {
		t.Errorf("rows %d, identities %d, with e-mail %d; want 50 each", rows, identities, withEmail)
	}
}

// A person who erased their data is not refilled from Slack while their row keeps the Slack
// identity.
func TestSyncSlackUsersLeavesErasedRowsAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	s := postgres.NewStore(pool)
	e, err := s.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "UERASED", DisplayName: "zeta"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE employees SET display_name = '', active = false, erased_at = now() WHERE id = $1`, e.ID); err != nil {
		t.Fatal(err)
	}
	rep, err := s.SyncSlackUsers(ctx, []bot.SlackUser{{ID: "UERASED", Name: "Zeta Zeri", Email: "zeta@comune.prato.it", Timezone: "Europe/Rome"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created+rep.Updated+rep.Merged+rep.Linked != 0 {
		t.Errorf("report %+v, want no change", rep)
	}
	if r := loadSynced(t, pool, e.ID); r.Name != "" || r.Email != "" || r.TZ != "" || r.Active {
		t.Errorf("erased row refilled: %+v", r)
	}
}
