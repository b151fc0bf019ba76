package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
)

// Outbox enqueues durable jobs inside a store transaction, so that a change and the messages it
// calls for commit together (internal/jobs implements it with River).
type Outbox interface {
	// PostTx enqueues one post job per notice (deduplicated by Notice.Key).
	PostTx(ctx context.Context, tx pgx.Tx, notices []bot.Notice) error
	// TeamChannelTx enqueues the creation of a formed team's project channel.
	TeamChannelTx(ctx context.Context, tx pgx.Tx, projectID int64) error
}

// WithOutbox sets the outbox that changes with messages (team invitations) enqueue them in.
// Without one those changes fail rather than lose their messages.
func WithOutbox(o Outbox) Option { return func(s *Store) { s.outbox = o } }

// ErrNoOutbox is the error of a change that has messages to send and no outbox to send them.
var ErrNoOutbox = errors.New("postgres: no outbox configured: cannot enqueue messages")

// personColumns selects a PersonRef of the employee aliased e (identities joined lazily).
const personColumns = `e.id, coalesce(nullif(e.display_name, ''), e.email, '#' || e.id::text),
       coalesce((SELECT i.external_id FROM employee_identities i WHERE i.employee_id = e.id AND i.transport = 'slack'), ''),
       coalesce((SELECT i.external_id FROM employee_identities i WHERE i.employee_id = e.id AND i.transport = 'console'), ''),
       coalesce(e.locale, e.slack_locale, '')`

const teamHeadQuery = `
SELECT p.id, p.title, p.phase, p.team_channel_wanted, coalesce(p.team_channel, ''), p.team_formed_at,
       e.id, coalesce(nullif(e.display_name, ''), e.email, '#' || e.id::text),
       coalesce((SELECT i.external_id FROM employee_identities i WHERE i.employee_id = e.id AND i.transport = 'slack'), ''),
       coalesce((SELECT i.external_id FROM employee_identities i WHERE i.employee_id = e.id AND i.transport = 'console'), ''),
       coalesce(e.locale, e.slack_locale, '')
FROM projects p LEFT JOIN employees e ON e.id = p.coordinator_id
WHERE p.id = $1`

// teamInvitationsQuery lists a project's invitations, each slot's latest first.
const teamInvitationsQuery = `
SELECT t.id, t.slot, t.status, t.reason, t.invited_at, t.answered_at, ` + personColumns + `
FROM team_invitations t JOIN employees e ON e.id = t.employee_id
WHERE t.project_id = $1
ORDER BY t.slot, t.id DESC`

// rowQuerier is what a pool and a transaction have in common for reading.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// loadTeam reads a project's team; with lock, the project row is locked first so that answers
// and swaps on one team are serialised.
func loadTeam(ctx context.Context, q rowQuerier, projectID int64, lock bool) (bot.ProjectTeam, error) {
	var (
		t                               bot.ProjectTeam
		phase                           string
		cID                             *int64
		cName, cSlack, cHandle, cLocale *string
	)
	sql := teamHeadQuery
	if lock {
		sql += ` FOR UPDATE OF p`
	}
	if err := q.QueryRow(ctx, sql, projectID).Scan(&t.ProjectID, &t.ProjectTitle, &phase, &t.WantChannel, &t.Channel, &t.FormedAt,
		&cID, &cName, &cSlack, &cHandle, &cLocale); err != nil {
		return bot.ProjectTeam{}, err
	}
	t.Phase = bot.Phase(phase)
	if cID != nil {
		t.Coordinator = &bot.PersonRef{ID: *cID, Name: deref(cName), SlackUserID: deref(cSlack), Handle: deref(cHandle), Locale: deref(cLocale)}
	}
	rows, err := q.Query(ctx, teamInvitationsQuery, projectID)
	if err != nil {
		return bot.ProjectTeam{}, err
	}
	invs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.Invitation, error) {
		var (
			inv    bot.Invitation
			status string
		)
		err := r.Scan(&inv.ID, &inv.Slot, &status, &inv.Reason, &inv.InvitedAt, &inv.AnsweredAt,
			&inv.Person.ID, &inv.Person.Name, &inv.Person.SlackUserID, &inv.Person.Handle, &inv.Person.Locale)
		inv.Status, inv.ProjectID = bot.InviteStatus(status), projectID
		return inv, err
	})
	if err != nil {
		return bot.ProjectTeam{}, err
	}
	last := 0
	for _, inv := range invs {
		if inv.Slot != last {
			t.Slots = append(t.Slots, inv)
			last = inv.Slot
		} else {
			t.Former = append(t.Former, inv)
		}
	}
	return t, nil
}

