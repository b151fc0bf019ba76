package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/pairing"
)

var _ bot.MeetingStore = (*Store)(nil)

// Bounds of the store's own queries (a programme's settings, with their defaults and limits,
// are the core's: bot.DefaultProgrammeSettings and bot.ProgrammeSettings.Validate).
const (
	// planHistoryBound is how many past rounds a plan reads when the programme's lookback is
	// 0 ("as many as feasible"): a year of weekly rounds.
	planHistoryBound = 52
	// autoPauseAfter is how many rounds in a row without any answer auto-pause a participant.
	autoPauseAfter = 3
	// reaskAfter is how long after "did you meet?" those who answered "not yet" are asked again.
	reaskAfter = 48 * time.Hour
)

// programmeQuery selects a programme with its participant count and coordinator (aliased e).
const programmeQuery = `
SELECT p.id, p.name, p.cron, p.every_n_weeks, p.timezone, p.group_size, coalesce(p.audience_channel, ''),
       p.meeting_minutes, p.format, p.starters, p.followup_days, p.lookback, p.active, p.next_round_at, p.created_at,
       (SELECT count(*) FROM meeting_participants mp WHERE mp.programme_id = p.id AND mp.left_at IS NULL),
       e.id, coalesce(nullif(e.display_name, ''), e.email, '#' || e.id::text),
       coalesce((SELECT i.external_id FROM employee_identities i WHERE i.employee_id = e.id AND i.transport = 'slack'), ''),
       coalesce((SELECT i.external_id FROM employee_identities i WHERE i.employee_id = e.id AND i.transport = 'console'), ''),
       coalesce(e.locale, e.slack_locale, '')
FROM meeting_programmes p LEFT JOIN employees e ON e.id = p.coordinator_id`

func scanProgramme(row pgx.Row) (bot.Programme, error) {
	var (
		p                               bot.Programme
		format                          string
		cID                             *int64
		cName, cSlack, cHandle, cLocale *string
	)
	err := row.Scan(&p.ID, &p.Name, &p.Cron, &p.EveryNWeeks, &p.Timezone, &p.GroupSize, &p.AudienceChannel,
		&p.MeetingMinutes, &format, &p.Starters, &p.FollowUpDays, &p.Lookback, &p.Active, &p.NextRoundAt, &p.CreatedAt,
		&p.Participants, &cID, &cName, &cSlack, &cHandle, &cLocale)
	if err != nil {
		return bot.Programme{}, err
	}
	p.Format = bot.MeetingFormat(format)
	if cID != nil {
		p.Coordinator = &bot.PersonRef{ID: *cID, Name: deref(cName), SlackUserID: deref(cSlack), Handle: deref(cHandle), Locale: deref(cLocale)}
	}
	return p, nil
}

func loadProgramme(ctx context.Context, q rowQuerier, id int64, lock bool) (bot.Programme, error) {
	sql := programmeQuery + ` WHERE p.id = $1`
	if lock {
		sql += ` FOR UPDATE OF p`
	}
	return scanProgramme(q.QueryRow(ctx, sql, id))
}

func queryProgrammes(ctx context.Context, q rowQuerier, where string, args ...any) ([]bot.Programme, error) {
	rows, err := q.Query(ctx, programmeQuery+" "+where, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.Programme, error) { return scanProgramme(r) })
}

func programmeSubject(id int64) string { return fmt.Sprintf("meeting_programme:%d", id) }

// CreateProgramme creates a programme, its settings completed and validated by the core
// (bot.DefaultProgrammeSettings, bot.ProgrammeSettings.Validate), and returns it loaded.
func (s *Store) CreateProgramme(ctx context.Context, in bot.ProgrammeInput) (bot.Programme, error) {
	starters := in.Starters
	if starters == nil {
		starters = []string{}
	}
	var audience *string
	if in.AudienceChannel != "" {
		audience = &in.AudienceChannel
	}
	var p bot.Programme
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO meeting_programmes (name, coordinator_id, cron, every_n_weeks, timezone, group_size, audience_channel,
				meeting_minutes, format, starters, followup_days, lookback, next_round_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			in.Name, nullID(in.CoordinatorID), in.Cron, in.EveryNWeeks, in.Timezone, in.GroupSize, audience,
			in.MeetingMinutes, string(in.Format), starters, in.FollowUpDays, in.Lookback, in.NextRoundAt).Scan(&id)
		if err != nil {
			return err
		}
		if err := audit(ctx, tx, in.CoordinatorID, "meeting.programme.create", programmeSubject(id),
			map[string]any{"name": in.Name, "cron": in.Cron, "group_size": in.GroupSize}); err != nil {
			return err
		}
		p, err = loadProgramme(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return bot.Programme{}, wrap("create meeting programme", err)
	}
	return p, nil
}

// Programme loads one programme.
func (s *Store) Programme(ctx context.Context, id int64) (bot.Programme, error) {
	p, err := loadProgramme(ctx, s.pool, id, false)
	if err != nil {
		return bot.Programme{}, wrap(fmt.Sprintf("load meeting programme %d", id), err)
	}
	return p, nil
}

