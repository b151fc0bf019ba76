package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
)

// Limits of the employee columns the sync writes (see migrations/00001 and 00003): a value
// Slack sends beyond them is cut (names) or dropped (the rest) rather than failing the sync.
const (
	maxDisplayName = 80
	maxEmail       = 254
	maxTimezone    = 64
	maxSlackLocale = 20
	// maxConflictIDs bounds the Slack ids a report lists, so that a misconfigured workspace
	// cannot make the log line huge.
	maxConflictIDs = 20
)

// emailRE matches what the employees.email CHECK accepts.
var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// SyncSlackUsers applies one listing of the Slack workspace (users.list, bots already left out)
// to the employees, in one transaction:
//
//   - an employee who already has the Slack identity is updated: time zone, Slack locale, the
//     e-mail if the row has none (and no other row has it), the name only if the row has an
//     empty name or no e-mail (imported names are authoritative), and inactive if Slack
//     deactivated the account;
//   - otherwise an employee with the same e-mail (case-insensitive) and no Slack identity gets
//     the identity (Linked);
//   - otherwise a new employee is created with the identity (Created), unless the account is
//     deactivated (a person who left is not worth a new row);
//   - when the identity belongs to a row created at first contact (no e-mail) while another
//     row (imported) has the e-mail, the two are merged into the imported row: the identity
//     moves, roles, skills, headed units and exchange-meeting enrolments, wishes and
//     participation are copied (existing ones win), the chosen language and interests too if
//     the imported row has none, the audit log's references follow, the first-contact row
//     is deleted, and "slack.merge" is audited (Merged).
//
// One transaction for the whole listing, rather than one per page, because the listing is
// fetched before the transaction starts (so no Slack call or rate-limit wait holds it open),
// because e-mails are matched and de-duplicated across pages, and because a failed sync then
// leaves nothing half-applied: the job's retry starts from a clean state. A few thousand rows
// are a handful of set-based statements over arrays. Concurrent syncs are serialised by an
// advisory lock; a concurrent first contact (EnsureEmployee) loses or wins the identity's
// primary key cleanly, and the next sync merges what it created.
func (s *Store) SyncSlackUsers(ctx context.Context, users []bot.SlackUser) (bot.UserSyncReport, error) {
	in := normalizeSlackUsers(users)
	rep := bot.UserSyncReport{Seen: len(in.ids)}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		rep, err = syncSlackUsers(ctx, tx, in, rep)
		return err
	})
	if err != nil {
		return bot.UserSyncReport{}, wrap("sync slack users", err)
	}
	return rep, nil
}

// slackUserArrays are the normalised users as parallel arrays, ready for unnest.
type slackUserArrays struct {
	ids, names, emails, tzs, locales []string
	deleted                          []bool
}

// normalizeSlackUsers drops users without an id, keeps the last listing of a repeated id (a
// listing that changes while paged may repeat someone), fits values to the columns, and keeps
// an e-mail for one account only, an active one first, because e-mails are unique among
// employees and the match must not be ambiguous.
func normalizeSlackUsers(users []bot.SlackUser) slackUserArrays {
	byID := make(map[string]int, len(users))
	list := make([]bot.SlackUser, 0, len(users))
	for _, u := range users {
		u.ID = strings.TrimSpace(u.ID)
		if u.ID == "" || len(u.ID) > 64 {
			continue
		}
		u.Name = cutRunes(strings.TrimSpace(u.Name), maxDisplayName)
		u.Email = strings.TrimSpace(u.Email)
		if len(u.Email) > maxEmail || !emailRE.MatchString(u.Email) {
			u.Email = ""
		}
		if len(u.Timezone) > maxTimezone {
			u.Timezone = ""
		}
		if len(u.Locale) > maxSlackLocale {
			u.Locale = ""
		}
		if i, ok := byID[u.ID]; ok {
			list[i] = u
			continue
		}
		byID[u.ID] = len(list)
		list = append(list, u)
	}

	owner := map[string]int{} // lower(e-mail) → index of the account that keeps it
	for i, u := range list {
		if u.Email == "" {
			continue
		}
		k := strings.ToLower(u.Email)
		if j, ok := owner[k]; !ok || (list[j].Deleted && !u.Deleted) {
			owner[k] = i
		}
	}
	var a slackUserArrays
	for i, u := range list {
		if u.Email != "" && owner[strings.ToLower(u.Email)] != i {
			u.Email = ""
		}
		a.ids = append(a.ids, u.ID)
		a.names = append(a.names, u.Name)
		a.emails = append(a.emails, u.Email)
		a.tzs = append(a.tzs, u.Timezone)
		a.locales = append(a.locales, u.Locale)
		a.deleted = append(a.deleted, u.Deleted)
	}
	return a
}