// ProjectTeam loads a project's team.
func (s *Store) ProjectTeam(ctx context.Context, projectID int64) (bot.ProjectTeam, error) {
	t, err := loadTeam(ctx, s.pool, projectID, false)
	return t, wrap(fmt.Sprintf("load team of project %d", projectID), err)
}

// enqueue hands the notices to the outbox in tx; no notices need no outbox.
func (s *Store) enqueue(ctx context.Context, tx pgx.Tx, notices []bot.Notice) error {
	kept := notices[:0:0]
	for _, n := range notices {
		if n.Channel != "" {
			kept = append(kept, n)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	if s.outbox == nil {
		return ErrNoOutbox
	}
	return s.outbox.PostTx(ctx, tx, kept)
}

// teamChange runs fn on the locked team in one transaction, then reloads the team, asks
// notices for the messages and enqueues them in the same transaction.
func (s *Store) teamChange(ctx context.Context, op string, projectID int64, fn func(tx pgx.Tx, t bot.ProjectTeam) error, notices bot.NoticeFunc) (bot.ProjectTeam, error) {
	var after bot.ProjectTeam
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		t, err := loadTeam(ctx, tx, projectID, true)
		if err != nil {
			return err
		}
		if err := fn(tx, t); err != nil {
			return err
		}
		if after, err = loadTeam(ctx, tx, projectID, false); err != nil {
			return err
		}
		if notices == nil {
			return nil
		}
		msgs, err := notices(after)
		if err != nil {
			return err
		}
		return s.enqueue(ctx, tx, msgs)
	})
	return after, wrap(op, err)
}

func closedPhase(p bot.Phase) bool { return p == bot.PhaseConcluso || p == bot.PhaseAnnullato }

// InviteTeam invites members, slot by slot, and records whether a channel is wanted.
func (s *Store) InviteTeam(ctx context.Context, projectID, actorID int64, members []int64, wantChannel bool, notices bot.NoticeFunc) (bot.ProjectTeam, error) {
	op := fmt.Sprintf("invite the team of project %d", projectID)
	return s.teamChange(ctx, op, projectID, func(tx pgx.Tx, t bot.ProjectTeam) error {
		if closedPhase(t.Phase) {
			return bot.Errorf(bot.ECONFLICT, "team.error.closed", "id", projectID, "phase", string(t.Phase))
		}
		if t.Confirmed() {
			return bot.Errorf(bot.ECONFLICT, "team.error.already_confirmed", "id", projectID)
		}
		slots := make([]int32, len(members))
		for i := range members {
			slots[i] = int32(i + 1)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO team_invitations (project_id, slot, employee_id, invited_by)
			SELECT $1, s, e, $4 FROM unnest($2::int[], $3::bigint[]) AS m(s, e)`, projectID, slots, members, nullID(actorID)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE projects SET team_channel_wanted = $2, updated_at = now() WHERE id = $1`, projectID, wantChannel); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "team.invite", projectSubject(projectID), map[string]any{"members": members, "channel": wantChannel})
	}, notices)
}

