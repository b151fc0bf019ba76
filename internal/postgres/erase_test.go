package postgres_test

import (
	"context"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// An erased person stays erased when the nightly Slack sync lists them again, and comes back
// only by writing to the bot themselves.
func TestErasureSurvivesTheSlackSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	s := postgres.NewStore(pool)
	id := bot.Identity{Transport: bot.TransportSlack, ExternalID: "U77", DisplayName: "Nora"}
	listing := []bot.SlackUser{{ID: "U77", Name: "Nora Neri", Email: "nora.neri@comune.example.it", Timezone: "Europe/Rome"}}
	if _, err := s.SyncSlackUsers(ctx, listing); err != nil {
		t.Fatal(err)
	}
	e, err := s.EnsureEmployee(ctx, id)
	if err != nil || e.Email != "nora.neri@comune.example.it" {
		t.Fatalf("before erasure: %+v %v", e, err)
	}
	if err := s.ErasePersonalData(ctx, e.ID, nil); err != nil {
		t.Fatal(err)
	}
	count := func() (rows, named int) {
		err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE email IS NOT NULL OR display_name <> '') FROM employees`).Scan(&rows, &named)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if _, err := s.SyncSlackUsers(ctx, listing); err != nil {
		t.Fatal(err)
	}
	if rows, named := count(); rows != 1 || named != 0 {
		t.Fatalf("the sync brought the erased person back: %d rows, %d with personal data", rows, named)
	}
	var hashes int
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM erased_identities`).Scan(&hashes)
	if hashes != 1 {
		t.Fatalf("suppression entries = %d", hashes)
	}
	// Writing again is a choice: a new row, and the sync keeps it up to date from then on.
	back, err := s.EnsureEmployee(ctx, id)
	if err != nil || back.ID == e.ID || !back.Active {
		t.Fatalf("coming back: %+v %v", back, err)
	}
	if _, err := s.SyncSlackUsers(ctx, listing); err != nil {
		t.Fatal(err)
	}
	if back, _ = s.EnsureEmployee(ctx, id); back.Email != "nora.neri@comune.example.it" {
		t.Fatalf("after coming back the sync should update the new row: %+v", back)
	}
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM erased_identities`).Scan(&hashes)
	if hashes != 0 {
		t.Fatalf("suppression entries after coming back = %d", hashes)
	}
}
