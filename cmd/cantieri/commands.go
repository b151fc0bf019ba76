package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/config"
	"github.com/comune-prato/cantieri/internal/demo"
)

// usageError is a mistake in the command line: the command's usage follows it, exit code 2.
type usageError struct{ err error }

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

func usagef(format string, a ...any) error { return &usageError{fmt.Errorf(format, a...)} }

// exitCode ends the process with that code, the command having already said why.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit %d", int(c)) }

// usageTemplate is cobra's, in both languages, with the environment variables a command reads
// (its "env" annotation) listed after its flags.
const usageTemplate = `Uso / Usage:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} COMANDO/COMMAND{{end}}{{if gt (len .Aliases) 0}}

Alias / Aliases:
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Esempi / Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Comandi / Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Opzioni / Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Opzioni globali / Global flags:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{with index .Annotations "env"}}

Ambiente / Environment (anche da / also from .env; VARIABILE=predefinito / VARIABLE=default):
{{.}}{{end}}{{if .HasAvailableSubCommands}}

"{{.CommandPath}} COMANDO --help": dettagli / details.{{end}}
`

// Variables read by each command, for its help.
var (
	postgresVars = []string{"DATABASE_URL", "LOG_LEVEL"}
	coreVars     = []string{"DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "BOT_LOCALE", "BOT_TIMEZONE", "LOG_LEVEL",
		"ORG_DEPARTMENT_TYPE", "PROJECT_INDICATOR_STALE_DAYS", "LOCAL_HOLIDAYS"}
)

// envHelp documents variables for a command's help, from config.Variables.
func envHelp(names ...string) map[string]string {
	var b strings.Builder
	for i, n := range names {
		v, ok := config.Lookup(n)
		if !ok {
			panic("envHelp: undocumented variable " + n) // caught by every test that runs a command
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "  %s=%s\n      %s", v.Name, v.Default, v.Help)
	}
	return map[string]string{"env": b.String()}
}

func allVars() []string {
	names := make([]string, len(config.Variables))
	for i, v := range config.Variables {
		names[i] = v.Name
	}
	return names
}

// noArgs refuses arguments as a usage mistake.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("argomento inatteso / unexpected argument %q", args[0])
	}
	return nil
}