// Programmes lists the active programmes.
func (s *Store) Programmes(ctx context.Context) ([]bot.Programme, error) {
	ps, err := queryProgrammes(ctx, s.pool, `WHERE p.active ORDER BY p.name, p.id`)
	return ps, wrap("list meeting programmes", err)
}

// DueProgrammes lists the active programmes whose next round is due at now.
func (s *Store) DueProgrammes(ctx context.Context, now time.Time) ([]bot.Programme, error) {
	ps, err := queryProgrammes(ctx, s.pool, `WHERE p.active AND p.next_round_at <= $1 ORDER BY p.next_round_at, p.id`, now)
	return ps, wrap("list due meeting programmes", err)
}

// Enrolments lists employeeID's programmes, left ones excluded.
func (s *Store) Enrolments(ctx context.Context, employeeID int64) ([]bot.Enrolment, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT m.programme_id, p.name, m.joined_at, m.paused_rounds, m.auto_paused, p.next_round_at
		FROM meeting_participants m JOIN meeting_programmes p ON p.id = m.programme_id
		WHERE m.employee_id = $1 AND m.left_at IS NULL
		ORDER BY p.name, p.id`, employeeID)
	if err != nil {
		return nil, wrap("list enrolments", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bot.Enrolment])
	return out, wrap("list enrolments", err)
}

// notFoundOnFK turns a foreign-key violation (an unknown programme or employee) into
// bot.ErrNotFound.
func notFoundOnFK(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return fmt.Errorf("%w: %w", bot.ErrNotFound, err)
	}
	return err
}

// Join enrols employeeID, or re-enrols them clearing their pauses and silent-round count.
func (s *Store) Join(ctx context.Context, programmeID, employeeID int64) (bool, error) {
	var already bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO meeting_participants (programme_id, employee_id) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, programmeID, employeeID)
		if err != nil {
			return notFoundOnFK(err)
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var left bool
		if err := tx.QueryRow(ctx, `SELECT left_at IS NOT NULL, left_at IS NULL AND NOT auto_paused AND paused_rounds = 0
			FROM meeting_participants WHERE programme_id = $1 AND employee_id = $2 FOR UPDATE`,
			programmeID, employeeID).Scan(&left, &already); err != nil {
			return err
		}
		if already {
			return nil
		}
		// Coming back after leaving is a new enrolment; resuming from a pause is not.
		_, err = tx.Exec(ctx, `UPDATE meeting_participants SET left_at = NULL, paused_rounds = 0, auto_paused = false,
				missed_in_row = 0, joined_at = CASE WHEN $3 THEN now() ELSE joined_at END
			WHERE programme_id = $1 AND employee_id = $2`, programmeID, employeeID, left)
		return err
	})
	if err != nil {
		return false, wrap(fmt.Sprintf("enrol employee %d in programme %d", employeeID, programmeID), err)
	}
	return already, nil
}

// Pause makes employeeID sit out the next rounds rounds (0 resumes).
func (s *Store) Pause(ctx context.Context, programmeID, employeeID int64, rounds int) error {
	tag, err := s.pool.Exec(ctx, `UPDATE meeting_participants SET paused_rounds = $3
		WHERE programme_id = $1 AND employee_id = $2 AND left_at IS NULL`, programmeID, employeeID, rounds)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return wrap(fmt.Sprintf("pause employee %d in programme %d", employeeID, programmeID), err)
}

// Leave ends employeeID's enrolment.
func (s *Store) Leave(ctx context.Context, programmeID, employeeID int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE meeting_participants SET left_at = now()
		WHERE programme_id = $1 AND employee_id = $2 AND left_at IS NULL`, programmeID, employeeID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return wrap(fmt.Sprintf("employee %d leaves programme %d", employeeID, programmeID), err)
}

