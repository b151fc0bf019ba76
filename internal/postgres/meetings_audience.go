package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SyncAudience makes the enrolments of a programme whose audience is a Slack channel follow the
// channel's members (slackIDs): members with a unit who were never enrolled are enrolled, and
// enrolled people no longer in the channel leave. Someone who left by their own choice stays
// out: ON CONFLICT keeps their row as it is.
func (s *Store) SyncAudience(ctx context.Context, programmeID int64, slackIDs []string) (joined, left int, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO meeting_participants (programme_id, employee_id)
			SELECT $1, i.employee_id
			FROM employee_identities i JOIN employees e ON e.id = i.employee_id
			WHERE i.transport = 'slack' AND i.external_id = ANY($2)
			  AND e.active AND e.erased_at IS NULL AND e.unit_id IS NOT NULL
			ON CONFLICT DO NOTHING`, programmeID, slackIDs)
		if err != nil {
			return err
		}
		joined = int(tag.RowsAffected())
		tag, err = tx.Exec(ctx, `
			UPDATE meeting_participants p SET left_at = now()
			WHERE p.programme_id = $1 AND p.left_at IS NULL
			  AND NOT EXISTS (SELECT 1 FROM employee_identities i
			                  WHERE i.employee_id = p.employee_id AND i.transport = 'slack' AND i.external_id = ANY($2))`,
			programmeID, slackIDs)
		if err != nil {
			return err
		}
		left = int(tag.RowsAffected())
		return nil
	})
	return joined, left, wrap(fmt.Sprintf("sync the audience of programme %d", programmeID), err)
}
