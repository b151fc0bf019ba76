// Command cantieri is the one binary of the Cantieri bot:
//
//	cantieri serve                 run the bot (Slack Socket Mode and/or HTTP, durable jobs)
//	cantieri console --as HANDLE   talk to the bot in the terminal, as the local user HANDLE
//	cantieri migrate               apply the database migrations (ours and River's)
//	cantieri import KIND FILE.csv  import sites, units, skills, objectives or employees
//	cantieri seed demo             fill an empty database with a synthetic council
//	cantieri ruolo WHO ROLE        assign a role (the first admin)
//	cantieri health [--ready]      check a running serve (the container's healthcheck)
//	cantieri version               print the version
//
// Every command answers --help; the exit code is 0 when done, 1 on failure, 2 on a usage
// mistake.
//
// Configuration comes from the environment and from .env when present (see README.md). This
// package only wires the parts together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	_ "time/tzdata" // time zones without the OS database (the container image has none)

	"github.com/comune-prato/cantieri/internal/config"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise the module's.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := env{getenv: os.Getenv, dotenv: true, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		stdinIsTerminal: isTerminal(os.Stdin)}
	os.Exit(e.run(ctx, os.Args[1:]))
}

// env is what a subcommand runs with; tests build their own.
type env struct {
	getenv func(string) string
	// dotenv loads .env first (the real process; tests pass their own environment).
	dotenv bool
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// stdinIsTerminal decides whether the console prints prompts.
	stdinIsTerminal bool
	// ready, if set, is called by serve with the addresses it listens on once it does (tests
	// use :0): the Slack endpoints' ("" without SLACK_SIGNING_SECRET), and health and metrics'.
	ready func(slackAddr, metricsAddr string)
}

// run executes one subcommand and returns the process exit code: 0 done (or help shown), 1
// failed, 2 a usage mistake (the usage of the command is printed on stderr).
func (e env) run(ctx context.Context, args []string) int {
	root := e.commands()
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	var (
		usage *usageError
		code  exitCode
	)
	switch {
	case errors.As(err, &code):
		return int(code) // the command has said why
	case errors.As(err, &usage):
		fmt.Fprintf(e.stderr, "%s: %v\n\n%s", cmd.CommandPath(), err, cmd.UsageString())
		return 2
	default:
		fmt.Fprintf(e.stderr, "%s: %v\n", cmd.CommandPath(), err)
		return 1
	}
}

// loadConfig reads .env (without overriding the environment) and the configuration.
func (e env) loadConfig() (config.Config, error) {
	if e.dotenv {
		if err := config.LoadDotEnv(".env"); err != nil {
			return config.Config{}, err
		}
	}
	return config.Load(e.getenv)
}

// logger writes structured logs to stderr, JSON when serving (for collectors), text otherwise.
func (e env) logger(cfg config.Config, json bool) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if json {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " " + s.Value[:12]
			}
		}
		return v + " " + bi.GoVersion
	}
	return "(devel)"
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