// NeverWith records that employeeID is never to be grouped with otherID (idempotent).
func (s *Store) NeverWith(ctx context.Context, employeeID, otherID int64) error {
	op := fmt.Sprintf("record never-with of employee %d", employeeID)
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM employees WHERE id IN ($1, $2) AND erased_at IS NULL`,
		employeeID, otherID).Scan(&n); err != nil {
		return wrap(op, err)
	}
	if n != 2 {
		return wrap(op, pgx.ErrNoRows)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO meeting_never_with (employee_id, other_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		employeeID, otherID)
	return wrap(op, notFoundOnFK(err))
}

// planParticipants are the ids of the people a round of programme $1 is formed from: enrolled,
// not left, and still active employees whose data was not erased.
const planParticipants = `
SELECT mp.employee_id FROM meeting_participants mp JOIN employees e ON e.id = mp.employee_id
WHERE mp.programme_id = $1 AND mp.left_at IS NULL AND e.active AND e.erased_at IS NULL`

const (
	planRoundsQuery = `SELECT count(*) FROM meeting_rounds WHERE programme_id = $1`

	// planPeopleQuery resolves each unit's department and effective site in one pass down the
	// org tree (as teamCandidatesQuery does) and reads each participant's pairing attributes
	// and address. Identities are joined (one row per transport at most) rather than looked up
	// per row: this runs over tens of thousands of people.
	planPeopleQuery = `
WITH RECURSIVE t AS (
    SELECT id, CASE WHEN type_label = $2 THEN id END AS dept, site_id AS site
    FROM org_units WHERE parent_id IS NULL
    UNION ALL
    SELECT u.id, CASE WHEN u.type_label = $2 THEN u.id ELSE t.dept END, coalesce(u.site_id, t.site)
    FROM org_units u JOIN t ON u.parent_id = t.id
), last AS (
    SELECT id FROM meeting_rounds WHERE programme_id = $1 ORDER BY number DESC LIMIT 1
)
SELECT e.id, coalesce(t.dept, 0), coalesce(e.unit_id, 0), coalesce(t.site, 0),
       mp.paused_rounds > 0 OR mp.auto_paused
       -- Silent in the last round too, after two silent rounds: RecordRound pauses them now,
       -- so they are not grouped in the round it records.
       OR (mp.missed_in_row + 1 >= 3 AND lp.employee_id IS NOT NULL AND lp.answer IS NULL),
       coalesce(nullif(e.display_name, ''), e.email, '#' || e.id::text), coalesce(si.external_id, ''),
       coalesce(ci.external_id, ''), coalesce(e.locale, e.slack_locale, '')
FROM meeting_participants mp
JOIN employees e ON e.id = mp.employee_id
LEFT JOIN t ON t.id = e.unit_id
LEFT JOIN employee_identities si ON si.employee_id = e.id AND si.transport = 'slack'
LEFT JOIN employee_identities ci ON ci.employee_id = e.id AND ci.transport = 'console'
LEFT JOIN meeting_participation lp ON lp.round_id = (SELECT id FROM last) AND lp.employee_id = e.id
WHERE mp.programme_id = $1 AND mp.left_at IS NULL AND e.active AND e.erased_at IS NULL
ORDER BY e.id`

	// planHistoryQuery reads the last lookback rounds ($2 when the lookback is 0), one row per
	// round with its grouped people as two parallel arrays (group id, employee id): a year of
	// rounds of 50,000 people is 52 rows rather than millions, and no sort runs in the
	// database. A round with nobody grouped still yields a row, so that "a rounds ago" keeps
	// its meaning.
	planHistoryQuery = `
WITH r AS (
    SELECT id, number FROM meeting_rounds WHERE programme_id = $1 ORDER BY number DESC
    LIMIT (SELECT CASE WHEN lookback = 0 THEN $2 ELSE lookback END FROM meeting_programmes WHERE id = $1)
)
SELECT r.number, coalesce(x.groups, '{}'), coalesce(x.members, '{}')
FROM r LEFT JOIN LATERAL (
    SELECT array_agg(pp.group_id) AS groups, array_agg(pp.employee_id) AS members
    FROM meeting_participation pp WHERE pp.round_id = r.id
) x ON true`

	planNeverWithQuery = `
WITH p AS (` + planParticipants + `)
SELECT n.employee_id, n.other_id FROM meeting_never_with n
WHERE n.employee_id IN (SELECT employee_id FROM p) AND n.other_id IN (SELECT employee_id FROM p)
ORDER BY 1, 2`

	planLinksQuery = `
WITH p AS (` + planParticipants + `)
SELECT c.employee_a, c.employee_b FROM collaboration_edges c
JOIN p a ON a.employee_id = c.employee_a
JOIN p b ON b.employee_id = c.employee_b
ORDER BY 1, 2`
)

// RoundPlan loads everything the pairing of a programme's next round needs in one round trip.
func (s *Store) RoundPlan(ctx context.Context, programmeID int64) (bot.RoundPlan, error) {
	op := fmt.Sprintf("round plan of programme %d", programmeID)
	b := &pgx.Batch{}
	b.Queue(programmeQuery+` WHERE p.id = $1`, programmeID)
	b.Queue(planRoundsQuery, programmeID)
	b.Queue(planPeopleQuery, programmeID, s.deptType)
	b.Queue(planHistoryQuery, programmeID, planHistoryBound)
	b.Queue(planNeverWithQuery, programmeID)
	b.Queue(planLinksQuery, programmeID)
	b.Queue(teamAdjacencyQuery)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()

	var plan bot.RoundPlan
	var err error
	if plan.Programme, err = scanProgramme(br.QueryRow()); err != nil {
		return bot.RoundPlan{}, wrap(op, err)
	}
	if err := br.QueryRow().Scan(&plan.Rounds); err != nil {
		return bot.RoundPlan{}, wrap(op, err)
	}
	in := &plan.Input
	in.GroupSize, in.MaxLookback = plan.Programme.GroupSize, plan.Programme.Lookback

	rows, err := br.Query()
	if err != nil {
		return bot.RoundPlan{}, wrap(op, err)
	}
	plan.People = map[int64]bot.PersonRef{}
	for rows.Next() {
		var (
			p  pairing.Participant
			pr bot.PersonRef
		)
		if err := rows.Scan(&p.ID, &p.Department, &p.Unit, &p.Site, &p.Paused, &pr.Name, &pr.SlackUserID, &pr.Handle, &pr.Locale); err != nil {
			rows.Close()
			return bot.RoundPlan{}, wrap(op, err)
		}
		pr.ID = p.ID
		in.Participants = append(in.Participants, p)
		plan.People[p.ID] = pr
	}
	if err := rows.Err(); err != nil {
		return bot.RoundPlan{}, wrap(op, err)
	}

	rows, err = br.Query()
	if err != nil {
		return bot.RoundPlan{}, wrap(op, err)
	}
	type pastRound struct {
		number          int
		groups, members []int64
	}
	past, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pastRound, error) {
		var p pastRound
		return p, r.Scan(&p.number, &p.groups, &p.members)
	})
	if err != nil {
		return bot.RoundPlan{}, wrap(op, err)
	}
	slices.SortFunc(past, func(a, b pastRound) int { return cmp.Compare(a.number, b.number) })
	for _, p := range past {
		in.History = append(in.History, historyRound(p.groups, p.members))
	}

	for _, dst := range []*[][2]int64{&in.NeverWith, &in.Links, &in.AdjacentSites} {
		rows, err = br.Query()
		if err != nil {
			return bot.RoundPlan{}, wrap(op, err)
		}
		pairs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]int64, error) {
			var p [2]int64
			return p, r.Scan(&p[0], &p[1])
		})
		if err != nil {
			return bot.RoundPlan{}, wrap(op, err)
		}
		*dst = pairs
	}
	return plan, nil
}

// historyRound turns a round's parallel (group, member) arrays into its groups, in group id
// order with members sorted, so that the plan does not depend on the scan order.
func historyRound(groups, members []int64) pairing.Round {
	type group struct {
		id      int64
		members []int64
	}
	at := make(map[int64]int, len(groups)/2)
	var gs []group
	for i, g := range groups {
		k, ok := at[g]
		if !ok {
			k = len(gs)
			at[g] = k
			gs = append(gs, group{id: g})
		}
		gs[k].members = append(gs[k].members, members[i])
	}
	byID := func(a, b group) int { return cmp.Compare(a.id, b.id) }
	if !slices.IsSortedFunc(gs, byID) {
		slices.SortFunc(gs, byID)
	}
	round := make(pairing.Round, len(gs))
	for i, g := range gs {
		slices.Sort(g.members)
		round[i] = g.members
	}
	return round
}

// roundQuery reads a round's own row.
const roundQuery = `
SELECT id, programme_id, number, scheduled_for, manual, left_out, report, nudge_at, followup_at
FROM meeting_rounds`

// roundGroupsQuery reads a round's groups with their members, group by group (identities
// joined, as in the plan: a round may group tens of thousands of people).
const roundGroupsQuery = `
SELECT g.id, g.number, g.starter, g.slot, g.arranged_at,
       e.id, coalesce(nullif(e.display_name, ''), e.email, '#' || e.id::text), coalesce(si.external_id, ''),
       coalesce(ci.external_id, ''), coalesce(e.locale, e.slack_locale, '')
FROM meeting_groups g
JOIN meeting_participation pp ON pp.group_id = g.id
JOIN employees e ON e.id = pp.employee_id
LEFT JOIN employee_identities si ON si.employee_id = e.id AND si.transport = 'slack'
LEFT JOIN employee_identities ci ON ci.employee_id = e.id AND ci.transport = 'console'
WHERE g.round_id = $1
ORDER BY g.number, e.id`

// loadRound reads a round and its groups; where is the condition on meeting_rounds.
func loadRound(ctx context.Context, q rowQuerier, where string, args ...any) (bot.Round, error) {
	var (
		r               bot.Round
		leftOut, report []byte
		nudge, followUp time.Time
	)
	err := q.QueryRow(ctx, roundQuery+" WHERE "+where, args...).Scan(&r.ID, &r.ProgrammeID, &r.Number, &r.ScheduledFor,
		&r.Manual, &leftOut, &report, &nudge, &followUp)
	if err != nil {
		return bot.Round{}, err
	}
	r.NudgeAt, r.FollowUpAt = nudge, followUp
	if err := json.Unmarshal(leftOut, &r.LeftOut); err != nil {
		return bot.Round{}, fmt.Errorf("decode left out of round %d: %w", r.ID, err)
	}
	if err := json.Unmarshal(report, &r.Report); err != nil {
		return bot.Round{}, fmt.Errorf("decode report of round %d: %w", r.ID, err)
	}
	rows, err := q.Query(ctx, roundGroupsQuery, r.ID)
	if err != nil {
		return bot.Round{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			g    bot.StoredGroup
			slot *time.Time
			m    bot.PersonRef
		)
		if err := rows.Scan(&g.ID, &g.Number, &g.Starter, &slot, &g.Arranged, &m.ID, &m.Name, &m.SlackUserID, &m.Handle, &m.Locale); err != nil {
			return bot.Round{}, err
		}
		if n := len(r.Groups); n == 0 || r.Groups[n-1].ID != g.ID {
			if slot != nil {
				g.Slot = *slot
			}
			r.Groups = append(r.Groups, g)
		}
		last := &r.Groups[len(r.Groups)-1]
		last.Members = append(last.Members, m)
	}
	return r, rows.Err()
}

// people reads the PersonRefs of ids, by id.
func people(ctx context.Context, q rowQuerier, ids []int64) ([]bot.PersonRef, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT `+personColumns+` FROM employees e WHERE e.id = ANY($1) ORDER BY e.id`, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanPerson)
}

