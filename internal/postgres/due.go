package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/comune-prato/cantieri/bot"
)

var _ bot.MessageDue = (*Store)(nil)

// MessageDue answers, right before a durable job sends a message, whether the rows ref names
// still call for it: every person in ref.People active and not erased, nobody in ref.About
// erased, and, by kind, the invitation still pending, the round still standing in an active
// programme, or the evaluator still asked. A row that is gone makes the message not due (an
// About row gone was merged into another: not an erasure). One query, so a fan-out of
// hundreds of posts costs hundreds of index lookups, not more.
func (s *Store) MessageDue(ctx context.Context, ref bot.NoticeRef) (bool, error) {
	people := slices.Clone(ref.People)
	slices.Sort(people)
	people = slices.Compact(people)
	if people == nil {
		people = []int64{} // an empty array, not NULL, for cardinality
	}
	var kindOK bool
	switch ref.Kind {
	case "":
		kindOK = true
	case bot.RefInvitation, bot.RefRound, bot.RefSurvey, bot.RefUnitHead, bot.RefEvaluator:
	default:
		return false, fmt.Errorf("message due: unknown reference kind %q", ref.Kind)
	}
	about := ref.About
	if about == nil {
		about = []int64{}
	}
	var due bool
	err := s.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM employees WHERE id = ANY($1) AND active AND erased_at IS NULL) = cardinality($1::bigint[])
		AND NOT EXISTS (SELECT 1 FROM employees WHERE id = ANY($5::bigint[]) AND erased_at IS NOT NULL)
		AND ($2
			OR ($3 = 'invitation' AND EXISTS (SELECT 1 FROM team_invitations WHERE id = $4 AND status = 'pending'))
			OR ($3 = 'round' AND EXISTS (SELECT 1 FROM meeting_rounds r JOIN meeting_programmes p ON p.id = r.programme_id
				WHERE r.id = $4 AND p.active))
			OR ($3 = 'evaluator' AND EXISTS (SELECT 1 FROM project_evaluators WHERE id = $4))
			OR `+surveyDueSQL+`
			OR `+unitHeadDueSQL+`)`,
		people, kindOK, ref.Kind, ref.ID, about).Scan(&due)
	if err != nil {
		return false, wrap(fmt.Sprintf("message due (%s %d)", ref.Kind, ref.ID), err)
	}
	return due, nil
}

// unitHeadDueSQL: a message for a unit's dirigente (bot.RefUnitHead) is due while its one
// recipient still heads the unit or a unit above it, as a dirigente: a notice about a
// department's figures reaches nobody who has since stopped heading it.
const unitHeadDueSQL = `($3 = 'unit-head' AND cardinality($1::bigint[]) = 1
			AND EXISTS (SELECT 1 FROM employee_roles r WHERE r.employee_id = ANY($1) AND r.role = 'dirigente')
			AND EXISTS (WITH RECURSIVE up AS (
					SELECT id, parent_id FROM org_units WHERE id = $4
					UNION
					SELECT p.id, p.parent_id FROM org_units p JOIN up ON p.id = up.parent_id)
				SELECT 1 FROM manager_units m JOIN up ON up.id = m.unit_id WHERE m.employee_id = ANY($1)))`
