package bot_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/survey"
)

const testSurveyKey = "bot-test-survey-key-0123456789abcdefghij"

// surveyBot is a core with the real survey store (k = 3), an admin "hr" (console and Slack
// UHR) and five console users p1…p5.
type surveyBot struct {
	b       *bot.Bot
	store   *postgres.Store
	surveys *postgres.SurveyStore
	admin   int64
	people  []int64
}

func newSurveyBot(t *testing.T, locale string) *surveyBot {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	surveys, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: 3, Keys: []string{testSurveyKey}})
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.NewStore(pool, postgres.WithSurveys(surveys))
	sb := &surveyBot{store: store, surveys: surveys,
		b: bot.New(bot.Config{Store: store, Importer: postgres.NewImporter(pool), SurveyAdmin: surveys, DefaultLocale: locale})}
	admin, err := store.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportConsole, ExternalID: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.GrantRole(ctx, 0, admin.ID, bot.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO employee_identities (transport, external_id, employee_id) VALUES ('slack', 'UHR', $1)`, admin.ID); err != nil {
		t.Fatal(err)
	}
	sb.admin = admin.ID
	for i := range 5 {
		e, err := store.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportConsole, ExternalID: fmt.Sprintf("p%d", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		sb.people = append(sb.people, e.ID)
	}
	return sb
}

func (sb *surveyBot) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := sb.store.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAdminImportSurveysInChat: a broken file lists every problem with its line and field and
// stores nothing; a good one makes version 1, an edited one version 2; "admin questionari"
// lists the templates with their versions, in Italian and English.
func TestAdminImportSurveysInChat(t *testing.T) {
	t.Parallel()
	sb := newSurveyBot(t, "it")
	dir := filepath.Join("..", "examples", "surveys")
	broken, err := os.ReadFile(filepath.Join(dir, "questionari-errati.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, "questionari.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	before := sb.count(t, `SELECT count(*) FROM survey_versions`)

	r := askWithFile(sb.b, "UHR", "admin importa questionari", string(broken))
	if !r.IsError || r.Text != "Importazione dei questionari annullata, nessuna modifica: ci sono 11 errori da correggere." {
		t.Fatalf("broken file: %q", r.Text)
	}
	if got := r.PlainText(); !strings.Contains(got, "Da correggere") ||
		!strings.Contains(got, "riga 13, surveys[1].questions[2].kind: tipo «scale» sconosciuto") ||
		strings.Count(got, "\nriga ") != 11 {
		t.Fatalf("broken file, the list: %s", got)
	}
	if n := sb.count(t, `SELECT count(*) FROM survey_versions`); n != before {
		t.Fatalf("a broken file stored %d versions", n-before)
	}
	r = askWithFile(sb.b, "UHR", "admin import surveys", string(broken))
	if !r.IsError || !strings.Contains(r.Text, "ci sono 11 errori") || !strings.Contains(r.PlainText(), "riga 25") {
		t.Fatalf("broken file, English words: %s", r.PlainText())
	}

	if r := ask(sb.b, "hr", "admin importa questionari"); !r.IsError || !strings.Contains(r.Text, "Manca il file dei questionari") {
		t.Fatalf("no file: %q", r.Text)
	}
	r = askWithFile(sb.b, "UHR", "admin importa questionari", string(good))
	if r.IsError || r.Text != "Questionari importati. Nel file: 1; nuovi: 1; nuove versioni: 0; invariati: 0." {
		t.Fatalf("good file: %q", r.Text)
	}
	edited := strings.Replace(string(good), "Dopo la giornata di formazione", "Dopo il corso di formazione", 1)
	// Pasted below the command, as Slack delivers it, in English words.
	r = ask(sb.b, "hr", "admin import surveys\n```"+edited+"```")
	if r.IsError || !strings.Contains(r.Text, "nuove versioni: 1") {
		t.Fatalf("edited file: %q", r.Text)
	}
	if n := sb.count(t, `SELECT count(*) FROM audit_log WHERE action = 'import.surveys' AND actor_id = $1`, sb.admin); n != 2 {
		t.Fatalf("%d audited imports by the admin, want 2", n)
	}

	r = ask(sb.b, "hr", "admin questionari")
	got := r.PlainText()
	for _, want := range []string{
		"Modelli dei questionari",
		"• formazione — Dopo il corso di formazione (inviato a mano): 2 versioni, l'ultima è la 2 con 4 domande",
		"v1 del ", "v2 del ",
		"• polso — Il polso del mese (polso mensile): una versione, 6 domande",
		"• chiusura-esterna — ",
	} {
		if !strings.Contains(strings.ReplaceAll(got, "*", ""), want) {
			t.Errorf("list lacks %q:\n%s", want, got)
		}
	}
	// English words, English reader.
	ask(sb.b, "hr", "profilo lingua=en")
	got = strings.ReplaceAll(ask(sb.b, "hr", "admin surveys").PlainText(), "*", "")
	if !strings.Contains(got, "• formazione — After the training day (sent by hand): 2 versions, the latest is 2 with 4 questions") ||
		!strings.Contains(got, "• polso — The monthly pulse (monthly pulse): one version, 6 questions") {
		t.Errorf("English list:\n%s", got)
	}
}

// TestAdminSurveyCommandsAreForAdmins: someone who is not an admin is refused politely, and
// nothing runs.
func TestAdminSurveyCommandsAreForAdmins(t *testing.T) {
	t.Parallel()
	sb := newSurveyBot(t, "it")
	for _, text := range []string{"admin questionari", "admin importa questionari", "admin esporta risposte dal=2026-01-01 al=2026-12-31",
		"admin export answers from=2026-01-01 to=2026-12-31"} {
		r := ask(sb.b, "p1", text)
		if !r.IsError || !strings.Contains(r.Text, "riservato al ruolo amministratore") || r.File != nil {
			t.Errorf("%s: %+v", text, r)
		}
	}
	if n := sb.count(t, `SELECT count(*) FROM audit_log WHERE action = 'export.answers'`); n != 0 {
		t.Fatalf("a refused export was run (%d)", n)
	}
}

// TestAdminExportAnswersInChat: the CSV as a private file; bad, missing and reversed dates
// explained in the reader's language; an empty range said; past the chat's cap, a pointer to
// the command line.
func TestAdminExportAnswersInChat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb := newSurveyBot(t, "it")
	inst, err := sb.surveys.CreateInstance(ctx, postgres.InstanceSpec{Template: "polso", Subject: "pulse:chat", Audience: sb.people})
	if err != nil {
		t.Fatal(err)
	}
	_, tpl, err := sb.surveys.LatestVersion(ctx, "polso")
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range sb.people[:4] {
		r := surveyResponse(tpl.Questions, 1+i, "")
		if err := sb.surveys.Submit(ctx, inst.ID, e, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sb.surveys.Release(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	today := time.Now().Format(time.DateOnly)
	r := ask(sb.b, "hr", "admin esporta risposte dal=2026-01-01 al="+time.Now().AddDate(0, 0, 1).Format(time.DateOnly))
	if r.IsError || r.File == nil || !r.Private || r.File.ContentType != "text/csv" || !strings.HasPrefix(r.File.Name, "cantieri-risposte-2026-01-01-") {
		t.Fatalf("export: %+v", r)
	}
	if !strings.Contains(r.Text, "Ecco le risposte anonime dal 01/01/2026 al ") || !strings.Contains(r.Text, ": 20 righe.") {
		t.Fatalf("export text: %q", r.Text)
	}
	recs, err := csv.NewReader(bytes.NewReader(r.File.Data)).ReadAll()
	if err != nil || len(recs) != 21 || !slices.Equal(recs[0], bot.AnswerColumns) {
		t.Fatalf("csv: %d records, %v\n%s", len(recs), err, r.File.Data)
	}
	for _, rec := range recs[1:] {
		if rec[0] != "polso" || rec[2] != "pulse:chat" || rec[8] != today {
			t.Fatalf("row %v", rec)
		}
	}

	for _, c := range []struct{ who, text, want string }{
		{"hr", "admin esporta risposte dal=31-13-2026 al=2026-12-31", "«31-13-2026» non è una data valida per «dal»: scrivila come 2026-01-31 oppure 31/01/2026."},
		{"hr", "admin esporta risposte dal=2026-01-01", "Manca «al»: indica il periodo con due date"},
		{"hr", "admin esporta risposte al=2026-01-01 dal=2026-02-01", "Il periodo è al contrario: il primo giorno (01/02/2026) viene dopo l'ultimo (01/01/2026)."},
		{"hr", "admin esporta", "Cosa devo esportare?"},
		{"hr", "admin esporta risposte dal=2020-01-01 al=2020-12-31", "Nessuna risposta rilasciata dal 01/01/2020 al 31/12/2020"},
	} {
		r := ask(sb.b, c.who, c.text)
		if !strings.Contains(r.Text, c.want) || r.File != nil {
			t.Errorf("%s: %q, want %q", c.text, r.Text, c.want)
		}
	}
	ask(sb.b, "hr", "profilo lingua=en")
	for _, c := range []struct{ text, want string }{
		{"admin export answers from=yesterday to=2026-12-31", "“yesterday” is not a valid date for “from”: write it as 2026-01-31 or 31/01/2026."},
		{"admin export answers to=2026-12-31", "“from” is missing: give the period as two dates"},
		{"admin export answers from=2026-03-01 to=2026-02-01", "The period is back to front: the first day (1 Mar 2026) comes after the last (1 Feb 2026)."},
	} {
		if r := ask(sb.b, "hr", c.text); !r.IsError || !strings.Contains(r.Text, c.want) {
			t.Errorf("%s: %q, want %q", c.text, r.Text, c.want)
		}
	}
	r = ask(sb.b, "hr", "admin export answers from=2026-01-01 to="+time.Now().AddDate(0, 0, 1).Format(time.DateOnly))
	if r.File == nil || !strings.Contains(r.Text, "Here are the anonymous answers from 1 Jan 2026 to ") || !strings.Contains(r.Text, ": 20 rows.") {
		t.Fatalf("English export: %q", r.Text)
	}

	// Past the cap: the rows of a big council, straight into the table.
	if _, err := sb.store.Pool().Exec(ctx, `INSERT INTO survey_answers (response, instance_id, version_id, question, released_on, value_int)
		SELECT gen_random_uuid(), $1, $2, 'collaborazione', date '2026-03-01', 3 FROM generate_series(1, $3)`,
		inst.ID, inst.VersionID, bot.MaxChatExportRows+1); err != nil {
		t.Fatal(err)
	}
	r = ask(sb.b, "hr", "admin export answers from=2026-03-01 to=2026-03-01")
	if !r.IsError || r.File != nil || !strings.Contains(r.Text, "there are more than 50,000 answers") ||
		!strings.Contains(r.Text, "`cantieri export answers --from 2026-03-01 --to 2026-03-01 FILE.csv`") {
		t.Fatalf("over the cap: %+v", r)
	}
}

// TestPrivacyExportShowsSurveysNotAnswers: the export says which surveys I was invited to,
// whether I answered and my reminders, with a note on why the answers are not there — and
// nothing of what I answered.
func TestPrivacyExportShowsSurveysNotAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb := newSurveyBot(t, "it")
	me := sb.people[0]
	pulse, err := sb.surveys.Open(ctx, postgres.InstanceSpec{Template: "polso", Subject: "pulse:2026-11", Audience: sb.people,
		About: bot.SurveyAbout{Kind: bot.AboutPulse, Name: "2026-11"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	meeting, err := sb.surveys.Open(ctx, postgres.InstanceSpec{Template: "incontro", Subject: "meeting:7:2026-11", Audience: sb.people[:3],
		About: bot.SurveyAbout{Kind: bot.AboutProgramme, ID: 7, Name: "Caffè tra uffici"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.store.Pool().Exec(ctx, `UPDATE survey_invitations SET reminders = 2 WHERE instance_id = $1 AND employee_id = $2`, meeting.ID, me); err != nil {
		t.Fatal(err)
	}
	_, tpl, _ := sb.surveys.LatestVersion(ctx, "polso")
	for i, e := range sb.people {
		text := ""
		if e == me {
			text = "il-mio-commento-segreto"
		}
		if err := sb.surveys.Submit(ctx, pulse.ID, e, surveyResponse(tpl.Questions, 1+i, text)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sb.surveys.Close(ctx, pulse.ID); err != nil {
		t.Fatal(err)
	}

	r := ask(sb.b, "p1", "privacy esporta")
	if r.IsError || r.File == nil {
		t.Fatalf("export: %+v", r)
	}
	var d bot.PersonalData
	if err := json.Unmarshal(r.File.Data, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Surveys) != 2 {
		t.Fatalf("surveys %+v", d.Surveys)
	}
	p, m := d.Surveys[0], d.Surveys[1]
	if p.InstanceID == meeting.ID {
		p, m = m, p
	}
	if p.Subject != "pulse:2026-11" || p.Template != "polso" || p.Title.IT != "Il polso del mese" || !p.Answered || !p.Closed ||
		p.Reminders != 0 || p.About != (bot.SurveyAbout{Kind: bot.AboutPulse, Name: "2026-11"}) || p.InvitedOn.IsZero() {
		t.Errorf("pulse %+v", p)
	}
	if m.Subject != "meeting:7:2026-11" || m.Answered || m.Closed || m.Reminders != 2 || m.About.Name != "Caffè tra uffici" {
		t.Errorf("meeting %+v", m)
	}
	if !strings.Contains(d.SurveysNote, "non le tue risposte") {
		t.Errorf("note %q", d.SurveysNote)
	}
	// Released, the answers are in the database — and nowhere in my export.
	if n := sb.count(t, `SELECT count(*) FROM survey_answers WHERE value_text = 'il-mio-commento-segreto'`); n != 1 {
		t.Fatalf("the comment was not released (%d)", n)
	}
	for _, leak := range []string{"il-mio-commento-segreto", "collaborazione", "value", "response"} {
		if strings.Contains(string(r.File.Data), leak) {
			t.Errorf("the export holds %q:\n%s", leak, r.File.Data)
		}
	}
	// Someone never invited has an empty list.
	r = ask(sb.b, "hr", "privacy esporta")
	if err := json.Unmarshal(r.File.Data, &d); err != nil || len(d.Surveys) != 0 {
		t.Fatalf("hr's surveys: %+v, %v", d.Surveys, err)
	}
}

// surveyResponse answers every question: Likert v, yes/no yes, the first option, and text
// (when not empty) in every text question.
func surveyResponse(qs []survey.Question, v int, text string) survey.Response {
	r := survey.Response{}
	for _, q := range qs {
		switch q.Kind {
		case survey.KindLikert:
			r[q.Key] = survey.Value{N: v}
		case survey.KindYesNo:
			r[q.Key] = survey.Value{N: survey.Yes}
		case survey.KindChoice:
			r[q.Key] = survey.Value{S: q.Options[0].Key}
		case survey.KindText:
			if text != "" {
				r[q.Key] = survey.Value{S: text}
			}
		}
	}
	return r
}