func scanPerson(r pgx.CollectableRow) (bot.PersonRef, error) {
	var p bot.PersonRef
	return p, r.Scan(&p.ID, &p.Name, &p.SlackUserID, &p.Handle, &p.Locale)
}

// RecordRound stores a paired round in one transaction on the locked programme row: the
// round (refused, storing nothing, when one exists for the same time), its groups and
// participation rows, the previous round's silences counted, pauses consumed, the next round
// moved; then it enqueues the notices.
func (s *Store) RecordRound(ctx context.Context, rec bot.RoundRecord, notices func(bot.Round, []bot.PersonRef) ([]bot.Notice, error)) (bot.Round, bool, error) {
	op := fmt.Sprintf("record a round of programme %d", rec.ProgrammeID)
	leftOut := rec.LeftOut
	if leftOut == nil {
		leftOut = []pairing.LeftOut{}
	}
	leftOutJSON, err := json.Marshal(leftOut)
	if err != nil {
		return bot.Round{}, false, fmt.Errorf("%s: %w", op, err)
	}
	reportJSON, err := json.Marshal(rec.Report)
	if err != nil {
		return bot.Round{}, false, fmt.Errorf("%s: %w", op, err)
	}
	var (
		groupNums, memberGroups []int32
		starters                []string
		slots                   []*time.Time
		members                 []int64
	)
	for _, g := range rec.Groups {
		groupNums = append(groupNums, int32(g.Number))
		starters = append(starters, g.Starter)
		var slot *time.Time
		if !g.Slot.IsZero() {
			slot = &g.Slot
		}
		slots = append(slots, slot)
		for _, m := range g.Members {
			memberGroups = append(memberGroups, int32(g.Number))
			members = append(members, m)
		}
	}

	var (
		round bot.Round
		ran   bool
	)
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The programme row serialises rounds of one programme: numbers are max+1.
		if _, err := loadProgramme(ctx, tx, rec.ProgrammeID, true); err != nil {
			return err
		}
		var (
			roundID int64
			number  int
		)
		err := tx.QueryRow(ctx, `
			INSERT INTO meeting_rounds (programme_id, number, scheduled_for, manual, left_out, report, nudge_at, followup_at, reask_at)
			VALUES ($1, (SELECT coalesce(max(number), 0) + 1 FROM meeting_rounds WHERE programme_id = $1), $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (programme_id, scheduled_for) DO NOTHING
			RETURNING id, number`,
			rec.ProgrammeID, rec.ScheduledFor, rec.Manual, leftOutJSON, reportJSON, rec.NudgeAt, rec.FollowUpAt,
			rec.FollowUpAt.Add(reaskAfter)).Scan(&roundID, &number)
		if errors.Is(err, pgx.ErrNoRows) {
			// Ran already (another replica, a retried firing): report that round.
			round, err = loadRound(ctx, tx, "programme_id = $1 AND scheduled_for = $2", rec.ProgrammeID, rec.ScheduledFor)
			return err
		}
		if err != nil {
			return err
		}
		ran = true

		if _, err := tx.Exec(ctx, `INSERT INTO meeting_groups (round_id, number, starter, slot)
			SELECT $1, n, s, t FROM unnest($2::int[], $3::text[], $4::timestamptz[]) AS g(n, s, t)`,
			roundID, groupNums, starters, slots); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO meeting_participation (round_id, employee_id, group_id)
			SELECT $1, m.e, g.id FROM unnest($2::int[], $3::bigint[]) AS m(n, e)
			JOIN meeting_groups g ON g.round_id = $1 AND g.number = m.n`,
			roundID, memberGroups, members); err != nil {
			return err
		}

		// The previous round's silences: no answer counts one more, any answer resets; the
		// third in a row auto-pauses. Only those grouped in that round are concerned.
		var autoIDs []int64
		rows, err := tx.Query(ctx, `
			UPDATE meeting_participants mp
			SET missed_in_row = CASE WHEN o.silent THEN mp.missed_in_row + 1 ELSE 0 END,
			    auto_paused = mp.auto_paused OR (o.silent AND mp.missed_in_row + 1 >= $3)
			FROM (SELECT pp.employee_id, pp.answer IS NULL AS silent, m.auto_paused AS was
			      FROM meeting_participation pp
			      JOIN meeting_participants m ON m.programme_id = $1 AND m.employee_id = pp.employee_id
			      WHERE pp.round_id = (SELECT id FROM meeting_rounds WHERE programme_id = $1 AND number = $2 - 1)) o
			WHERE mp.programme_id = $1 AND mp.employee_id = o.employee_id AND mp.left_at IS NULL
			RETURNING mp.employee_id, mp.auto_paused AND NOT o.was`, rec.ProgrammeID, number, autoPauseAfter)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				id    int64
				newly bool
			)
			if err := rows.Scan(&id, &newly); err != nil {
				rows.Close()
				return err
			}
			if newly {
				autoIDs = append(autoIDs, id)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// Own pauses are consumed by the rounds sat out; auto-pauses last until a Join.
		if _, err := tx.Exec(ctx, `UPDATE meeting_participants SET paused_rounds = paused_rounds - 1
			WHERE programme_id = $1 AND left_at IS NULL AND paused_rounds > 0
			  AND NOT EXISTS (SELECT 1 FROM meeting_participation pp WHERE pp.round_id = $2 AND pp.employee_id = meeting_participants.employee_id)`,
			rec.ProgrammeID, roundID); err != nil {
			return err
		}
		if rec.NextRoundAt != nil {
			if _, err := tx.Exec(ctx, `UPDATE meeting_programmes SET next_round_at = $2, updated_at = now() WHERE id = $1`,
				rec.ProgrammeID, *rec.NextRoundAt); err != nil {
				return err
			}
		}
		if round, err = loadRound(ctx, tx, "id = $1", roundID); err != nil {
			return err
		}
		autoPaused, err := people(ctx, tx, autoIDs)
		if err != nil {
			return err
		}
		if notices == nil {
			return nil
		}
		msgs, err := notices(round, autoPaused)
		if err != nil {
			return err
		}
		return s.enqueue(ctx, tx, msgs)
	})
	if err != nil {
		return bot.Round{}, false, wrap(op, err)
	}
	return round, ran, nil
}

// roundStep names the columns of a follow-up step: when it is due, when it was done.
type roundStep struct {
	step     bot.RoundStep
	due      string
	done     string
	extra    string
	audience string
}

// roundSteps are the follow-up steps in the order they are claimed. A re-ask waits for the
// question it repeats.
var roundSteps = []roundStep{
	{step: bot.StepNudge, due: "nudge_at", done: "nudged_at"},
	{step: bot.StepFollowUp, due: "followup_at", done: "followup_sent_at", audience: "pp.answer IS NULL"},
	{step: bot.StepReask, due: "reask_at", done: "reasked_at", extra: " AND r.followup_sent_at IS NOT NULL",
		audience: "pp.answer = 'not_yet'"},
}

// claimSQL claims one due round for the step: the row lock (skipping rows another caller
// holds) and the done time make each step of each round go to exactly one caller.
func (st roundStep) claimSQL() string {
	return fmt.Sprintf(`
WITH c AS (
    SELECT r.id FROM meeting_rounds r JOIN meeting_programmes p ON p.id = r.programme_id
    WHERE r.%[1]s <= $1 AND r.%[2]s IS NULL AND p.active AND r.id <> ALL($2)%[3]s
    ORDER BY r.%[1]s, r.id
    LIMIT 1
    FOR UPDATE OF r SKIP LOCKED
)
UPDATE meeting_rounds r SET %[2]s = now() FROM c WHERE r.id = c.id
RETURNING r.id, r.programme_id`, st.due, st.done, st.extra)
}

// ClaimDueSteps claims the follow-up steps due at now, one transaction per round and step,
// and enqueues their notices in it. A step whose notices fail is rolled back (it stays due for
// the next sweep) and the others go on; the errors are returned together.
func (s *Store) ClaimDueSteps(ctx context.Context, now time.Time, notices func(bot.DueStep) ([]bot.Notice, error)) (int, error) {
	total := 0
	var errs []error
	for _, st := range roundSteps {
		claim := st.claimSQL()
		failed := []int64{}
		for {
			var (
				roundID, programmeID int64
				claimed              bool
			)
			err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
				err := tx.QueryRow(ctx, claim, now, failed).Scan(&roundID, &programmeID)
				if errors.Is(err, pgx.ErrNoRows) {
					return nil
				}
				if err != nil {
					return err
				}
				claimed = true
				due := bot.DueStep{Step: st.step}
				if due.Programme, err = loadProgramme(ctx, tx, programmeID, false); err != nil {
					return err
				}
				if due.Round, err = loadRound(ctx, tx, "id = $1", roundID); err != nil {
					return err
				}
				if st.audience == "" {
					for _, g := range due.Round.Groups {
						if g.Arranged == nil {
							due.Groups = append(due.Groups, g)
						}
					}
				} else {
					// Those who left the programme or whose data was erased are not asked.
					rows, err := tx.Query(ctx, `SELECT `+personColumns+`
						FROM meeting_participation pp
						JOIN employees e ON e.id = pp.employee_id
						JOIN meeting_participants mp ON mp.programme_id = $2 AND mp.employee_id = pp.employee_id
						WHERE pp.round_id = $1 AND `+st.audience+` AND e.active AND e.erased_at IS NULL AND mp.left_at IS NULL
						ORDER BY e.id`, roundID, programmeID)
					if err != nil {
						return err
					}
					if due.People, err = pgx.CollectRows(rows, scanPerson); err != nil {
						return err
					}
				}
				if notices == nil {
					return nil
				}
				msgs, err := notices(due)
				if err != nil {
					return err
				}
				return s.enqueue(ctx, tx, msgs)
			})
			if err != nil {
				errs = append(errs, wrap(fmt.Sprintf("claim %s of round %d", st.step, roundID), err))
				if !claimed {
					return total, errors.Join(errs...)
				}
				failed = append(failed, roundID)
				continue
			}
			if !claimed {
				break
			}
			total++
		}
	}
	return total, errors.Join(errs...)
}

// Answer records employeeID's answer for a round and resets their silent-round count. A "sì"
// also links the group's members (collaboration edges) and invites the person to the
// programme's post-meeting survey of sv.Month, all in one transaction (see
// bot.MeetingStore.Answer).
func (s *Store) Answer(ctx context.Context, roundID, employeeID int64, a bot.MeetAnswer, sv bot.MeetSurvey) (bot.MeetAnswered, error) {
	var res bot.MeetAnswered
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			programmeID int64
			before      string
		)
		if err := tx.QueryRow(ctx, `SELECT coalesce(pp.answer, ''), r.programme_id
			FROM meeting_participation pp JOIN meeting_rounds r ON r.id = pp.round_id
			WHERE pp.round_id = $1 AND pp.employee_id = $2 FOR UPDATE OF pp`, roundID, employeeID).Scan(&before, &programmeID); err != nil {
			return err
		}
		res.Before = bot.MeetAnswer(before)
		if _, err := tx.Exec(ctx, `UPDATE meeting_participation SET answer = $3, answered_at = now()
			WHERE round_id = $1 AND employee_id = $2`, roundID, employeeID, string(a)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE meeting_participants SET missed_in_row = 0
			WHERE programme_id = $1 AND employee_id = $2 AND missed_in_row <> 0`, programmeID, employeeID); err != nil {
			return err
		}
		if a != bot.MeetYes {
			return nil
		}
		// People who met now know each other: future teams and rounds count them as linked.
		_, err := tx.Exec(ctx, `INSERT INTO collaboration_edges (employee_a, employee_b, source)
			SELECT least($2::bigint, o.employee_id), greatest($2::bigint, o.employee_id), 'meeting'
			FROM meeting_participation me JOIN meeting_participation o ON o.group_id = me.group_id AND o.employee_id <> me.employee_id
			WHERE me.round_id = $1 AND me.employee_id = $2
			ON CONFLICT DO NOTHING`, roundID, employeeID)
		if err != nil {
			return err
		}
		res.Survey, err = s.openMeetingSurveyTx(ctx, tx, programmeID, employeeID, sv)
		return err
	})
	if err != nil {
		return bot.MeetAnswered{}, wrap(fmt.Sprintf("answer of employee %d for round %d", employeeID, roundID), err)
	}
	return res, nil
}

