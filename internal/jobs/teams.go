package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/comune-prato/cantieri/bot"
)

// KindTeamChannel is the River kind of TeamChannelArgs.
const KindTeamChannel = "team_channel"

// Team invitation settings.
const (
	// TeamInvitationsScheduleName names the sweep of team invitations.
	TeamInvitationsScheduleName = "team-invitations"
	// DefaultTeamInvitationsCron sweeps every hour of the working day, on weekdays: expiries
	// and reminders reach coordinators when they can act on them.
	DefaultTeamInvitationsCron = "10 8-18 * * 1-5"
)

// ErrNoChannels is the error of a team_channel job worked by a Runner without Channels; the
// job is retried, so that a replica that has them can do it.
var ErrNoChannels = errors.New("jobs: no Channels configured: cannot create a project channel")

// InvitationSweeper expires and reminds team invitations (the bot core implements it).
type InvitationSweeper interface {
	SweepInvitations(ctx context.Context, now time.Time, loc *time.Location) (bot.SweepResult, error)
}

// TeamInvitationsSchedule sweeps the team invitations: an invitation unanswered for
// bot.InvitationTTL expires and its coordinator is offered a replacement; coordinators are
// reminded once a day of invitations pending for more than a day. The sweep's messages are
// keyed, so a retried or duplicated firing sends nothing twice.
func TeamInvitationsSchedule(cron string, sweeper InvitationSweeper) Schedule {
	return Schedule{
		Name: TeamInvitationsScheduleName,
		Cron: cron,
		Run: func(ctx context.Context, f Firing) error {
			_, err := sweeper.SweepInvitations(ctx, f.FireAt, f.FireAt.Location())
			return err
		},
	}
}

// TeamChannelPlanner tells how to create a project's channel and records it (the bot core
// plans, the store records).
type TeamChannelPlanner interface {
	TeamChannelPlan(ctx context.Context, projectID int64) (bot.TeamChannelPlan, error)
	SetTeamChannel(ctx context.Context, projectID int64, channel string) error
}

// TeamChannelArgs are the args of a team_channel job: create the formed team's channel, invite
// the team and pin the project card.
type TeamChannelArgs struct {
	ProjectID int64 `json:"project_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (TeamChannelArgs) Kind() string { return KindTeamChannel }

// InsertOpts implements river.JobArgsWithInsertOpts: one job per project.
func (TeamChannelArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: DefaultPostAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type teamChannelWorker struct {
	river.WorkerDefaults[TeamChannelArgs]
	r *Runner
}

// Timeout bounds an attempt like a post's: River rescues a crashed one soon after.
func (w *teamChannelWorker) Timeout(*river.Job[TeamChannelArgs]) time.Duration { return PostTimeout }

// Work creates the channel (or finds the one an earlier attempt created), records it,
// invites the team, posts the card once (outbound key) and pins it. Every step is safe to
// repeat, so a retry after any failure completes the job without doing anything twice.
func (w *teamChannelWorker) Work(ctx context.Context, job *river.Job[TeamChannelArgs]) error {
	pid := job.Args.ProjectID
	log := w.r.log.With("kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "project_id", pid)
	fail := func(err error) error {
		w.r.count(job.Kind, OutcomeError)
		log.ErrorContext(ctx, "jobs: team channel failed", "err", err)
		return err
	}
	if w.r.channels == nil || w.r.planner == nil || w.r.poster == nil {
		return fail(ErrNoChannels)
	}
	plan, err := w.r.planner.TeamChannelPlan(ctx, pid)
	if err != nil {
		return fail(fmt.Errorf("plan: %w", err))
	}
	if plan.Channel == "" {
		ch, err := w.r.channels.CreateChannel(ctx, plan.Name)
		if err != nil {
			return fail(fmt.Errorf("create %s: %w", plan.Name, err))
		}
		if err := w.r.planner.SetTeamChannel(ctx, pid, ch); err != nil {
			return fail(fmt.Errorf("record channel %s: %w", ch, err))
		}
		if plan, err = w.r.planner.TeamChannelPlan(ctx, pid); err != nil {
			return fail(fmt.Errorf("plan: %w", err))
		}
	}
	if len(plan.Members) > 0 {
		if err := w.r.channels.InviteToChannel(ctx, plan.Channel, plan.Members); err != nil {
			return fail(fmt.Errorf("invite to %s: %w", plan.Channel, err))
		}
	}
	key := fmt.Sprintf("team-card:%d", pid)
	ts, found, err := w.r.store.OutboundTS(ctx, key)
	if err != nil {
		return fail(err)
	}
	if !found {
		if ts, _, err = w.r.deliver(ctx, job.JobRow, plan.Channel, key, plan.Card); err != nil {
			return fail(fmt.Errorf("post the card: %w", err))
		}
		if err := w.r.store.RecordOutbound(ctx, key, plan.Channel, ts); err != nil {
			return fail(fmt.Errorf("record the card: %w", err))
		}
	}
	if err := w.r.channels.Pin(ctx, plan.Channel, ts); err != nil {
		return fail(fmt.Errorf("pin the card: %w", err))
	}
	w.r.count(job.Kind, OutcomeOK)
	log.InfoContext(ctx, "jobs: team channel ready", "channel", plan.Channel, "members", len(plan.Members))
	return nil
}

// MeetingsScheduleName names the exchange-meetings tick.
const MeetingsScheduleName = "meetings"

// DefaultMeetingsCron ticks every minute: rounds fire within a minute of their time.
const DefaultMeetingsCron = "* * * * *"

// MeetingsTicker runs the exchange rounds and follow-ups due (the bot core implements it).
type MeetingsTicker interface {
	MeetingsTick(ctx context.Context, now time.Time) error
}

// MeetingsSchedule runs the due exchange rounds and their follow-up steps every minute. Each
// programme's own cron expression (with holidays and every-N-weeks) sets its next_round_at in
// the database; this tick, a River periodic job worked once per firing, carries rounds out.
// A round is claimed by its (programme, time) key and a step by its row, so a duplicated,
// retried or concurrent tick sends nothing twice, and a tick after a crash resumes.
func MeetingsSchedule(cron string, t MeetingsTicker) Schedule {
	return Schedule{
		Name: MeetingsScheduleName,
		Cron: cron,
		Run: func(ctx context.Context, f Firing) error {
			return t.MeetingsTick(ctx, f.FireAt)
		},
	}
}
