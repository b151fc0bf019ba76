package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
)

// Opened is the outcome of opening (or joining) a survey instance.
type Opened struct {
	Instance
	// Closed is true when the instance existed and was already closed: nobody was invited.
	Closed bool
	// People are the employees invited now (not those invited before), with what a message
	// to them needs.
	People []bot.PersonRef
}

// Open is OpenTx in a transaction of its own.
func (s *SurveyStore) Open(ctx context.Context, spec InstanceSpec, notice bot.SurveyNoticeFunc) (Opened, error) {
	var o Opened
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		o, err = s.OpenTx(ctx, tx, spec, notice)
		return err
	})
	return o, err
}

// OpenTx opens the instance of spec.Subject (creating it, with the latest version of
// spec.Template, the first time) and invites spec.Audience to it, in tx: those invited before
// are left as they are, so a trigger that runs twice (a retried job, two replicas) invites
// each person once. For each person invited now it enqueues notice's message in the same
// transaction, through the outbox: the invitation and its message commit together or not at
// all. A closed instance invites nobody (Opened.Closed).
func (s *SurveyStore) OpenTx(ctx context.Context, tx pgx.Tx, spec InstanceSpec, notice bot.SurveyNoticeFunc) (Opened, error) {
	var o Opened
	err := func() error {
		var err error
		if o.Instance, o.Closed, err = s.findOrCreateInstance(ctx, tx, spec); err != nil {
			return err
		}
		if o.Closed {
			return nil
		}
		ids, err := inviteReturning(ctx, tx, o.ID, spec.Audience, s.deptType)
		if err != nil {
			return err
		}
		o.Invited = len(ids)
		if o.People, err = people(ctx, tx, ids); err != nil {
			return err
		}
		if len(o.People) == 0 || notice == nil {
			return nil
		}
		t, err := loadVersion(ctx, tx, o.VersionID)
		if err != nil {
			return err
		}
		notices := make([]bot.Notice, 0, len(o.People))
		for _, p := range o.People {
			n := notice(bot.SurveyInvite{InstanceID: o.ID, Person: p, Title: t.Title, About: spec.About,
				Questions: len(t.Questions), ClosesAt: o.ClosesAt})
			if n.Channel != "" {
				notices = append(notices, n)
			}
		}
		if len(notices) == 0 {
			return nil
		}
		if s.outbox == nil {
			return ErrNoOutbox
		}
		return s.outbox.PostTx(ctx, tx, notices)
	}()
	return o, wrap("open survey "+spec.Subject, err)
}

// findOrCreateInstance returns the instance of spec.Subject, locked FOR SHARE (a close, FOR
// UPDATE, cannot slip in before the caller's invitations), creating it with the template's
// latest version the first time (Instance.Created). closed is true for an instance closed, or
// past its closing time even before the job has closed it.
func (s *SurveyStore) findOrCreateInstance(ctx context.Context, tx pgx.Tx, spec InstanceSpec) (inst Instance, closed bool, err error) {
	find := func() error {
		var closes *time.Time
		err := tx.QueryRow(ctx, `SELECT id, version_id, closes_at, closed_on IS NOT NULL OR coalesce(closes_at <= now(), false)
FROM survey_instances WHERE subject = $1 FOR SHARE`, spec.Subject).Scan(&inst.ID, &inst.VersionID, &closes, &closed)
		if closes != nil {
			inst.ClosesAt = *closes
		}
		return err
	}
	// Look first: an INSERT that meets the existing subject would still use up an id, and the
	// ids are the numbers people type (`valuta 3`), better without gaps.
	if err = find(); !errors.Is(err, pgx.ErrNoRows) {
		return inst, closed, err
	}
	if err = tx.QueryRow(ctx, `SELECT v.id FROM survey_versions v JOIN survey_templates t ON t.id = v.template_id
WHERE t.key = $1 ORDER BY v.version DESC LIMIT 1`, spec.Template).Scan(&inst.VersionID); err != nil {
		return inst, false, fmt.Errorf("template %s: %w", spec.Template, err)
	}
	about, err := json.Marshal(spec.About)
	if err != nil {
		return inst, false, err
	}
	var closes *time.Time
	if !spec.ClosesAt.IsZero() {
		closes = &spec.ClosesAt
	}
	err = tx.QueryRow(ctx, `INSERT INTO survey_instances (version_id, subject, min_respondents, closes_at, about)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject) DO NOTHING RETURNING id`,
		inst.VersionID, spec.Subject, s.k, closes, about).Scan(&inst.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return inst, closed, find() // another transaction created it meanwhile
	}
	inst.Created = err == nil
	inst.ClosesAt = spec.ClosesAt
	return inst, false, err
}

// inviteReturning invites employees (active ones, not invited before) and returns their ids.
func inviteReturning(ctx context.Context, tx pgx.Tx, instanceID int64, employees []int64, deptType string) ([]int64, error) {
	if employees == nil {
		employees = []int64{}
	}
	rows, err := tx.Query(ctx, `
INSERT INTO survey_invitations (instance_id, employee_id, department_id)
SELECT $1, e.id, d.id
FROM employees e
LEFT JOIN LATERAL (
    WITH RECURSIVE up AS (
        SELECT o.id, o.type_label, o.parent_id, 0 AS depth FROM org_units o WHERE o.id = e.unit_id
        UNION ALL
        SELECT p.id, p.type_label, p.parent_id, up.depth + 1 FROM org_units p JOIN up ON p.id = up.parent_id
    )
    SELECT id FROM up WHERE type_label = $3 ORDER BY depth LIMIT 1
) d ON true
WHERE e.id = ANY($2) AND e.active AND e.erased_at IS NULL
ON CONFLICT DO NOTHING
RETURNING employee_id`, instanceID, employees, deptType)
	if err != nil {
		return nil, fmt.Errorf("invite: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("invite: %w", err)
	}
	return ids, nil
}

// surveyDue is the RefSurvey part of MessageDue: the instance open and every person in people
// invited to it without having answered.
const surveyDueSQL = `($3 = 'survey' AND EXISTS (SELECT 1 FROM survey_instances i WHERE i.id = $4 AND i.closed_on IS NULL
				AND coalesce(i.closes_at, 'infinity') > now())
			AND (SELECT count(*) FROM survey_invitations v WHERE v.instance_id = $4 AND v.employee_id = ANY($1) AND NOT v.answered)
				= cardinality($1::bigint[]) AND cardinality($1::bigint[]) > 0)`