// commands builds the command tree; run executes it.
func (e env) commands() *cobra.Command {
	root := &cobra.Command{
		Use:   "cantieri",
		Short: "Cantieri: il bot Slack per lavorare per progetti tra uffici / the Slack bot for cross-department projects",
		Long: `Cantieri: il bot Slack per lavorare per progetti tra uffici diversi del Comune.
Cantieri: the Slack bot for working by project across the council's departments.

La configurazione viene dall'ambiente e da .env (l'ambiente vince); ogni comando elenca le
variabili che legge. Configuration comes from the environment and .env (the environment wins);
each command lists the variables it reads.

Codici di uscita / exit codes: 0 fatto (o aiuto) / done (or help), 1 errore / failure,
2 uso sbagliato / usage mistake.`,
		Version:       buildVersion(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.ArbitraryArgs,
		// The root runs only when no known command was given.
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("manca il comando / missing command")
			}
			msg := fmt.Sprintf("comando sconosciuto / unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (forse / did you mean %s?)", strings.Join(s, ", "))
			}
			return usagef("%s", msg)
		},
	}
	root.SetUsageTemplate(usageTemplate)
	root.SetVersionTemplate("cantieri {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.CompletionOptions.DisableDefaultCmd = true

	root.AddCommand(
		&cobra.Command{
			Use:   "serve",
			Short: "avvia il bot (Slack Socket Mode e/o HTTP, job durevoli) / runs the bot",
			Long: `Avvia il bot: Slack in Socket Mode (SLACK_APP_TOKEN) e/o HTTP (SLACK_SIGNING_SECRET, su
HTTP_ADDR, solo /slack/*), i job durevoli, e /healthz, /readyz, /metrics su METRICS_ADDR.
Applica le migrazioni all'avvio. SIGINT/SIGTERM lo fermano con calma.

Runs the bot: Slack over Socket Mode (SLACK_APP_TOKEN) and/or HTTP (SLACK_SIGNING_SECRET, on
HTTP_ADDR, /slack/* only), the durable jobs, and /healthz, /readyz, /metrics on METRICS_ADDR.
Applies the migrations at start. SIGINT/SIGTERM stop it gracefully.`,
			Args:        noArgs,
			Annotations: envHelp(allVars()...),
			RunE:        func(cmd *cobra.Command, _ []string) error { return e.serve(cmd.Context()) },
		},
		e.consoleCommand(),
		&cobra.Command{
			Use:   "migrate",
			Short: "applica le migrazioni del database / applies the database migrations",
			Long: `Applica le migrazioni (lo schema di Cantieri e quello di River) e esce. serve, console,
import e seed le applicano comunque all'avvio. Applies the migrations (Cantieri's schema and
River's) and exits; serve, console, import and seed apply them at start anyway.`,
			Args:        noArgs,
			Annotations: envHelp(postgresVars...),
			RunE:        func(cmd *cobra.Command, _ []string) error { return e.migrate(cmd.Context()) },
		},
		e.importCommand(),
		e.exportCommand(),
		&cobra.Command{
			Use:     "ruolo EMAIL|@HANDLE|SLACK_ID RUOLO [UNITÀ…]",
			Aliases: []string{"role"},
			Short:   "assegna un ruolo (il primo admin) / assigns a role (the first admin)",
			Long: `Assegna un ruolo: coordinatore, dirigente (con i codici delle unità che dirige) o admin. Serve
per il primo admin, che poi assegna i ruoli in chat. Assigns a role: coordinatore, dirigente
(with the codes of the units it heads) or admin; for the first admin, who then assigns roles in
chat.`,
			Example: `  cantieri ruolo laura@comune.example.it admin
  cantieri ruolo @giulia.cecchi dirigente A01-S02`,
			Args: func(_ *cobra.Command, args []string) error {
				if len(args) < 2 {
					return usagef("servono la persona e il ruolo / give the person and the role")
				}
				return nil
			},
			Annotations: envHelp(coreVars...),
			RunE:        func(cmd *cobra.Command, args []string) error { return e.role(cmd.Context(), args) },
		},
		e.seedCommand(),
		&cobra.Command{
			Use:   "health",
			Short: "controlla un serve in esecuzione (healthcheck del container) / checks a running serve",
			Long: `Chiede /healthz (o /readyz con --ready) al serve in ascolto su METRICS_ADDR ed esce con 0 se
risponde 200, altrimenti 1: è l'healthcheck dell'immagine Docker, che non ha una shell.
Asks the serve listening on METRICS_ADDR for /healthz (or /readyz with --ready) and exits 0 on
a 200, else 1: the Docker image's healthcheck (the image has no shell).`,
			Args:        noArgs,
			Annotations: envHelp("METRICS_ADDR"),
			RunE: func(cmd *cobra.Command, _ []string) error {
				ready, _ := cmd.Flags().GetBool("ready")
				return e.health(cmd.Context(), ready)
			},
		},
		&cobra.Command{
			Use:   "version",
			Short: "stampa la versione / prints the version",
			Args:  noArgs,
			Run: func(cmd *cobra.Command, _ []string) {
				fmt.Fprintf(cmd.OutOrStdout(), "cantieri %s\n", buildVersion())
			},
		},
	)
	for _, c := range root.Commands() {
		if c.Name() == "health" {
			c.Flags().Bool("ready", false, "controlla /readyz (PostgreSQL e Redis raggiungibili) / check /readyz (PostgreSQL and Redis reachable)")
		}
	}
	return root
}

func (e env) consoleCommand() *cobra.Command {
	var as string
	c := &cobra.Command{
		Use:   "console --as HANDLE",
		Short: "parla con il bot dal terminale / talks to the bot in the terminal",
		Long: `Parla con il bot dal terminale come l'utente locale HANDLE (creato al primo uso), con lo
stesso PostgreSQL, Redis e job di serve. Scrivi ciò che scriveresti dopo /cantieri; "esci" esce.
Con lo stdin da una pipe non stampa prompt ed esce a fine input.

Talks to the bot in the terminal as the local user HANDLE (created on first use), with the same
PostgreSQL, Redis and jobs as serve. Type what you would type after /cantieri; "esci" quits.
With stdin piped it prints no prompts and exits at the end of input.`,
		Example: `  cantieri console --as mario.rossi
  printf 'profilo\nopportunita\n' | cantieri console --as mario.rossi`,
		Args:        noArgs,
		Annotations: envHelp(coreVars...),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if as == "" {
				return usagef("--as HANDLE è obbligatorio / is required, e.g. cantieri console --as mario.rossi")
			}
			return e.console(cmd.Context(), as)
		},
	}
	c.Flags().StringVar(&as, "as", "", "l'utente locale con cui parlare (creato al primo uso) / the local user to talk as (created on first use)")
	return c
}