// cutRunes shortens s to at most n runes.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}

// The sync's statements, in order. slack_sync_users holds the listing and, per user, the
// employee it resolves to and what the sync did (outcome).
const (
	syncLock = `SELECT pg_advisory_xact_lock(hashtextextended('cantieri:slack_sync', 0))`

	syncLoad = `
CREATE TEMP TABLE slack_sync_users (
    slack_id    text PRIMARY KEY,
    name        text NOT NULL,
    email       text,
    tz          text,
    locale      text,
    deleted     boolean NOT NULL,
    employee_id bigint,
    outcome     text
) ON COMMIT DROP`

	syncFill = `
INSERT INTO slack_sync_users (slack_id, name, email, tz, locale, deleted, employee_id)
SELECT u.id, u.name, nullif(u.email, ''), nullif(u.tz, ''), nullif(u.locale, ''), u.deleted, i.employee_id
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[]) AS u(id, name, email, tz, locale, deleted)
LEFT JOIN employee_identities i ON i.transport = 'slack' AND i.external_id = u.id`

	// syncDropErased leaves out people who erased their data: without an identity any more,
	// they would otherwise be re-created from Slack's directory.
	syncDropErased = `
DELETE FROM slack_sync_users s
WHERE s.employee_id IS NULL
  AND EXISTS (SELECT 1 FROM erased_identities x
              WHERE x.transport = 'slack' AND x.id_hash = sha256(convert_to(s.slack_id, 'UTF8')))`

	// syncFindMerges pairs a first-contact row (no e-mail) owning the identity with the other
	// row that has the e-mail, when that row has no Slack identity of its own.
	syncFindMerges = `
CREATE TEMP TABLE slack_sync_merges ON COMMIT DROP AS
SELECT s.slack_id, a.id AS from_id, b.id AS to_id
FROM slack_sync_users s
JOIN employees a ON a.id = s.employee_id AND a.email IS NULL AND a.erased_at IS NULL
JOIN employees b ON lower(b.email) = lower(s.email) AND b.id <> a.id
WHERE s.email IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM employee_identities x WHERE x.employee_id = b.id AND x.transport = 'slack')`

	syncMergeRoles = `
INSERT INTO employee_roles (employee_id, role, granted_at)
SELECT m.to_id, r.role, r.granted_at FROM slack_sync_merges m JOIN employee_roles r ON r.employee_id = m.from_id
ON CONFLICT DO NOTHING`

	syncMergeSkills = `
INSERT INTO employee_skills (employee_id, skill_id, level)
SELECT m.to_id, k.skill_id, k.level FROM slack_sync_merges m JOIN employee_skills k ON k.employee_id = m.from_id
ON CONFLICT DO NOTHING`

	// Headed units go with the dirigente role copied above; without them the role would
	// cover nothing.
	syncMergeUnits = `
INSERT INTO manager_units (employee_id, unit_id)
SELECT m.to_id, u.unit_id FROM slack_sync_merges m JOIN manager_units u ON u.employee_id = m.from_id
ON CONFLICT DO NOTHING`

	// Exchange-programme enrolments, "never with" wishes (on either side) and the rounds'
	// participation follow the person; where the imported row has its own, it wins. A wish
	// between the two rows being merged would name the person themselves and is dropped.
	syncMergeMeetings = `
INSERT INTO meeting_participants (programme_id, employee_id, joined_at, left_at, paused_rounds, auto_paused, missed_in_row)
SELECT p.programme_id, m.to_id, p.joined_at, p.left_at, p.paused_rounds, p.auto_paused, p.missed_in_row
FROM slack_sync_merges m JOIN meeting_participants p ON p.employee_id = m.from_id
ON CONFLICT DO NOTHING`

	syncMergeNeverWith = `
INSERT INTO meeting_never_with (employee_id, other_id, created_at)
SELECT coalesce(a.to_id, n.employee_id), coalesce(b.to_id, n.other_id), n.created_at
FROM meeting_never_with n
LEFT JOIN slack_sync_merges a ON a.from_id = n.employee_id
LEFT JOIN slack_sync_merges b ON b.from_id = n.other_id
WHERE (a.from_id IS NOT NULL OR b.from_id IS NOT NULL)
  AND coalesce(a.to_id, n.employee_id) <> coalesce(b.to_id, n.other_id)
ON CONFLICT DO NOTHING`

	syncMergeParticipation = `
INSERT INTO meeting_participation (round_id, employee_id, group_id, answer, answered_at)
SELECT p.round_id, m.to_id, p.group_id, p.answer, p.answered_at
FROM slack_sync_merges m JOIN meeting_participation p ON p.employee_id = m.from_id
ON CONFLICT DO NOTHING`

	// A programme coordinated from the first-contact row keeps its coordinator.
	syncMergeCoordinator = `
UPDATE meeting_programmes p SET coordinator_id = m.to_id, updated_at = now()
FROM slack_sync_merges m WHERE p.coordinator_id = m.from_id`

	// The person's own choices made at first contact (language, interests) survive the merge
	// unless the imported row already says otherwise.
	syncMergeChoices = `
UPDATE employees b SET
    locale     = coalesce(b.locale, a.locale),
    interests  = CASE WHEN cardinality(b.interests) = 0 THEN a.interests ELSE b.interests END,
    updated_at = now()
FROM slack_sync_merges m JOIN employees a ON a.id = m.from_id
WHERE b.id = m.to_id
  AND (b.locale IS NULL AND a.locale IS NOT NULL OR cardinality(b.interests) = 0 AND cardinality(a.interests) > 0)`

	// What the person did as an admin stays attributed to them, not to NULL.
	syncMergeAudit = `UPDATE audit_log l SET actor_id = m.to_id FROM slack_sync_merges m WHERE l.actor_id = m.from_id`

	// Every identity of the first-contact row moves (the console handle too) unless the
	// imported row already has one for that transport.
	syncMergeIdentities = `
UPDATE employee_identities i SET employee_id = m.to_id
FROM slack_sync_merges m
WHERE i.employee_id = m.from_id
  AND NOT EXISTS (SELECT 1 FROM employee_identities x WHERE x.employee_id = m.to_id AND x.transport = i.transport)`

	// The audit names people by employee id only (the subject, merged_employee): never a chat
	// id or an e-mail, which would outlive the person's erasure in the log.
	syncMergeRecord = `
INSERT INTO audit_log (action, subject, details)
SELECT 'slack.merge', 'employee:' || m.to_id, jsonb_build_object('merged_employee', m.from_id)
FROM slack_sync_merges m`

	syncMergeDelete = `DELETE FROM employees e USING slack_sync_merges m WHERE e.id = m.from_id`

	syncMergeResolve = `
UPDATE slack_sync_users s SET employee_id = m.to_id, outcome = 'merged'
FROM slack_sync_merges m WHERE s.slack_id = m.slack_id`

	// syncLink attaches the identity to the row with the e-mail. ON CONFLICT covers a
	// concurrent first contact taking the identity, and the row getting another identity.
	syncLink = `
WITH linked AS (
    INSERT INTO employee_identities (transport, external_id, employee_id)
    SELECT 'slack', s.slack_id, e.id
    FROM slack_sync_users s
    JOIN employees e ON lower(e.email) = lower(s.email)
    WHERE s.employee_id IS NULL AND s.email IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM employee_identities x WHERE x.employee_id = e.id AND x.transport = 'slack')
    ON CONFLICT DO NOTHING
    RETURNING external_id, employee_id
), audited AS (
    INSERT INTO audit_log (action, subject, details)
    SELECT 'slack.link', 'employee:' || l.employee_id, '{}'::jsonb FROM linked l
)
UPDATE slack_sync_users s SET employee_id = l.employee_id, outcome = 'linked'
FROM linked l WHERE s.slack_id = l.external_id`

	// syncConflicts marks users whose e-mail is held by an employee with another Slack
	// identity: linking would break "one Slack identity per employee", creating would break
	// "one row per e-mail"; a person decides.
	syncConflicts = `
UPDATE slack_sync_users s SET outcome = 'conflict'
WHERE s.employee_id IS NULL AND s.email IS NOT NULL
  AND EXISTS (SELECT 1 FROM employees e WHERE lower(e.email) = lower(s.email))
RETURNING s.slack_id`

	// syncReserve gives each new person an employee id up front, so that the employee row
	// and the identity can be inserted set-wise and still point at each other.
	syncReserve = `
UPDATE slack_sync_users SET employee_id = nextval(pg_get_serial_sequence('employees', 'id')), outcome = 'created'
WHERE employee_id IS NULL AND outcome IS NULL AND NOT deleted`

	syncCreate = `
INSERT INTO employees (id, display_name, email, timezone, slack_locale)
OVERRIDING SYSTEM VALUE
SELECT employee_id, name, email, tz, locale FROM slack_sync_users WHERE outcome = 'created'`

	syncCreateIdentities = `
INSERT INTO employee_identities (transport, external_id, employee_id)
SELECT 'slack', slack_id, employee_id FROM slack_sync_users WHERE outcome = 'created'
ON CONFLICT DO NOTHING`

	// A first contact that created the identity meanwhile wins; the row made for it here is
	// removed (the next sync fills in the first-contact row).
	syncCreateOrphans = `
WITH orphans AS (
    DELETE FROM employees e USING slack_sync_users s
    WHERE s.outcome = 'created' AND e.id = s.employee_id
      AND NOT EXISTS (SELECT 1 FROM employee_identities i WHERE i.employee_id = e.id)
    RETURNING e.id
)
UPDATE slack_sync_users s SET employee_id = NULL, outcome = 'raced' FROM orphans o WHERE s.employee_id = o.id`

	// syncUpdate brings every matched row up to date, writing (and bumping updated_at) only
	// where something changed, and audits deactivations. A row whose personal data was erased
	// is never refilled from Slack.
	syncUpdate = `
WITH want AS (
    SELECT e.id, s.slack_id,
        e.display_name AS old_name, e.email AS old_email, e.timezone AS old_tz, e.slack_locale AS old_locale, e.active AS was_active,
        CASE WHEN s.name <> '' AND (e.display_name = '' OR e.email IS NULL) THEN s.name ELSE e.display_name END AS new_name,
        CASE WHEN e.email IS NULL AND s.email IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM employees o WHERE lower(o.email) = lower(s.email) AND o.id <> e.id)
             THEN s.email ELSE e.email END AS new_email,
        coalesce(s.tz, e.timezone) AS new_tz,
        coalesce(s.locale, e.slack_locale) AS new_locale,
        e.active AND NOT s.deleted AS new_active
    FROM slack_sync_users s JOIN employees e ON e.id = s.employee_id
    WHERE s.outcome IS DISTINCT FROM 'created' AND e.erased_at IS NULL
), changed AS (
    UPDATE employees e SET display_name = w.new_name, email = w.new_email, timezone = w.new_tz,
        slack_locale = w.new_locale, active = w.new_active, updated_at = now()
    FROM want w
    WHERE e.id = w.id
      AND (w.old_name, w.old_email, w.old_tz, w.old_locale, w.was_active)
          IS DISTINCT FROM (w.new_name, w.new_email, w.new_tz, w.new_locale, w.new_active)
    RETURNING e.id, w.slack_id,
        (w.old_name, w.old_email, w.old_tz, w.old_locale) IS DISTINCT FROM (w.new_name, w.new_email, w.new_tz, w.new_locale) AS fields_changed,
        w.was_active AND NOT w.new_active AS deactivated
), audited AS (
    INSERT INTO audit_log (action, subject, details)
    SELECT 'slack.deactivate', 'employee:' || c.id, '{}'::jsonb FROM changed c WHERE c.deactivated
)
SELECT count(*) FILTER (WHERE fields_changed), count(*) FILTER (WHERE deactivated) FROM changed`
)

