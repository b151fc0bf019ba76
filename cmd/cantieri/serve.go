package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/health"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/slack"
)

// dedupTTL outlives Slack's retries (the last Events API retry comes about 5 minutes after the
// first delivery) with a wide margin.
const dedupTTL = time.Hour

// shutdownGrace bounds a graceful stop: in-flight Slack work and jobs get this long to finish.
const shutdownGrace = 20 * time.Second

// serve runs the bot until SIGINT/SIGTERM: health, readiness and metrics on METRICS_ADDR, the
// Slack endpoints on HTTP_ADDR when SLACK_SIGNING_SECRET is set, Socket Mode when
// SLACK_APP_TOKEN is set, and the River workers. Stopping: stop taking work, finish in-flight work, close the pools.
func (e env) serve(ctx context.Context) error {
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	log := e.logger(cfg, true)
	d, err := openDeps(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()

	m := metrics.New()
	core, store, err := newCore(d, cfg, log)
	if err != nil {
		return err
	}

	var (
		transport *slack.Transport
		poster    bot.Poster
		channels  bot.Channels
		jobOpts   []jobsOption
	)
	if cfg.SlackEnabled() {
		transport, err = slack.New(ctx, slack.Config{
			BotToken:      cfg.SlackBotToken,
			AppToken:      cfg.SlackAppToken,
			SigningSecret: cfg.SlackSigningSecret,
			APIURL:        cfg.SlackAPIURL,
			Logger:        log,
			Metrics:       m,
			Bot:           core,
			Dedup:         redis.NewDedup(d.redis, cfg.RedisPrefix, dedupTTL),
			Limiter: redis.NewLimiter(d.redis, cfg.RedisPrefix, redis.SlackLimits(), redis.SlackTier3,
				redis.WithLogger(log), redis.WithFallbackGauge(m.RateLimiterLocal)),
		})
		if err != nil {
			return fmt.Errorf("slack: %w", err)
		}
		poster, channels = transport.Client(), transport.Client()
		core.UseDirectory(transport.Client())
		jobOpts = append(jobOpts, withUserSync(slack.NewUserSync(transport.Client(), store)))
		if cfg.SurveyKeyIsDev {
			// The development key is public: survey answers waiting for their batch would be
			// readable by whoever reads the database (README, "Threat model for feedback").
			log.Warn("SURVEY_KEY is not set: pending survey answers are sealed with the public development key; set SURVEY_KEY (openssl rand -base64 32) in production")
		}
	} else {
		log.Warn("no Slack tokens: serving health and metrics only (set SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)")
	}

	runner, err := newJobs(d, cfg, log, m, teamParts{core, store}, poster, channels, jobOpts...)
	if err != nil {
		return err
	}
	if err := runner.Start(ctx); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	if transport != nil {
		// A sync at start fills in people imported or hired since the last one; the job is
		// unique per hour, so replicas starting together sync once. A failure to enqueue is
		// not fatal: the daily schedule catches up.
		if res, err := jobs.EnqueueSlackSync(ctx, runner.Client(), "start"); err != nil {
			log.Warn("could not enqueue the Slack user sync", "err", err)
		} else if !res.UniqueSkippedAsDuplicate {
			log.Info("Slack user sync enqueued", "job_id", res.Job.ID)
		}
	}

	// Health and metrics listen on METRICS_ADDR (loopback by default), the Slack endpoints on
	// HTTP_ADDR: whoever reaches /slack/* reaches nothing else.
	ops := http.NewServeMux()
	ops.Handle("GET /healthz", health.Live())
	ops.Handle("GET /readyz", health.Ready(map[string]health.Check{
		"postgres": func(ctx context.Context) error { return postgres.Ping(ctx, d.pool) },
		"redis":    func(ctx context.Context) error { return redis.Ping(ctx, d.redis) },
	}, 3*time.Second))
	ops.Handle("GET /metrics", m.Handler())
	servers := []*listening{{name: "METRICS_ADDR", addr: cfg.MetricsAddr, handler: ops}}
	if transport != nil && cfg.SlackSigningSecret != "" {
		slackMux := http.NewServeMux()
		slackMux.Handle("/slack/", transport.Handler())
		servers = append(servers, &listening{name: "HTTP_ADDR", addr: cfg.HTTPAddr, handler: slackMux})
	}
	for _, l := range servers {
		if err := l.listen(); err != nil {
			for _, o := range servers {
				o.close()
			}
			_ = runner.Stop(context.WithoutCancel(ctx))
			return err
		}
	}
	var slackAddr string
	if len(servers) > 1 {
		slackAddr = servers[1].ln.Addr().String()
	}
	opsAddr := servers[0].ln.Addr().String()
	log.Info("serving", "metrics_addr", opsAddr, "slack_addr", slackAddr, "version", buildVersion(),
		"socket_mode", cfg.SlackAppToken != "", "http_slack", cfg.SlackSigningSecret != "")
	if e.ready != nil {
		e.ready(slackAddr, opsAddr)
	}

	// runCtx ends Socket Mode on a signal or when an HTTP server fails.
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	var wg sync.WaitGroup
	errc := make(chan error, len(servers)+1)
	for _, l := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("http server on %s: %w", l.name, err)
			}
		}()
	}
	if transport != nil && cfg.SlackAppToken != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := transport.RunSocketMode(runCtx); err != nil && runCtx.Err() == nil {
				errc <- fmt.Errorf("socket mode: %w", err)
			}
		}()
	}

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case runErr = <-errc:
		log.Error("stopping after a fatal error", "err", runErr)
	}

	// Stop taking work first (HTTP servers; Socket Mode stops with ctx), then let in-flight
	// command work and jobs finish, then close the pools (deferred).
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	stopRun()
	for _, l := range servers {
		if err := l.srv.Shutdown(stopCtx); err != nil {
			log.Warn("http shutdown", "addr", l.name, "err", err)
		}
	}
	if transport != nil {
		if err := transport.Shutdown(stopCtx); err != nil {
			log.Warn("slack shutdown", "err", err)
		}
	}
	if err := runner.Stop(stopCtx); err != nil {
		log.Warn("jobs shutdown", "err", err)
	}
	wg.Wait()
	log.Info("stopped")
	return runErr
}

// listening is one of serve's HTTP servers, named by the variable that sets its address.
type listening struct {
	name    string
	addr    string
	handler http.Handler
	ln      net.Listener
	srv     *http.Server
}

func (l *listening) listen() error {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return fmt.Errorf("listen on %s %s: %w", l.name, l.addr, err)
	}
	l.ln = ln
	l.srv = &http.Server{Handler: l.handler, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	return nil
}

// close releases the listener of a server that never started serving.
func (l *listening) close() {
	if l.ln != nil {
		_ = l.ln.Close()
	}
}
