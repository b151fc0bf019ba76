package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
)

// audit records an administrative change in tx. actorID 0 is the system (the CLI, a job).
func audit(ctx context.Context, tx pgx.Tx, actorID int64, action, subject string, details map[string]any) error {
	var actor *int64
	if actorID != 0 {
		actor = &actorID
	}
	if details == nil {
		details = map[string]any{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("audit details: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, subject, details) VALUES ($1, $2, $3, $4)`,
		actor, action, subject, b)
	return err
}

// GrantRole gives target a role; a dirigente also heads unitCodes (added to those they head).
// Units go with dirigente only: with another role they are refused (EINVALID
// "role.units_only_manager") and nothing is written, so that a coordinator never heads units
// that would silently count once they become dirigente of another.
func (s *Store) GrantRole(ctx context.Context, actorID, targetID int64, role bot.Role, unitCodes []string) error {
	if role != bot.RoleManager && len(unitCodes) > 0 {
		return bot.Errorf(bot.EINVALID, "role.units_only_manager", "units", strings.Join(unitCodes, " "))
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO employee_roles (employee_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			targetID, string(role)); err != nil {
			return err
		}
		if len(unitCodes) > 0 {
			rows, err := tx.Query(ctx, `SELECT c FROM unnest($1::text[]) AS c WHERE NOT EXISTS (SELECT 1 FROM org_units u WHERE u.code = c)`, unitCodes)
			if err != nil {
				return err
			}
			missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				return bot.Errorf(bot.ENOTFOUND, "role.unknown_unit", "unit", missing[0])
			}
			if _, err := tx.Exec(ctx, `INSERT INTO manager_units (employee_id, unit_id)
				SELECT $1, u.id FROM org_units u WHERE u.code = ANY($2) ON CONFLICT DO NOTHING`, targetID, unitCodes); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actorID, "role.grant", fmt.Sprintf("employee:%d", targetID),
			map[string]any{"role": role, "units": unitCodes})
	})
	return wrap("grant role", err)
}

// RevokeRole takes role away from target (and, for dirigente, the units they head). The last
// active admin keeps the admin role (ECONFLICT "role.last_admin"): without one, nobody could
// assign roles in chat any more.
func (s *Store) RevokeRole(ctx context.Context, actorID, targetID int64, role bot.Role) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if role == bot.RoleAdmin {
			if err := keepAnAdmin(ctx, tx, targetID, "role.last_admin"); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM employee_roles WHERE employee_id = $1 AND role = $2`, targetID, string(role)); err != nil {
			return err
		}
		if role == bot.RoleManager {
			if _, err := tx.Exec(ctx, `DELETE FROM manager_units WHERE employee_id = $1`, targetID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actorID, "role.revoke", fmt.Sprintf("employee:%d", targetID), map[string]any{"role": role})
	})
	return wrap("revoke role", err)
}

// keepAnAdmin refuses, with an ECONFLICT error of key, a change in tx that takes the admin role
// away from employeeID when no other active admin would be left. It first locks every admin
// role row, in id order (so that two such changes cannot deadlock), in a statement of its own:
// two admins revoking each other at once take turns, and the second one's count, a new
// statement under READ COMMITTED, sees the first one's revocation.
func keepAnAdmin(ctx context.Context, tx pgx.Tx, employeeID int64, key string) error {
	rows, err := tx.Query(ctx, `SELECT employee_id FROM employee_roles WHERE role = 'admin' ORDER BY employee_id FOR UPDATE`)
	if err != nil {
		return err
	}
	admins, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	if !slices.Contains(admins, employeeID) {
		return nil
	}
	var others int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM employee_roles r JOIN employees e ON e.id = r.employee_id
		WHERE r.role = 'admin' AND r.employee_id <> $1 AND e.active AND e.erased_at IS NULL`, employeeID).Scan(&others); err != nil {
		return err
	}
	if others == 0 {
		return bot.Errorf(bot.ECONFLICT, key)
	}
	return nil
}

