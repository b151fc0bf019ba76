package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/config"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/slack"
)

// outboundRetention is how long the record of a posted message is kept: far longer than
// River keeps a job that could be retried.
const outboundRetention = 90 * 24 * time.Hour

// The Slack client labels posts with their keys and finds them again, so that a post retried
// after a crash is not sent twice (jobs.Runner.deliver).
var _ jobs.KeyedPoster = (*slack.Client)(nil)

// jobsOption adds to the runner's configuration what only some commands have.
type jobsOption func(*jobs.Config)

// withUserSync makes the runner sync users from Slack with s: slack_sync jobs run it, and a
// daily schedule enqueues one. Only serve with Slack enabled has a syncer; without it no
// schedule is registered, so that a console or a Slack-less replica enqueues nothing it
// cannot do.
func withUserSync(s jobs.UserSyncer) jobsOption {
	return func(c *jobs.Config) {
		c.UserSyncer = s
		c.Schedules = append(c.Schedules, jobs.SlackSyncSchedule(jobs.DefaultSlackSyncCron))
	}
}

// asConsole makes the runner work the console's queue instead of Slack's: a console prints the
// messages addressed to console users and never takes Slack's (serve delivers those, even
// when the console runs on the same server with the same settings).
func asConsole() jobsOption {
	return func(c *jobs.Config) { c.Queues = []string{river.QueueDefault, jobs.QueueConsole} }
}

// teamParts joins what team jobs need: the core sweeps invitations and plans channels, the
// store records the channel.
type teamParts struct {
	*bot.Bot
	store *postgres.Store
}

// SetTeamChannel records a project's channel.
func (t teamParts) SetTeamChannel(ctx context.Context, projectID int64, channel string) error {
	return t.store.SetTeamChannel(ctx, projectID, channel)
}

// newJobs builds the River runner with the bot's schedules. poster delivers post jobs and
// channels creates project channels (the Slack client in serve, the terminal in console; nil
// when serve has no Slack).
func newJobs(d *deps, cfg config.Config, log *slog.Logger, m *metrics.Metrics, teams teamParts, poster bot.Poster, channels bot.Channels, opts ...jobsOption) (*jobs.Runner, error) {
	// The conflict notices go through an outbox of their own, with their texts kept where
	// erasing their recipient reaches them, like every other notice.
	notices, err := jobs.NewOutbox(d.pool)
	if err != nil {
		return nil, err
	}
	notices.KeepTextsIn(postgres.NewOutbound(d.pool))
	schedules := []jobs.Schedule{{
		// Nightly housekeeping, at a quiet hour outside the DST-ambiguous 02:00–03:00.
		Name: "housekeeping",
		Cron: "30 3 * * *",
		Run: func(ctx context.Context, f jobs.Firing) error {
			n, err := postgres.PruneOutboundTx(ctx, f.Tx, f.FireAt.Add(-outboundRetention))
			if err != nil {
				return err
			}
			log.Info("housekeeping", "pruned_outbound_messages", n, "fire_at", f.FireAt)
			return nil
		},
	},
		jobs.ProjectRemindersSchedule(jobs.DefaultProjectRemindersCron, postgres.Reminders{},
			time.Duration(cfg.IndicatorStaleDays)*24*time.Hour),
		jobs.TeamInvitationsSchedule(jobs.DefaultTeamInvitationsCron, teams),
		jobs.MeetingsSchedule(jobs.DefaultMeetingsCron, teams),
		jobs.ConflictNoticesSchedule(jobs.DefaultConflictNoticesCron, postgres.ConflictNotices{K: cfg.SurveyMinRespondents},
			teams.ConflictNotices, notices, float64(cfg.SurveyConflictMargin)),
	}
	jcfg := jobs.Config{
		Logger:       log,
		Metrics:      m,
		Poster:       poster,
		Channels:     channels,
		TeamChannels: teams,
		Due:          teams.store,
		Outbound:     postgres.NewOutbound(d.pool),
		Location:     cfg.Location,
		Schedules:    schedules,
		// serve delivers Slack's messages; the transport-agnostic scheduled runs are shared.
		Queues: []string{river.QueueDefault, jobs.QueueSlack},
	}
	for _, o := range opts {
		o(&jcfg)
	}
	r, err := jobs.New(d.pool, jcfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return r, nil
}
