package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
)

// ProjectRemindersScheduleName names the schedule in scheduled_runs and logs.
const ProjectRemindersScheduleName = "project-reminders"

// DefaultProjectRemindersCron runs the reminders on weekday mornings, when coordinators read.
const DefaultProjectRemindersCron = "30 8 * * 1-5"

// DefaultIndicatorStaleAfter is how long an indicator may go without a measurement during
// realizzazione or monitoraggio before its coordinator is reminded.
const DefaultIndicatorStaleAfter = 30 * 24 * time.Hour

// ReminderSource finds due project reminders and records the ones sent (internal/postgres).
type ReminderSource interface {
	DueRemindersTx(ctx context.Context, tx pgx.Tx, day time.Time, staleAfter time.Duration) ([]bot.Reminder, error)
	ClaimReminderTx(ctx context.Context, tx pgx.Tx, r bot.Reminder) (bool, error)
}

// ProjectRemindersSchedule reminds coordinators of projects whose planned end has passed without
// reaching monitoraggio, and of indicators with no recent measurement. Each reminder is claimed
// in project_reminders and its message enqueued as a post job in the firing's transaction: one
// reminder per condition per period, whatever the number of replicas or retries.
func ProjectRemindersSchedule(cron string, src ReminderSource, staleAfter time.Duration) Schedule {
	if staleAfter <= 0 {
		staleAfter = DefaultIndicatorStaleAfter
	}
	return Schedule{
		Name: ProjectRemindersScheduleName,
		Cron: cron,
		Run: func(ctx context.Context, f Firing) error {
			due, err := src.DueRemindersTx(ctx, f.Tx, f.FireAt, staleAfter)
			if err != nil {
				return err
			}
			for _, r := range due {
				claimed, err := src.ClaimReminderTx(ctx, f.Tx, r)
				if err != nil {
					return err
				}
				if !claimed {
					continue
				}
				args := PostArgs{
					Key:     fmt.Sprintf("reminder:%d:%s:%s", r.ProjectID, r.Condition, r.PeriodKey),
					Channel: r.Coordinator.SlackUserID,
					Reply:   bot.ReminderReply(r),
					Ref:     bot.NoticeRef{People: []int64{r.Coordinator.ID}},
				}
				if _, err := EnqueuePostTx(ctx, f.Client, f.Tx, args); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
