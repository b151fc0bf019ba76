package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
)

// Reminders finds the reminders due to project coordinators and records the ones sent.
type Reminders struct{}

// DueRemindersTx lists, in tx, the reminders due on day: projects whose planned end has passed
// while they are still before monitoraggio (one reminder per ISO week while that lasts), and
// indicators with no measurement for staleAfter during realizzazione or monitoraggio (one per
// stale period: a reminder after 30 days, the next after 60, …). Reminders already recorded in
// project_reminders are left out, as are coordinators without a Slack identity (there is
// nobody to write to).
func (Reminders) DueRemindersTx(ctx context.Context, tx pgx.Tx, day time.Time, staleAfter time.Duration) ([]bot.Reminder, error) {
	year, week := day.ISOWeek()
	weekKey := fmt.Sprintf("%d-W%02d", year, week)
	staleDays := int(staleAfter.Hours() / 24)
	if staleDays < 1 {
		staleDays = 1
	}
	rows, err := tx.Query(ctx, `
		WITH due AS (
			SELECT p.id, p.title, p.coordinator_id, 'end_passed' AS condition, $2::text AS period_key,
			       '' AS indicator, p.planned_end::timestamptz AS since
			FROM projects p
			WHERE p.planned_end < $1::date
			  AND p.phase IN ('ideazione', 'progettazione', 'realizzazione')
			UNION ALL
			SELECT p.id, p.title, p.coordinator_id, 'indicator_stale',
			       i.id || ':' || (($1::date - m.last::date) / $3::int),
			       i.name, m.last
			FROM projects p
			JOIN indicators i ON i.project_id = p.id
			CROSS JOIN LATERAL (
				SELECT coalesce(max(x.measured_on)::timestamptz, i.created_at) AS last
				FROM indicator_measurements x WHERE x.indicator_id = i.id
			) m
			WHERE p.phase IN ('realizzazione', 'monitoraggio')
			  AND $1::date - m.last::date >= $3::int
		)
		SELECT d.id, d.title, d.condition, d.period_key, d.indicator, d.since,
		       e.id, e.display_name, s.external_id, coalesce(e.locale, e.slack_locale, '')
		FROM due d
		JOIN employees e ON e.id = d.coordinator_id AND e.active
		JOIN employee_identities s ON s.employee_id = e.id AND s.transport = 'slack'
		WHERE NOT EXISTS (SELECT 1 FROM project_reminders r
		                  WHERE r.project_id = d.id AND r.condition = d.condition AND r.period_key = d.period_key)
		ORDER BY d.id, d.condition, d.period_key`, day, weekKey, staleDays)
	if err != nil {
		return nil, wrap("due reminders", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.Reminder, error) {
		var rem bot.Reminder
		err := r.Scan(&rem.ProjectID, &rem.Title, &rem.Condition, &rem.PeriodKey, &rem.Indicator, &rem.Since,
			&rem.Coordinator.ID, &rem.Coordinator.Name, &rem.Coordinator.SlackUserID, &rem.Locale)
		return rem, err
	})
	return out, wrap("due reminders", err)
}

// ClaimReminderTx records r in tx and reports whether it was new: the caller sends the reminder
// only then, in the same transaction, so that two replicas or a retried firing send it once.
func (Reminders) ClaimReminderTx(ctx context.Context, tx pgx.Tx, r bot.Reminder) (bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO project_reminders (project_id, condition, period_key) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, r.ProjectID, r.Condition, r.PeriodKey)
	if err != nil {
		return false, wrap("claim reminder", err)
	}
	return tag.RowsAffected() == 1, nil
}
