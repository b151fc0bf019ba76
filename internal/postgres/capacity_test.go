package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// capacityFixture holds one person, Xena, of capacity c, and n projects that each invite her;
// with forming, each project also invites someone else who never answers, so that Xena's yes
// leaves the team still forming (no team_members row); without, her yes forms the team.
type capacityFixture struct {
	store    *postgres.Store
	pool     *pgxpool.Pool
	xena     int64
	projects []int64
}

func newCapacityFixture(t *testing.T, c, n int, forming bool) capacityFixture {
	t.Helper()
	ctx := context.Background()
	// Enough connections for every acceptance to be in flight at once.
	cfg, err := pgxpool.ParseConfig(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = int32(n + 2)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	f := capacityFixture{store: postgres.NewStore(pool), pool: pool}
	if err := pool.QueryRow(ctx, `INSERT INTO employees (display_name, email, capacity) VALUES ('Xena', 'xena@example.it', $1) RETURNING id`, c).Scan(&f.xena); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		var pid, other int64
		if err := pool.QueryRow(ctx, `INSERT INTO projects (title, phase, team_size) VALUES ($1, 'ideazione', 2) RETURNING id`,
			fmt.Sprintf("Progetto %d", i+1)).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		members := []int64{f.xena}
		if forming {
			if err := pool.QueryRow(ctx, `INSERT INTO employees (display_name, email) VALUES ($1, $2) RETURNING id`,
				fmt.Sprintf("Altro %d", i+1), fmt.Sprintf("altro%d@example.it", i+1)).Scan(&other); err != nil {
				t.Fatal(err)
			}
			members = append(members, other)
		}
		if _, err := f.store.InviteTeam(ctx, pid, 0, members, false, nil); err != nil {
			t.Fatal(err)
		}
		f.projects = append(f.projects, pid)
	}
	return f
}

// acceptAll accepts every invitation at once, from as many goroutines, and returns how many
// acceptances were recorded and how many refused for capacity.
func (f capacityFixture) acceptAll(t *testing.T) (accepted, refused int) {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		start = make(chan struct{})
		errs  []error
	)
	for _, pid := range f.projects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out, err := f.store.AnswerInvitation(context.Background(), pid, f.xena, true, "", nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && out.Changed:
				accepted++
			case bot.ErrorCode(err) == bot.ECONFLICT:
				refused++
			default:
				errs = append(errs, fmt.Errorf("project %d: changed %v, %w", pid, out.Changed, err))
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	return accepted, refused
}

// A person of capacity C who accepts N invitations at once ends up holding exactly C
// projects, whether the teams are still forming (an accepted invitation holds a place like a
// membership) or are formed by the acceptance.
func TestConcurrentAcceptancesHoldCapacity(t *testing.T) {
	t.Parallel()
	const n = 8
	for _, forming := range []bool{true, false} {
		for _, c := range []int{1, 2} {
			t.Run(fmt.Sprintf("capacity %d forming %v", c, forming), func(t *testing.T) {
				t.Parallel()
				f := newCapacityFixture(t, c, n, forming)
				accepted, refused := f.acceptAll(t)
				if accepted != c || refused != n-c {
					t.Errorf("accepted %d, refused %d; want %d and %d", accepted, refused, c, n-c)
				}
				var held, members int
				if err := f.pool.QueryRow(context.Background(), `SELECT
					(SELECT count(*) FROM team_invitations WHERE employee_id = $1 AND status = 'accepted'),
					(SELECT count(*) FROM team_members WHERE employee_id = $1)`, f.xena).Scan(&held, &members); err != nil {
					t.Fatal(err)
				}
				wantMembers := c
				if forming {
					wantMembers = 0
				}
				if held != c || members != wantMembers {
					t.Errorf("stored: %d accepted invitations, %d memberships; want %d and %d", held, members, c, wantMembers)
				}
			})
		}
	}
}

// The refusal names the capacity, for the reply; a concluded project frees its place.
func TestCapacityRefusalAndRelease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newCapacityFixture(t, 1, 2, true)
	if _, err := f.store.AnswerInvitation(ctx, f.projects[0], f.xena, true, "", nil); err != nil {
		t.Fatal(err)
	}
	_, err := f.store.AnswerInvitation(ctx, f.projects[1], f.xena, true, "", nil)
	if e, ok := asBotError(err); !ok || e.Key != "team.error.no_capacity" || fmt.Sprint(e.Args) != fmt.Sprint([]any{"id", f.projects[1], "title", "Progetto 2", "n", 1}) {
		t.Fatalf("second acceptance: %v", err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE projects SET phase = 'concluso' WHERE id = $1`, f.projects[0]); err != nil {
		t.Fatal(err)
	}
	if out, err := f.store.AnswerInvitation(ctx, f.projects[1], f.xena, true, "", nil); err != nil || !out.Changed {
		t.Fatalf("acceptance after the first project concluded: %+v %v", out, err)
	}
}

func asBotError(err error) (*bot.Error, bool) {
	var e *bot.Error
	ok := errors.As(err, &e)
	return e, ok
}

// The team proposal's pool counts accepted invitations to teams still forming like
// memberships: a person of capacity 1 who said yes to one project is not proposed for another.
func TestTeamPoolCountsAcceptedInvitations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newCapacityFixture(t, 1, 2, true)
	if _, err := f.pool.Exec(ctx, `
		INSERT INTO org_units (code, name, type_label) VALUES ('A01', 'Area', 'Area');
		UPDATE employees SET unit_id = (SELECT id FROM org_units WHERE code = 'A01');
		INSERT INTO projects (title, phase, team_size) VALUES ('Terzo', 'ideazione', 2);`); err != nil {
		t.Fatal(err)
	}
	var third int64
	if err := f.pool.QueryRow(ctx, `SELECT id FROM projects WHERE title = 'Terzo'`).Scan(&third); err != nil {
		t.Fatal(err)
	}
	inPool := func() bool {
		t.Helper()
		p, err := f.store.TeamPool(ctx, third)
		if err != nil {
			t.Fatal(err)
		}
		_, ok := p.People[f.xena]
		return ok
	}
	if !inPool() {
		t.Fatal("Xena, with capacity left, is not in the pool")
	}
	if _, err := f.store.AnswerInvitation(ctx, f.projects[0], f.xena, true, "", nil); err != nil {
		t.Fatal(err)
	}
	if inPool() {
		t.Error("Xena accepted an invitation that takes her only place, and is still proposed for another team")
	}
}
