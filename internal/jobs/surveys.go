package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/meetcal"
)

// Survey schedules' names, in scheduled_runs and logs.
const (
	SurveyPulseScheduleName       = "survey-pulse"
	SurveyMaintenanceScheduleName = "survey-maintenance"
)

// SurveyScheduleTimeout bounds a survey firing: the pulse invites and enqueues a message to
// every active employee (tens of thousands in a large council, a few seconds:
// BenchmarkOutboxPostTx), a maintenance firing may send as many reminders.
const SurveyScheduleTimeout = 5 * time.Minute

// MaxRemindersPerFiring bounds the reminders one maintenance firing sends, so that its
// transaction stays short; the rest go with the next firing.
const MaxRemindersPerFiring = 20_000

// Working hours of reminders, in the council's zone: nobody is reminded of a survey in the
// evening, at the weekend or on a holiday.
const (
	remindFromHour  = 9
	remindUntilHour = 18
)

// PulseSource opens the monthly pulse (internal/postgres.SurveyStore implements it).
type PulseSource interface {
	// OpenPulseTx opens the pulse of month ("2026-05") closing at closesAt, invites every
	// active employee once and enqueues notice's message to each one invited now, in tx.
	OpenPulseTx(ctx context.Context, tx pgx.Tx, month string, closesAt time.Time, notice bot.SurveyNoticeFunc) (int, error)
}

// SurveyMaintainer releases, closes and reminds (internal/postgres.SurveyStore implements it).
type SurveyMaintainer interface {
	// ReleaseDue releases the pending answers of every instance with at least k of them, in
	// shuffled batches, each in a transaction of its own.
	ReleaseDue(ctx context.Context) (int, error)
	// CloseDue closes the instances whose closing time has passed by now.
	CloseDue(ctx context.Context, now time.Time) (int, error)
	// RemindTx sends the reminders due on today, at most limit, in tx.
	RemindTx(ctx context.Context, tx pgx.Tx, today time.Time, every, limit int, notice bot.SurveyNoticeFunc) (int, error)
}

// SurveyPulseSchedule sends the monthly pulse: each firing opens the instance of its month (in
// the Runner's zone) and invites every active employee, with one direct message each, in the
// firing's transaction. Instance and invitations are unique (per month, per person), the
// messages keyed per instance and person: however many replicas or retries, each person is
// invited and messaged once. The pulse closes openDays after the end of its firing's day.
func SurveyPulseSchedule(cron string, src PulseSource, openDays int, notice bot.SurveyNoticeFunc, log *slog.Logger) Schedule {
	if log == nil {
		log = slog.Default()
	}
	return Schedule{
		Name:    SurveyPulseScheduleName,
		Cron:    cron,
		Timeout: SurveyScheduleTimeout,
		// The default catch-up (a leader elected within ten minutes of the fire time sends a
		// pulse it missed), like the other schedules. A longer one would make every process
		// started on the 1st — a console, a test — the sender of a missed pulse hours later.
		Run: func(ctx context.Context, f Firing) error {
			month := f.FireAt.Format("2006-01")
			n, err := src.OpenPulseTx(ctx, f.Tx, month, closingAfter(f.FireAt, openDays), notice)
			if err != nil {
				return err
			}
			log.InfoContext(ctx, "surveys: pulse sent", "month", month, "invited", n)
			return nil
		},
	}
}

// closingAfter is the end of the day days after t's, in t's zone: a survey closes at a
// midnight, so that "you can answer until the 15th" holds for the whole day.
func closingAfter(t time.Time, days int) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day()+days+1, 0, 0, 0, 0, t.Location())
}

// SurveyMaintenance configures SurveyMaintenanceSchedule.
type SurveyMaintenance struct {
	// Cron is when it runs (SURVEY_MAINTENANCE_CRON).
	Cron string
	// Surveys releases, closes and reminds.
	Surveys SurveyMaintainer
	// RemindAfterDays is the wait before each reminder (SURVEY_REMIND_AFTER_DAYS).
	RemindAfterDays int
	// Holidays are the days nobody is reminded (national ones when nil).
	Holidays *meetcal.Calendar
	// Notice renders a reminder (Bot.SurveyNotice).
	Notice bot.SurveyNoticeFunc
	Logger *slog.Logger
}

// SurveyMaintenanceSchedule keeps surveys moving. Each firing:
//
//   - releases the pending answers of every instance with at least k of them, in shuffled
//     batches (the anonymity design in internal/postgres/surveys.go), and closes the instances
//     past their closing time (late answers are refused from then on). Each release and close
//     is a transaction of its own and does nothing when repeated, so a retried firing redoes
//     only what is left;
//   - on working days between 09:00 and 18:00, reminds those who have not answered an open
//     instance, RemindAfterDays after the invitation and again after as many days more, never a
//     third time: in the firing's transaction, each reminder counted and its message enqueued
//     together, keyed by its number, so that none is sent twice.
func SurveyMaintenanceSchedule(m SurveyMaintenance) Schedule {
	log := m.Logger
	if log == nil {
		log = slog.Default()
	}
	return Schedule{
		Name:    SurveyMaintenanceScheduleName,
		Cron:    m.Cron,
		Timeout: SurveyScheduleTimeout,
		// Every firing does all that is due: one missed during a deploy is made up by the next.
		CatchUp: -1,
		Run: func(ctx context.Context, f Firing) error {
			released, relErr := m.Surveys.ReleaseDue(ctx)
			closed, closeErr := m.Surveys.CloseDue(ctx, f.FireAt)
			if err := errors.Join(relErr, closeErr); err != nil {
				return fmt.Errorf("survey maintenance: %w", err)
			}
			reminded := 0
			if workingTime(f.FireAt, m.Holidays) {
				var err error
				if reminded, err = m.Surveys.RemindTx(ctx, f.Tx, f.FireAt, m.RemindAfterDays, MaxRemindersPerFiring, m.Notice); err != nil {
					return fmt.Errorf("survey reminders: %w", err)
				}
			}
			if released+closed+reminded > 0 {
				log.InfoContext(ctx, "surveys: maintenance", "released", released, "closed", closed, "reminded", reminded)
			}
			return nil
		},
	}
}

// workingTime reports whether t (in the council's zone) is within the hours reminders may
// be sent: a working day (Monday to Friday, not a holiday), 09:00 to 18:00.
func workingTime(t time.Time, holidays *meetcal.Calendar) bool {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	if h := t.Hour(); h < remindFromHour || h >= remindUntilHour {
		return false
	}
	holiday, _ := holidays.IsHoliday(t)
	return !holiday
}