// Arranged records that employeeID's group in the round has fixed its meeting.
func (s *Store) Arranged(ctx context.Context, roundID, employeeID int64) (bool, error) {
	var already bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var groupID int64
		if err := tx.QueryRow(ctx, `SELECT g.id, g.arranged_at IS NOT NULL
			FROM meeting_participation pp JOIN meeting_groups g ON g.id = pp.group_id
			WHERE pp.round_id = $1 AND pp.employee_id = $2 FOR UPDATE OF g`, roundID, employeeID).Scan(&groupID, &already); err != nil {
			return err
		}
		if already {
			return nil
		}
		_, err := tx.Exec(ctx, `UPDATE meeting_groups SET arranged_at = now() WHERE id = $1`, groupID)
		return err
	})
	if err != nil {
		return false, wrap(fmt.Sprintf("arranged by employee %d in round %d", employeeID, roundID), err)
	}
	return already, nil
}

// LastRounds returns the participation counts of the programme's last n rounds, newest first.
func (s *Store) LastRounds(ctx context.Context, programmeID int64, n int) ([]bot.RoundStats, error) {
	rows, err := s.pool.Query(ctx, `
		WITH r AS (
		    SELECT id, number, scheduled_for, jsonb_array_length(left_out) AS left_out
		    FROM meeting_rounds WHERE programme_id = $1 ORDER BY number DESC LIMIT $2
		)
		SELECT r.id, r.number, r.scheduled_for,
		       (SELECT count(*) FROM meeting_groups g WHERE g.round_id = r.id),
		       count(pp.employee_id), r.left_out,
		       count(*) FILTER (WHERE pp.answer = 'met'),
		       count(*) FILTER (WHERE pp.answer = 'not_yet'),
		       count(*) FILTER (WHERE pp.answer = 'not_met'),
		       count(pp.employee_id) FILTER (WHERE pp.answer IS NULL)
		FROM r LEFT JOIN meeting_participation pp ON pp.round_id = r.id
		GROUP BY r.id, r.number, r.scheduled_for, r.left_out
		ORDER BY r.number DESC`, programmeID, max(n, 0))
	if err != nil {
		return nil, wrap("last rounds", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bot.RoundStats])
	return out, wrap(fmt.Sprintf("last rounds of programme %d", programmeID), err)
}