func (e env) importCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "import TIPO FILE",
		Aliases: []string{"importa"},
		Short:   "importa l'organizzazione da CSV o i questionari da YAML / imports the organisation (CSV) or survey templates (YAML)",
		Long: `Importa un file CSV (FILE "-" = stdin). TIPO / KIND: sedi|sites, unita|units,
competenze|skills, obiettivi|objectives, dipendenti|employees — in quest'ordine / in this order.
Formati / formats: docs/import.md. Un file con errori non cambia nulla ed esce con 1; reimportare
lo stesso file non cambia nulla. A file with errors changes nothing and exits 1; importing the
same file again changes nothing.

questionari|surveys FILE.yaml: i modelli dei questionari (docs/surveys.md); un modello cambiato
diventa una nuova versione. Survey templates (docs/surveys.md); a changed template becomes a new
version.`,
		Example: `  cantieri import sites examples/import/sites.csv
  cantieri import units examples/import/units.csv
  cantieri import skills examples/import/skills.csv
  cantieri import objectives examples/import/objectives.csv
  cantieri import employees examples/import/employees.csv
  cantieri import questionari examples/surveys/questionari.yaml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("servono TIPO e FILE / give KIND and FILE")
			}
			if _, ok := bot.ParseImportKind(args[0]); !ok && !isSurveysKind(args[0]) {
				return usagef("tipo sconosciuto / unknown kind %q", args[0])
			}
			return nil
		},
		Annotations: envHelp("DATABASE_URL", "BOT_LOCALE", "LOG_LEVEL", "SURVEY_MIN_RESPONDENTS", "SURVEY_KEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if isSurveysKind(args[0]) {
				return e.importSurveys(cmd.Context(), args[1])
			}
			kind, _ := bot.ParseImportKind(args[0])
			return e.importCSV(cmd.Context(), kind, args[1])
		},
	}
}

func (e env) seedCommand() *cobra.Command {
	seed := &cobra.Command{
		Use:   "seed demo",
		Short: "riempie un database vuoto con un comune dimostrativo / fills an empty database with a demo council",
		Args:  cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("manca / missing: demo")
			}
			return usagef("sconosciuto / unknown %q: cantieri seed demo", args[0])
		},
	}
	var (
		employees int
		seedN     uint64
		ifNeeded  bool
	)
	demoCmd := &cobra.Command{
		Use:   "demo",
		Short: "riempie un database VUOTO con un comune dimostrativo / fills an EMPTY database with a demo council",
		Long: `Riempie un database VUOTO con un comune dimostrativo: sedi, unità, competenze, obiettivi,
dipendenti, dirigenti e un admin, e dice con chi provare la console. Rifiuta (uscita 1) un
database che ha già un'organizzazione; con --if-needed un database che contiene già il comune
dimostrativo va bene così (uscita 0, nulla cambia).

Fills an EMPTY database with a demo council (sites, units, skills, objectives, employees,
dirigenti and an admin) and says whom to try the console as. Refuses (exit 1) a database that
already has an organisation; with --if-needed, one that already holds the demo council is fine
(exit 0, nothing changes).`,
		Args:        noArgs,
		Annotations: envHelp(coreVars...),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if employees < demo.MinEmployees || employees > demo.MaxEmployees {
				return usagef("--employees: da / from %d a / to %d", demo.MinEmployees, demo.MaxEmployees)
			}
			err := e.seedDemo(cmd.Context(), employees, seedN)
			if ifNeeded && errors.Is(err, errDemoThere) {
				fmt.Fprintln(e.stdout, "Il comune demo c'è già: non cambio nulla / the demo council is already there: nothing changed")
				return nil
			}
			return err
		},
	}
	demoCmd.Flags().IntVar(&employees, "employees", demo.DefaultEmployees, "quanti dipendenti / how many employees")
	demoCmd.Flags().Uint64Var(&seedN, "seed", 1, "seme casuale: lo stesso seme dà lo stesso comune / random seed: the same seed gives the same council")
	demoCmd.Flags().BoolVar(&ifNeeded, "if-needed", false, "se il comune demo c'è già, va bene così / if the demo council is already there, keep it (exit 0)")
	seed.AddCommand(demoCmd)
	return seed
}