// ReplaceInvitee gives oldID's slot to newID.
func (s *Store) ReplaceInvitee(ctx context.Context, projectID, actorID, oldID, newID int64, notices bot.NoticeFunc) (bot.ProjectTeam, error) {
	op := fmt.Sprintf("replace invitee %d of project %d", oldID, projectID)
	return s.teamChange(ctx, op, projectID, func(tx pgx.Tx, t bot.ProjectTeam) error {
		if closedPhase(t.Phase) {
			return bot.Errorf(bot.ECONFLICT, "team.error.closed", "id", projectID, "phase", string(t.Phase))
		}
		if t.Formed() {
			return bot.Errorf(bot.ECONFLICT, "team.error.formed", "id", projectID)
		}
		old, ok := t.SlotOf(oldID)
		if !ok {
			return bot.Errorf(bot.ENOTFOUND, "team.not_member", "emp", oldID)
		}
		if old.Status == bot.InviteAccepted {
			return bot.Errorf(bot.ECONFLICT, "team.error.replace_accepted", "name", old.Person.Name)
		}
		for _, inv := range append(append([]bot.Invitation(nil), t.Former...), t.Slots...) {
			if inv.Person.ID == newID {
				return bot.Errorf(bot.ECONFLICT, "team.error.already_invited", "name", inv.Person.Name)
			}
		}
		if old.Status == bot.InvitePending {
			if _, err := tx.Exec(ctx, `UPDATE team_invitations SET status = 'cancelled', answered_at = now() WHERE id = $1`, old.ID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO team_invitations (project_id, slot, employee_id, invited_by) VALUES ($1, $2, $3, $4)`,
			projectID, old.Slot, newID, nullID(actorID)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "team.replace", projectSubject(projectID), map[string]any{"old": oldID, "new": newID, "slot": old.Slot})
	}, notices)
}

// heldProjectsQuery counts the projects that take up an employee's capacity: the active
// projects (neither concluded nor cancelled) whose team they are in, or whose team is still
// forming and whose invitation they accepted. A formed team's accepted invitations are its
// members: the union counts each project once. teamCandidatesQuery counts the same way.
const heldProjectsQuery = `
SELECT count(*) FROM (
    SELECT project_id FROM team_members WHERE employee_id = $1
    UNION
    SELECT project_id FROM team_invitations WHERE employee_id = $1 AND status = 'accepted'
) h JOIN projects p ON p.id = h.project_id
WHERE p.phase NOT IN ('concluso', 'annullato')`

// AnswerInvitation records an answer; the last acceptance forms the team. An acceptance is
// refused when the employee's capacity is already taken (see heldProjectsQuery).
func (s *Store) AnswerInvitation(ctx context.Context, projectID, employeeID int64, accept bool, reason string, notices bot.NoticeFunc) (bot.AnswerOutcome, error) {
	reason = strings.TrimSpace(reason) // its length is the core's (bot.ValidateDeclineReason)
	op := fmt.Sprintf("answer the invitation of employee %d to project %d", employeeID, projectID)
	var out bot.AnswerOutcome
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		t, err := loadTeam(ctx, tx, projectID, true)
		if err != nil {
			return err
		}
		inv, ok := t.SlotOf(employeeID)
		if !ok {
			for _, f := range t.Former {
				if f.Person.ID == employeeID {
					inv, ok = f, true
				}
			}
		}
		if !ok {
			return bot.ErrNotFound
		}
		out.Before, out.Team = inv, t
		if inv.Status != bot.InvitePending || closedPhase(t.Phase) {
			return nil // a double click, or too late: nothing changes
		}
		status := bot.InviteDeclined
		if accept {
			status = bot.InviteAccepted
			// Acceptances of one person to different projects lock different project rows:
			// the person's row serialises them, so that each counts the others' yes. The
			// lock is taken in a statement of its own, so that the count below (a new
			// statement, a new snapshot under READ COMMITTED) sees what the previous holder
			// committed. NO KEY UPDATE is enough (a capacity change takes it too) and leaves
			// the foreign-key checks of other teams' invitations and members unblocked.
			var capacity int
			if err := tx.QueryRow(ctx, `SELECT capacity FROM employees WHERE id = $1 FOR NO KEY UPDATE`, employeeID).Scan(&capacity); err != nil {
				return err
			}
			var held int
			if err := tx.QueryRow(ctx, heldProjectsQuery, employeeID).Scan(&held); err != nil {
				return err
			}
			if held >= capacity {
				return bot.Errorf(bot.ECONFLICT, "team.error.no_capacity", "id", projectID, "title", t.ProjectTitle, "n", capacity)
			}
			reason = ""
		}
		if _, err := tx.Exec(ctx, `UPDATE team_invitations SET status = $2, reason = $3, answered_at = now() WHERE id = $1`,
			inv.ID, string(status), reason); err != nil {
			return err
		}
		if accept && t.Count(bot.InviteAccepted)+1 == len(t.Slots) {
			if err := formTeam(ctx, tx, t, s.outbox); err != nil {
				return err
			}
		}
		if err := audit(ctx, tx, employeeID, "team.answer", projectSubject(projectID), map[string]any{"status": status}); err != nil {
			return err
		}
		out.Changed = true
		if out.Team, err = loadTeam(ctx, tx, projectID, false); err != nil {
			return err
		}
		if notices == nil {
			return nil
		}
		msgs, err := notices(out.Team)
		if err != nil {
			return err
		}
		return s.enqueue(ctx, tx, msgs)
	})
	if err != nil {
		return bot.AnswerOutcome{}, wrap(op, err)
	}
	return out, nil
}

// formTeam records the members (consuming capacity), adds a collaboration edge for every pair
// that had none, marks the team formed and enqueues the channel when wanted.
func formTeam(ctx context.Context, tx pgx.Tx, t bot.ProjectTeam, outbox Outbox) error {
	ids := t.MemberIDs()
	if _, err := tx.Exec(ctx, `INSERT INTO team_members (project_id, employee_id) SELECT $1, unnest($2::bigint[])
		ON CONFLICT DO NOTHING`, t.ProjectID, ids); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO collaboration_edges (employee_a, employee_b, source)
		SELECT a, b, 'project' FROM unnest($1::bigint[]) AS a, unnest($1::bigint[]) AS b WHERE a < b
		ON CONFLICT DO NOTHING`, ids); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE projects SET team_formed_at = now(), updated_at = now() WHERE id = $1`, t.ProjectID); err != nil {
		return err
	}
	if !t.WantChannel {
		return nil
	}
	if outbox == nil {
		return ErrNoOutbox
	}
	return outbox.TeamChannelTx(ctx, tx, t.ProjectID)
}

// ExpireInvitations expires the invitations pending since before cutoff, one project
// transaction at a time; a concurrent sweep skips the rows this one holds.
func (s *Store) ExpireInvitations(ctx context.Context, cutoff time.Time, notices func(bot.ProjectTeam, bot.Invitation) ([]bot.Notice, error)) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT project_id FROM team_invitations WHERE status = 'pending' AND invited_at < $1 ORDER BY 1`, cutoff)
	if err != nil {
		return 0, wrap("find expired invitations", err)
	}
	projects, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, wrap("find expired invitations", err)
	}
	total := 0
	for _, pid := range projects {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			t, err := loadTeam(ctx, tx, pid, true)
			if err != nil {
				return err
			}
			var expired []bot.Invitation
			for _, inv := range t.Slots {
				if inv.Status == bot.InvitePending && inv.InvitedAt.Before(cutoff) {
					expired = append(expired, inv)
				}
			}
			for _, inv := range expired {
				if _, err := tx.Exec(ctx, `UPDATE team_invitations SET status = 'expired', answered_at = now() WHERE id = $1 AND status = 'pending'`, inv.ID); err != nil {
					return err
				}
			}
			after, err := loadTeam(ctx, tx, pid, false)
			if err != nil {
				return err
			}
			for _, inv := range expired {
				inv.Status = bot.InviteExpired
				msgs, err := notices(after, inv)
				if err != nil {
					return err
				}
				if err := s.enqueue(ctx, tx, msgs); err != nil {
					return err
				}
			}
			total += len(expired)
			return nil
		})
		if err != nil {
			return total, wrap(fmt.Sprintf("expire invitations of project %d", pid), err)
		}
	}
	return total, nil
}