// RoundsNumbered lists the rounds numbered n in which employeeID was grouped, newest first.
func (s *Store) RoundsNumbered(ctx context.Context, employeeID int64, n int) ([]bot.RoundRef, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT r.id, r.programme_id, p.name, r.number
		FROM meeting_participation pp
		JOIN meeting_rounds r ON r.id = pp.round_id
		JOIN meeting_programmes p ON p.id = r.programme_id
		WHERE pp.employee_id = $1 AND r.number = $2
		ORDER BY r.scheduled_for DESC, r.id DESC`, employeeID, n)
	if err != nil {
		return nil, wrap("rounds numbered", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bot.RoundRef])
	return out, wrap(fmt.Sprintf("rounds numbered %d of employee %d", n, employeeID), err)
}

// RoundPart tells employeeID's part in a round: grouped (with their answer and their group's
// arrangement), left out (with the stored reason), or neither.
func (s *Store) RoundPart(ctx context.Context, roundID, employeeID int64) (bot.RoundPart, error) {
	var (
		part     bot.RoundPart
		leftOut  []byte
		answer   *string
		arranged *bool
	)
	err := s.pool.QueryRow(ctx, `
		SELECT r.left_out, pp.employee_id IS NOT NULL, pp.answer, g.arranged_at IS NOT NULL
		FROM meeting_rounds r
		LEFT JOIN meeting_participation pp ON pp.round_id = r.id AND pp.employee_id = $2
		LEFT JOIN meeting_groups g ON g.id = pp.group_id
		WHERE r.id = $1`, roundID, employeeID).Scan(&leftOut, &part.Grouped, &answer, &arranged)
	op := fmt.Sprintf("part of employee %d in round %d", employeeID, roundID)
	if err != nil {
		return bot.RoundPart{}, wrap(op, err)
	}
	if part.Grouped {
		if answer != nil {
			part.Answer = bot.MeetAnswer(*answer)
		}
		part.Arranged = arranged != nil && *arranged
		return part, nil
	}
	var out []pairing.LeftOut
	if err := json.Unmarshal(leftOut, &out); err != nil {
		return bot.RoundPart{}, fmt.Errorf("%s: decode left out: %w", op, err)
	}
	for _, lo := range out {
		if lo.ID == employeeID {
			part.LeftOut, part.Reason = true, lo.Reason
		}
	}
	return part, nil
}

var (
	slackMentionRE = regexp.MustCompile(`^<@([A-Z0-9]+)(?:\|[^>]*)?>$`)
	personIDRE     = regexp.MustCompile(`^#?([0-9]{1,18})$`)
)

