package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/config"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
)

// outboundRetention is how long the record of a posted message is kept: far longer than
// River keeps a job that could be retried.
const outboundRetention = 90 * 24 * time.Hour

// newJobs builds the River runner with the bot's schedules. poster delivers post jobs (the
// Slack client in serve, the terminal in console; nil when serve has no Slack).
func newJobs(d *deps, cfg config.Config, log *slog.Logger, m *metrics.Metrics, poster bot.Poster) (*jobs.Runner, error) {
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
	}}
	r, err := jobs.New(d.pool, jobs.Config{
		Logger:    log,
		Metrics:   m,
		Poster:    poster,
		Outbound:  postgres.NewOutbound(d.pool),
		Location:  cfg.Location,
		Schedules: schedules,
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return r, nil
}