// PersonalData gathers everything held about one employee.
func (s *Store) PersonalData(ctx context.Context, employeeID int64) (bot.PersonalData, error) {
	d := bot.PersonalData{ExportedAt: time.Now().UTC(), Identities: []bot.PersonalIdentity{}, Skills: []bot.PersonalSkill{},
		Roles: []string{}, ManagedUnit: []string{}, AuditLog: []bot.PersonalAudit{}, Invitations: []bot.PersonalInvitation{},
		Teams: []bot.PersonalTeam{}, Meetings: []bot.PersonalEnrolment{}, NeverWith: []int64{}, MeetingRounds: []bot.PersonalMeetingRound{},
		Surveys: []bot.PersonalSurvey{}}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		e := &d.Employee
		var email, locale, tz, unit *string
		err := tx.QueryRow(ctx, `SELECT e.id, e.email, e.display_name, u.code, e.capacity, e.interests, e.locale, e.timezone,
				e.active, e.created_at, e.updated_at
			FROM employees e LEFT JOIN org_units u ON u.id = e.unit_id WHERE e.id = $1`, employeeID).
			Scan(&e.ID, &email, &e.DisplayName, &unit, &e.Capacity, &e.Interests, &locale, &tz, &e.Active, &e.CreatedAt, &e.UpdatedAt)
		if err != nil {
			return err
		}
		e.Email, e.Locale, e.Timezone, e.Unit = deref(email), deref(locale), deref(tz), deref(unit)
		rows, _ := tx.Query(ctx, `SELECT transport, external_id FROM employee_identities WHERE employee_id = $1 ORDER BY transport`, employeeID)
		if d.Identities, err = pgx.CollectRows(rows, pgx.RowToStructByPos[bot.PersonalIdentity]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT s.code, es.level::int FROM employee_skills es JOIN skills s ON s.id = es.skill_id
			WHERE es.employee_id = $1 ORDER BY s.code`, employeeID)
		if d.Skills, err = pgx.CollectRows(rows, pgx.RowToStructByPos[bot.PersonalSkill]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT role FROM employee_roles WHERE employee_id = $1 ORDER BY role`, employeeID)
		if d.Roles, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT u.code FROM manager_units m JOIN org_units u ON u.id = m.unit_id
			WHERE m.employee_id = $1 ORDER BY u.code`, employeeID)
		if d.ManagedUnit, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT at, action, subject FROM audit_log WHERE actor_id = $1 ORDER BY at, id`, employeeID)
		if d.AuditLog, err = pgx.CollectRows(rows, pgx.RowToStructByPos[bot.PersonalAudit]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT t.project_id, p.title, t.status, t.reason, t.invited_at, t.answered_at
			FROM team_invitations t JOIN projects p ON p.id = t.project_id WHERE t.employee_id = $1 ORDER BY t.invited_at, t.id`, employeeID)
		if d.Invitations, err = pgx.CollectRows(rows, pgx.RowToStructByPos[bot.PersonalInvitation]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT m.project_id, p.title, m.joined_at
			FROM team_members m JOIN projects p ON p.id = m.project_id WHERE m.employee_id = $1 ORDER BY m.joined_at, m.project_id`, employeeID)
		if d.Teams, err = pgx.CollectRows(rows, pgx.RowToStructByPos[bot.PersonalTeam]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT v.project_id, p.title, v.invited_at
			FROM project_evaluators v JOIN projects p ON p.id = v.project_id WHERE v.employee_id = $1 ORDER BY v.invited_at, v.id`, employeeID)
		if d.Evaluations, err = pgx.CollectRows(rows, pgx.RowToStructByPos[bot.PersonalEvaluation]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT m.programme_id, p.name, m.joined_at, m.left_at, m.paused_rounds, m.auto_paused, m.missed_in_row
			FROM meeting_participants m JOIN meeting_programmes p ON p.id = m.programme_id
			WHERE m.employee_id = $1 ORDER BY m.joined_at, m.programme_id`, employeeID)
		if d.Meetings, err = pgx.CollectRows(rows, pgx.RowToStructByPos[bot.PersonalEnrolment]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT other_id FROM meeting_never_with WHERE employee_id = $1 ORDER BY other_id`, employeeID)
		if d.NeverWith, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT r.programme_id, p.name, r.number, r.scheduled_for, g.number, coalesce(pp.answer, ''), pp.answered_at
			FROM meeting_participation pp JOIN meeting_rounds r ON r.id = pp.round_id
			JOIN meeting_programmes p ON p.id = r.programme_id JOIN meeting_groups g ON g.id = pp.group_id
			WHERE pp.employee_id = $1 ORDER BY r.scheduled_for, r.id`, employeeID)
		if d.MeetingRounds, err = pgx.CollectRows(rows, pgx.RowToStructByPos[bot.PersonalMeetingRound]); err != nil {
			return err
		}
		d.Surveys, err = personalSurveys(ctx, tx, employeeID)
		return err
	})
	if err != nil {
		return bot.PersonalData{}, wrap(fmt.Sprintf("personal data of employee %d", employeeID), err)
	}
	return d, nil
}