// findPersonActive keeps only people who can be named: active, data not erased.
const findPersonActive = ` AND e.active AND e.erased_at IS NULL`

// FindPerson resolves a person named in a command: "<@U123>" or "<@U123|name>" (a Slack
// mention), "@x" (a console handle, else a Slack user id, else the local part of exactly one
// e-mail), an e-mail, or "#123"/"123" (an id). A bare word is read as "@word".
func (s *Store) FindPerson(ctx context.Context, ref string) (bot.PersonRef, error) {
	ref = strings.TrimSpace(ref)
	op := fmt.Sprintf("find person %q", ref)
	sel := `SELECT ` + personColumns + ` FROM employees e WHERE `
	byIdentity := sel + `e.id = (SELECT employee_id FROM employee_identities WHERE transport = $1 AND external_id = $2)` + findPersonActive

	var tries []func() pgx.Row
	switch m := slackMentionRE.FindStringSubmatch(ref); {
	case ref == "":
	case m != nil:
		tries = append(tries, func() pgx.Row { return s.pool.QueryRow(ctx, byIdentity, bot.TransportSlack, m[1]) })
	case personIDRE.MatchString(ref):
		id, err := strconv.ParseInt(personIDRE.FindStringSubmatch(ref)[1], 10, 64)
		if err != nil {
			return bot.PersonRef{}, wrap(op, pgx.ErrNoRows)
		}
		tries = append(tries, func() pgx.Row { return s.pool.QueryRow(ctx, sel+`e.id = $1`+findPersonActive, id) })
	case strings.Contains(strings.TrimPrefix(ref, "@"), "@"):
		tries = append(tries, func() pgx.Row { return s.pool.QueryRow(ctx, sel+`lower(e.email) = lower($1)`+findPersonActive, ref) })
	default:
		x := strings.TrimPrefix(ref, "@")
		tries = append(tries,
			func() pgx.Row { return s.pool.QueryRow(ctx, byIdentity, bot.TransportConsole, x) },
			func() pgx.Row { return s.pool.QueryRow(ctx, byIdentity, bot.TransportSlack, x) },
			// The local part of an e-mail, when exactly one person has it.
			func() pgx.Row {
				return s.pool.QueryRow(ctx, sel+`e.id = (SELECT min(o.id) FROM employees o
					WHERE lower(split_part(o.email, '@', 1)) = lower($1) AND o.active AND o.erased_at IS NULL
					HAVING count(*) = 1)`+findPersonActive, x)
			})
	}
	for _, try := range tries {
		var p bot.PersonRef
		err := try().Scan(&p.ID, &p.Name, &p.SlackUserID, &p.Handle, &p.Locale)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return bot.PersonRef{}, wrap(op, err)
		}
		return p, nil
	}
	return bot.PersonRef{}, wrap(op, pgx.ErrNoRows)
}
