package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
)

func (e env) exportCommand() *cobra.Command {
	export := &cobra.Command{
		Use:     "export risposte --dal AAAA-MM-GG --al AAAA-MM-GG FILE.csv",
		Aliases: []string{"esporta"},
		Short:   "esporta le risposte anonime ai questionari in CSV / exports the anonymous survey answers as CSV",
		Args:    cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("manca / missing: risposte (answers)")
			}
			return usagef("sconosciuto / unknown %q: cantieri export risposte", args[0])
		},
	}
	var from, to string
	answers := &cobra.Command{
		Use:     "risposte --dal AAAA-MM-GG --al AAAA-MM-GG FILE.csv",
		Aliases: []string{"answers"},
		Short:   "le risposte anonime rilasciate in un periodo, in CSV / the anonymous answers released in a period, as CSV",
		Long: `Scrive in FILE.csv (un file nuovo: uno esistente non viene toccato; "-" = standard output) le
risposte anonime rilasciate tra --dal e --al (giorni inclusi), una riga per risposta a una
domanda: questionario, versione, istanza, domanda, tipo, risposta (pseudonimo valido solo in
questo file), reparto (dove conservato), giorno, valore, testo. I testi liberi escono senza
pseudonimo, reparto né giorno, e solo in gruppi di almeno k. Colonne e scelte: docs/surveys.md.
Scrive mentre legge: la memoria non cresce con il numero di righe.

Writes to FILE.csv (a new file: an existing one is left alone; "-" = standard output) the
anonymous answers released from --from to --to (both days included), one row per answer to a
question: survey, version, instance, question, kind, response (a pseudonym valid in this file
only), department (where kept), day, value, text. Free text comes without pseudonym,
department or day, and only in groups of at least k. Columns and choices: docs/surveys.md. It
writes as it reads: memory does not grow with the number of rows.`,
		Example: `  cantieri export risposte --dal 2026-01-01 --al 2026-12-31 risposte-2026.csv
  cantieri export answers --from 2026-01-01 --to 2026-06-30 - | gzip > answers.csv.gz`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("serve un FILE (o \"-\") / give one FILE (or \"-\")")
			}
			return nil
		},
		Annotations: envHelp("DATABASE_URL", "BOT_LOCALE", "LOG_LEVEL", "SURVEY_MIN_RESPONDENTS"),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := exportRange(from, to)
			if err != nil {
				return err
			}
			return e.exportAnswers(cmd.Context(), q, args[0])
		},
	}
	// --from and --to are the English names of the same flags (the same variables).
	answers.Flags().StringVar(&from, "dal", "", "primo giorno (incluso), AAAA-MM-GG")
	answers.Flags().StringVar(&from, "from", "", "first day (included), YYYY-MM-DD")
	answers.Flags().StringVar(&to, "al", "", "ultimo giorno (incluso), AAAA-MM-GG")
	answers.Flags().StringVar(&to, "to", "", "last day (included), YYYY-MM-DD")
	export.AddCommand(answers)
	return export
}

// exportRange checks --dal and --al: both given, both days, the first not after the second.
func exportRange(from, to string) (bot.AnswerExport, error) {
	var q bot.AnswerExport
	for _, f := range []struct {
		it, en, value string
		day           *time.Time
	}{{"dal", "from", from, &q.From}, {"al", "to", to, &q.To}} {
		if f.value == "" {
			return q, usagef("manca --%s / missing --%s: un giorno come / a day like 2026-01-31", f.it, f.en)
		}
		d, ok := bot.ParseDate(f.value)
		if !ok {
			return q, usagef("--%s %q non è una data valida / --%s %q is not a valid date: scrivi / write AAAA-MM-GG / YYYY-MM-DD, es. / e.g. 2026-01-31",
				f.it, f.value, f.en, f.value)
		}
		*f.day = d
	}
	if q.To.Before(q.From) {
		return q, usagef("--dal %s è dopo --al %s / --from %s is after --to %s",
			q.From.Format(time.DateOnly), q.To.Format(time.DateOnly), q.From.Format(time.DateOnly), q.To.Format(time.DateOnly))
	}
	return q, nil
}

// exportAnswers runs "cantieri export risposte": it streams the answers into path, created new
// with mode 0600 (O_EXCL: an existing file, or a link planted at that name, is never written
// through), or to standard output for "-". A failed export removes the partial file. The count
// goes to standard output, or to standard error when the CSV is there.
func (e env) exportAnswers(ctx context.Context, q bot.AnswerExport, path string) (err error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	if e.getenv("LOG_LEVEL") == "" {
		cfg.LogLevel = "warn" // the count is the output; migrations need not chat
	}
	// The export reads released answers only: no key opens anything here.
	store, closeStore, err := e.openSurveyStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()

	var out io.Writer = e.stdout
	report := e.stdout
	if path == "-" {
		report = e.stderr
	} else {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			fmt.Fprintf(e.stderr, "%s esiste già: non lo sovrascrivo, scegli un altro nome / already exists: not overwritten, choose another name\n", path)
			return exitCode(1)
		}
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				_ = os.Remove(path)
			}
		}()
		out = f
	}
	buf := bufio.NewWriterSize(out, 64<<10)
	w, err := bot.NewAnswerCSV(buf)
	if err != nil {
		return err
	}
	n, err := store.ExportAnswers(ctx, q, w.Write)
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintln(report, i18n.T(cfg.Locale, "feedback.export.cli_done", "n", n, "file", path,
		"from", q.From.Format(time.DateOnly), "to", q.To.Format(time.DateOnly)))
	return nil
}