// syncSlackUsers runs the statements above in tx.
func syncSlackUsers(ctx context.Context, tx pgx.Tx, in slackUserArrays, rep bot.UserSyncReport) (bot.UserSyncReport, error) {
	exec := func(op, sql string, args ...any) (int, error) {
		tag, err := tx.Exec(ctx, sql, args...)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", op, err)
		}
		return int(tag.RowsAffected()), nil
	}
	steps := []struct {
		op, sql string
		args    []any
	}{
		{"lock", syncLock, nil},
		{"create listing table", syncLoad, nil},
		{"load listing", syncFill, []any{in.ids, in.names, in.emails, in.tzs, in.locales, in.deleted}},
		{"leave out erased people", syncDropErased, nil},
		{"find merges", syncFindMerges, nil},
		{"merge roles", syncMergeRoles, nil},
		{"merge skills", syncMergeSkills, nil},
		{"merge headed units", syncMergeUnits, nil},
		{"merge choices", syncMergeChoices, nil},
		{"merge meeting enrolments", syncMergeMeetings, nil},
		{"merge never-with wishes", syncMergeNeverWith, nil},
		{"merge meeting participation", syncMergeParticipation, nil},
		{"merge programme coordinators", syncMergeCoordinator, nil},
		{"merge audit actors", syncMergeAudit, nil},
		{"merge identities", syncMergeIdentities, nil},
		{"audit merges", syncMergeRecord, nil},
		{"delete merged rows", syncMergeDelete, nil},
	}
	for _, st := range steps {
		if _, err := exec(st.op, st.sql, st.args...); err != nil {
			return rep, err
		}
	}
	var err error
	if rep.Merged, err = exec("resolve merges", syncMergeResolve); err != nil {
		return rep, err
	}
	if rep.Linked, err = exec("link by e-mail", syncLink); err != nil {
		return rep, err
	}

	rows, err := tx.Query(ctx, syncConflicts)
	if err != nil {
		return rep, fmt.Errorf("find conflicts: %w", err)
	}
	conflicts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return rep, fmt.Errorf("find conflicts: %w", err)
	}
	rep.Conflicts = len(conflicts)
	rep.ConflictIDs = conflicts[:min(len(conflicts), maxConflictIDs)]

	if _, err := exec("reserve ids", syncReserve); err != nil {
		return rep, err
	}
	if rep.Created, err = exec("create employees", syncCreate); err != nil {
		return rep, err
	}
	if _, err := exec("create identities", syncCreateIdentities); err != nil {
		return rep, err
	}
	raced, err := exec("drop raced rows", syncCreateOrphans)
	if err != nil {
		return rep, err
	}
	rep.Created -= raced

	if err := tx.QueryRow(ctx, syncUpdate).Scan(&rep.Updated, &rep.Deactivated); err != nil {
		return rep, fmt.Errorf("update employees: %w", err)
	}
	return rep, nil
}
