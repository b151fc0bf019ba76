package main

import (
	"context"
	"fmt"
	"time"

	"github.com/comune-prato/cantieri/internal/console"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
)

// settleWait bounds how long the console waits, after a command, for the messages it caused:
// long enough for the monthly pulse's fan-out to the whole demo council (1,500 messages) to
// go out before the next command.
const settleWait = time.Minute

// console runs a terminal session against the same PostgreSQL, Redis and durable jobs as
// production, so that what works here works in Slack.
func (e env) console(ctx context.Context, handle string) error {
	cfg, log, d, err := e.openForTerminal(ctx)
	if err != nil {
		return err
	}
	defer d.Close()

	core, store, err := newCore(d, cfg, log)
	if err != nil {
		return err
	}
	var runner *jobs.Runner
	con := console.New(console.Config{Bot: core, Handle: handle, In: e.stdin, Out: e.stdout, Interactive: e.stdinIsTerminal,
		// The messages a command caused print before the next command is read, so a script's
		// "accept" never runs before its invitation was delivered.
		Settle: func(ctx context.Context) {
			if err := runner.WaitIdle(ctx, settleWait); err != nil {
				log.Warn("console: jobs still pending after a command", "err", err)
			}
		}})

	runner, err = newJobs(d, cfg, log, metrics.New(), teamParts{core, store}, con, con, asConsole())
	if err != nil {
		return err
	}
	if err := runner.Start(ctx); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	defer func() {
		if err := runner.Stop(context.WithoutCancel(ctx)); err != nil {
			log.Warn("stop jobs", "err", err)
		}
	}()
	if err := con.Run(ctx); err != nil {
		return err
	}
	// Messages that the last commands caused (invitations, a channel) are jobs: let them
	// print before the session ends.
	if err := runner.WaitIdle(ctx, 15*time.Second); err != nil {
		log.Warn("console: jobs still pending at exit; they will run at the next start", "err", err)
	}
	return nil
}
