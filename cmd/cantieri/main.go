// Command cantieri is the one binary of the Cantieri bot:
//
//	cantieri serve                 run the bot (Slack Socket Mode and/or HTTP, durable jobs)
//	cantieri console --as HANDLE   talk to the bot in the terminal, as the local user HANDLE
//	cantieri migrate               apply the database migrations (ours and River's)
//	cantieri import KIND FILE.csv  import sites, units, skills, objectives or employees
//	cantieri seed demo             fill an empty database with a synthetic council
//	cantieri ruolo WHO ROLE        assign a role (the first admin)
//	cantieri version               print the version
//
// Configuration comes from the environment and from .env when present (see README.md). This
// package only wires the parts together.
package main

import (
	"context"
	"flag"
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
	// ready, if set, is called by serve with the HTTP address once it listens (tests use :0).
	ready func(addr string)
}

const usage = `Uso / Usage: cantieri <comando>

  serve                  avvia il bot (Slack Socket Mode e/o HTTP, job durevoli)
                         runs the bot (Slack Socket Mode and/or HTTP, durable jobs)
  console --as HANDLE    parla con il bot dal terminale come utente HANDLE
                         talk to the bot in the terminal as user HANDLE
  migrate                applica le migrazioni del database / applies database migrations
  import TIPO FILE.csv   importa sedi|unita|competenze|obiettivi|dipendenti da CSV
                         imports sites|units|skills|objectives|employees from CSV
  ruolo EMAIL|@HANDLE RUOLO [UNITÀ…]
                         assegna un ruolo (il primo admin) / assigns a role (the first admin)
  seed demo [--employees N] [--seed S]
                         riempie un database vuoto con un comune dimostrativo
                         fills an empty database with a demo council
  version                stampa la versione / prints the version
`

// run executes one subcommand and returns the process exit code.
func (e env) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "version", "--version", "-v":
		fmt.Fprintf(e.stdout, "cantieri %s\n", buildVersion())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return 0
	case "migrate":
		err = e.migrate(ctx)
	case "console":
		fs := flag.NewFlagSet("console", flag.ContinueOnError)
		fs.SetOutput(e.stderr)
		as := fs.String("as", "", "the local user to talk as (created on first use)")
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		if *as == "" {
			fmt.Fprintln(e.stderr, "console: --as HANDLE is required, e.g. cantieri console --as mario")
			return 2
		}
		err = e.console(ctx, *as)
	case "serve":
		err = e.serve(ctx)
	case "ruolo", "role":
		err = e.role(ctx, args[1:])
	case "import", "importa":
		return e.importCommand(ctx, args[1:])
	case "seed":
		return e.seedCommand(ctx, args[1:])
	default:
		fmt.Fprintf(e.stderr, "cantieri: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "cantieri %s: %v\n", args[0], err)
		return 1
	}
	return 0
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