// personalSurveys lists the survey invitations of an employee: what each survey was about,
// when they were invited, whether they answered and how many reminders they got. Never the
// answers: nothing links an answer to its author (see surveys.go), so there is nothing to find.
func personalSurveys(ctx context.Context, tx pgx.Tx, employeeID int64) ([]bot.PersonalSurvey, error) {
	rows, _ := tx.Query(ctx, `SELECT i.id, i.subject, t.key, v.title_it, v.title_en, i.about, s.invited_on, s.answered,
			s.reminders, i.closed_on IS NOT NULL
		FROM survey_invitations s JOIN survey_instances i ON i.id = s.instance_id
		JOIN survey_versions v ON v.id = i.version_id JOIN survey_templates t ON t.id = v.template_id
		WHERE s.employee_id = $1 ORDER BY s.invited_on, i.id`, employeeID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.PersonalSurvey, error) {
		var (
			p     bot.PersonalSurvey
			about []byte
		)
		if err := r.Scan(&p.InstanceID, &p.Subject, &p.Template, &p.Title.IT, &p.Title.EN, &about, &p.InvitedOn,
			&p.Answered, &p.Reminders, &p.Closed); err != nil {
			return p, err
		}
		if err := json.Unmarshal(about, &p.About); err != nil {
			return p, fmt.Errorf("survey %d about: %w", p.InstanceID, err)
		}
		return p, nil
	})
	if err != nil {
		return nil, fmt.Errorf("surveys: %w", err)
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ErasePersonalData removes what identifies the person — name, e-mail, chat identities,
// skills, interests, language (their own and Slack's), time zone, roles, the reasons they gave
// and the wishes they expressed — and deactivates the row, in one transaction. The row itself
// and its unit stay, so anonymous aggregates (headcounts per unit, participation rates) keep
// their denominators: what remains refers to the person by employee id only (pseudonymous).
//
// Messages go too: the texts waiting to be sent to them or naming them (outbox_texts), and
// River's post jobs addressed to them or about them — deleted, queued or finished alike (a
// finished job's args hold the address for a day), or, for the one job that may be running
// right now, stripped of the address (its "still due?" check then sends nothing).
// outbound_messages never holds a person's address (see recordedChannel).
//
// A place the person held in a team still being formed (invitation pending or accepted) is
// withdrawn, and opened is asked for the messages telling the coordinator — also for a place
// they had declined or let expire when that news had not gone out yet (it named them, so its
// text is deleted here). opened may be nil; it runs inside the transaction, on the team as it
// is after the erasure. The audit log keeps the erasure, by id only.
//
// The last active admin cannot erase their data (ECONFLICT "privacy.last_admin"): erasure takes
// their roles away, and nobody could then assign roles in chat. They name another admin first.
func (s *Store) ErasePersonalData(ctx context.Context, employeeID int64, opened bot.OpenedPlaceFunc) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Admin rows first, before any team or the employee row is locked below.
		if err := keepAnAdmin(ctx, tx, employeeID, "privacy.last_admin"); err != nil {
			return err
		}
		// The teams being formed that the person is in, locked in project order as answers
		// lock them, so that an answer or a swap on the same team waits for the erasure.
		rows, _ := tx.Query(ctx, `SELECT DISTINCT t.project_id FROM team_invitations t JOIN projects p ON p.id = t.project_id
			WHERE t.employee_id = $1 AND p.team_formed_at IS NULL AND p.phase NOT IN ('concluso', 'annullato') ORDER BY 1`, employeeID)
		projectIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		before := make([]bot.ProjectTeam, 0, len(projectIDs))
		for _, pid := range projectIDs {
			t, err := loadTeam(ctx, tx, pid, true)
			if err != nil {
				return err
			}
			before = append(before, t)
		}
		// The person's chat addresses (bot.PersonRef.Address), to find the jobs sent to them.
		rows, _ = tx.Query(ctx, `SELECT CASE transport WHEN 'console' THEN $2 || external_id ELSE external_id END
			FROM employee_identities WHERE employee_id = $1`, employeeID, bot.ConsoleAddressPrefix)
		addresses, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}

		tag, err := tx.Exec(ctx, `UPDATE employees SET display_name = '', email = NULL, interests = '{}', locale = NULL,
			slack_locale = NULL, timezone = NULL, active = false, erased_at = now(), updated_at = now() WHERE id = $1`, employeeID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		// Remember a hash of each identity, so that the Slack user sync does not bring the
		// person back from Slack's directory.
		if _, err := tx.Exec(ctx, `INSERT INTO erased_identities (transport, id_hash)
			SELECT transport, sha256(convert_to(external_id, 'UTF8')) FROM employee_identities WHERE employee_id = $1
			ON CONFLICT DO NOTHING`, employeeID); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM employee_skills WHERE employee_id = $1`,
			`DELETE FROM employee_identities WHERE employee_id = $1`,
			`DELETE FROM employee_roles WHERE employee_id = $1`,
			`DELETE FROM manager_units WHERE employee_id = $1`,
			// Reasons for declining are the person's words. A pending invitation can no longer
			// be answered, and an accepted one in a team still being formed would form the team
			// with someone who is gone: both places open. Memberships of formed teams stay,
			// anonymous, for the teams' aggregates.
			`UPDATE team_invitations SET reason = '' WHERE employee_id = $1`,
			`UPDATE team_invitations t SET status = 'cancelled', answered_at = now() FROM projects p
			 WHERE p.id = t.project_id AND t.employee_id = $1
			   AND (t.status = 'pending' OR t.status = 'accepted' AND p.team_formed_at IS NULL AND p.phase NOT IN ('concluso', 'annullato'))`,
			// "Never with" wishes name people, on either side. Enrolments end (no more rounds
			// or messages); the rounds' participation rows stay, anonymous, for the rates.
			`DELETE FROM meeting_never_with WHERE employee_id = $1 OR other_id = $1`,
			// Having been asked to evaluate projects is theirs too.
			`DELETE FROM project_evaluators WHERE employee_id = $1`,
			// The record that they were invited to surveys, and whether they answered, goes;
			// their answers, which hold nothing of them, stay (they are nobody's any more).
			`DELETE FROM survey_invitations WHERE employee_id = $1`,
			`UPDATE meeting_participants SET left_at = now() WHERE employee_id = $1 AND left_at IS NULL`,
			// The audit names people by employee id; should an older entry hold a chat id or
			// an e-mail of theirs, it goes (the entry stays).
			`UPDATE audit_log SET details = details - 'slack_id' - 'email'
			 WHERE subject = 'employee:' || $1::bigint AND details ?| ARRAY['slack_id', 'email']`,
		} {
			if _, err := tx.Exec(ctx, q, employeeID); err != nil {
				return err
			}
		}
		// Messages to the person, or naming them, not yet sent: their jobs find no text and
		// send nothing.
		rows, _ = tx.Query(ctx, `DELETE FROM outbox_texts WHERE people @> ARRAY[$1::bigint] RETURNING idempotency_key`, employeeID)
		keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if err := forgetPostJobs(ctx, tx, employeeID, addresses); err != nil {
			return err
		}
		if err := s.tellOpenedPlaces(ctx, tx, employeeID, before, keys, opened); err != nil {
			return err
		}
		return audit(ctx, tx, employeeID, "privacy.erase", fmt.Sprintf("employee:%d", employeeID), nil)
	})
	return wrap(fmt.Sprintf("erase employee %d", employeeID), err)
}

// postJobsOf selects River's post jobs addressed to the person (one of addresses, alone or in a
// group conversation) or about them (their employee id in the job's reference).
const postJobsOf = `kind = 'post_message' AND (
	args->>'channel' = ANY($2::text[])
	OR (args->>'channel' LIKE 'group:%' AND string_to_array(substr(args->>'channel', 7), ',') && $2::text[])
	OR args->'ref'->'people' @> to_jsonb(ARRAY[$1::bigint])
	OR args->'ref'->'about' @> to_jsonb(ARRAY[$1::bigint]))`

// forgetPostJobs deletes River's post jobs addressed to or about the person, whatever their
// state — a queued one would be sent to (or about) someone erased, a finished one keeps their
// address in its args for as long as River keeps finished jobs — except a running one, which
// River still owns: that one loses the address and its errors, and its worker, asking whether
// the message is still due, finds the person erased. River's unique index forgets the deleted
// keys; a post enqueued again under one of them would meet the same "still due?" check.
// Deleting first and updating second catches a job that starts running in between.
func forgetPostJobs(ctx context.Context, tx pgx.Tx, employeeID int64, addresses []string) error {
	if addresses == nil {
		addresses = []string{}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM river_job WHERE state <> 'running' AND `+postJobsOf, employeeID, addresses); err != nil {
		return fmt.Errorf("delete post jobs: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE river_job SET args = jsonb_set(args, '{channel}', '""'), errors = NULL
		WHERE state = 'running' AND `+postJobsOf, employeeID, addresses); err != nil {
		return fmt.Errorf("scrub running post jobs: %w", err)
	}
	return nil
}

// tellOpenedPlaces enqueues, for each team being formed in which the erasure opened the
// person's place, the coordinator's notice (from opened). A place opens when the person held
// it pending or accepted; a place they had declined or let expire is told about too when the
// news of it was still waiting to be sent (its text, which named them, was among the deleted
// keys), since otherwise the coordinator would never learn of it.
func (s *Store) tellOpenedPlaces(ctx context.Context, tx pgx.Tx, employeeID int64, before []bot.ProjectTeam, deletedKeys []string, opened bot.OpenedPlaceFunc) error {
	if opened == nil {
		return nil
	}
	for _, t := range before {
		was, ok := t.SlotOf(employeeID)
		if !ok || t.Coordinator == nil || t.Coordinator.ID == employeeID {
			continue
		}
		switch was.Status {
		case bot.InvitePending, bot.InviteAccepted:
		case bot.InviteDeclined, bot.InviteExpired:
			if !slices.Contains(deletedKeys, fmt.Sprintf("team-open:%d", was.ID)) {
				continue
			}
		default:
			continue
		}
		after, err := loadTeam(ctx, tx, t.ProjectID, false)
		if err != nil {
			return err
		}
		inv, ok := after.SlotOf(employeeID)
		if !ok {
			continue
		}
		msgs, err := opened(after, inv)
		if err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, msgs); err != nil {
			return err
		}
	}
	return nil
}