// PendingTeams lists the teams of open projects with an invitation pending since before cutoff.
func (s *Store) PendingTeams(ctx context.Context, cutoff time.Time) ([]bot.ProjectTeam, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT t.project_id FROM team_invitations t JOIN projects p ON p.id = t.project_id
		WHERE t.status = 'pending' AND t.invited_at < $1 AND p.phase NOT IN ('concluso', 'annullato') ORDER BY 1`, cutoff)
	if err != nil {
		return nil, wrap("find pending teams", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, wrap("find pending teams", err)
	}
	out := make([]bot.ProjectTeam, 0, len(ids))
	for _, id := range ids {
		t, err := loadTeam(ctx, s.pool, id, false)
		if err != nil {
			return nil, wrap(fmt.Sprintf("load team of project %d", id), err)
		}
		out = append(out, t)
	}
	return out, nil
}

// MyInvitations lists an employee's invitations, pending first, newest first.
func (s *Store) MyInvitations(ctx context.Context, employeeID int64) ([]bot.MyInvitation, error) {
	rows, err := s.pool.Query(ctx, `
SELECT t.id, t.project_id, t.slot, t.status, t.reason, t.invited_at, t.answered_at, p.title,
       coalesce(nullif(c.display_name, ''), c.email, '')
FROM team_invitations t JOIN projects p ON p.id = t.project_id LEFT JOIN employees c ON c.id = p.coordinator_id
WHERE t.employee_id = $1
ORDER BY t.status = 'pending' DESC, t.invited_at DESC, t.id DESC
LIMIT 50`, employeeID)
	if err != nil {
		return nil, wrap("list my invitations", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.MyInvitation, error) {
		var (
			m      bot.MyInvitation
			status string
		)
		err := r.Scan(&m.ID, &m.ProjectID, &m.Slot, &status, &m.Reason, &m.InvitedAt, &m.AnsweredAt, &m.ProjectTitle, &m.Coordinator)
		m.Status, m.Person.ID = bot.InviteStatus(status), employeeID
		return m, err
	})
	return out, wrap("list my invitations", err)
}

// Notify enqueues notices in a transaction of their own.
func (s *Store) Notify(ctx context.Context, notices []bot.Notice) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.enqueue(ctx, tx, notices) })
	return wrap("enqueue notices", err)
}

// SetTeamChannel records a project channel once: a second id for the same project is ignored,
// so that a retried channel job keeps the first channel.
func (s *Store) SetTeamChannel(ctx context.Context, projectID int64, channel string) error {
	_, err := s.pool.Exec(ctx, `UPDATE projects SET team_channel = $2 WHERE id = $1 AND team_channel IS NULL`, projectID, channel)
	return wrap(fmt.Sprintf("record the channel of project %d", projectID), err)
}

// cancelInvitationsTx cancels a cancelled project's pending invitations and enqueues a notice
// to each invitee.
func (s *Store) cancelInvitationsTx(ctx context.Context, tx pgx.Tx, projectID int64) error {
	t, err := loadTeam(ctx, tx, projectID, false)
	if err != nil {
		return err
	}
	var msgs []bot.Notice
	for _, inv := range t.Slots {
		if inv.Status != bot.InvitePending {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE team_invitations SET status = 'cancelled', answered_at = now() WHERE id = $1`, inv.ID); err != nil {
			return err
		}
		msgs = append(msgs, bot.InvitationCancelledNotice(t, inv))
	}
	return s.enqueue(ctx, tx, msgs)
}
