package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
)

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// feedbackFixture is the team fixture (Gina, Paolo, Greta, Bruno, Aldo, Sara, Piena, carla
// and luca, with console handles) with a bot that answers surveys, k = 3, and every log line
// the bot writes, at every level, kept in logs.
type feedbackFixture struct {
	teamFixture
	surveys *postgres.SurveyStore
	logs    *syncBuffer
}

func newFeedbackFixture(t *testing.T) feedbackFixture {
	t.Helper()
	f := newTeamFixture(t)
	ss, err := postgres.NewSurveyStore(f.store.Pool(), postgres.SurveyConfig{MinRespondents: 3, Keys: []string{strings.Repeat("k", 40)}})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	f.b = bot.New(bot.Config{Store: f.store, Projects: f.store, Teams: f.store, Surveys: ss, DefaultLocale: "it",
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	return feedbackFixture{teamFixture: f, surveys: ss, logs: logs}
}

// open opens an instance of template for the people named (their display names).
func (f feedbackFixture) open(t *testing.T, template, subject string, closes time.Time, who ...string) int64 {
	t.Helper()
	var ids []int64
	for _, w := range who {
		id, ok := f.ids[w]
		if !ok {
			t.Fatalf("nobody called %s", w)
		}
		ids = append(ids, id)
	}
	o, err := f.surveys.Open(context.Background(), postgres.InstanceSpec{Template: template, Subject: subject, Audience: ids,
		ClosesAt: closes, About: bot.SurveyAbout{Kind: bot.AboutProgramme, ID: 1, Name: "Caffè tra uffici"}}, nil)
	if err != nil || !o.Created || o.Invited != len(ids) {
		t.Fatalf("open %s: %+v %v", subject, o, err)
	}
	return o.ID
}

func (f feedbackFixture) submit(who string, id int64, values map[string]string) bot.Reply {
	return f.b.Handle(context.Background(), bot.Request{
		From:   bot.Identity{Transport: bot.TransportConsole, ExternalID: who, DisplayName: who},
		Source: bot.SourceForm, Text: fmt.Sprintf("valuta %d", id), Values: values,
	})
}

func wantNot(t *testing.T, what, got string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(got, u) {
			t.Errorf("%s has %q:\n%s", what, u, got)
		}
	}
}

func TestFeedbackListsMyOpenUnansweredSurveys(t *testing.T) {
	t.Parallel()
	f := newFeedbackFixture(t)
	ctx := context.Background()
	soon := f.open(t, "incontro", "m:soon", time.Now().Add(26*time.Hour), "Gina", "Paolo")
	undated := f.open(t, "chiusura-esterna", "m:undated", time.Time{}, "Gina")
	notMine := f.open(t, "polso", "m:paolo", time.Now().Add(48*time.Hour), "Paolo")
	closed := f.open(t, "incontro", "m:closed", time.Now().Add(48*time.Hour), "Gina")
	past := f.open(t, "incontro", "m:past", time.Now().Add(-time.Hour), "Gina")
	answered := f.open(t, "incontro", "m:answered", time.Now().Add(48*time.Hour), "Gina", "Paolo")
	if _, err := f.surveys.Close(ctx, closed); err != nil {
		t.Fatal(err)
	}
	if r := ask(f.b, "gina", fmt.Sprintf("valuta %d utilita=5 altro-ufficio=sì nuovo-contatto=sì", answered)); r.IsError {
		t.Fatalf("answer: %s", r.Text)
	}

	r := ask(f.b, "gina", "valuta")
	txt := r.PlainText()
	wantText(t, "list", txt, "I tuoi questionari", "Ci sono 2 questionari che aspettano la tua risposta.",
		fmt.Sprintf("n. %d — Com'è andato l'incontro tra uffici", soon), "Sugli incontri di scambio di «Caffè tra uffici»",
		"4 domande · si può rispondere fino al ", fmt.Sprintf("n. %d — Valutazione finale del progetto (valutatori esterni)", undated),
		"6 domande\n", "Negli ultimi 90 giorni hai risposto a un questionario: grazie.", "Le risposte sono anonime")
	if strings.Index(txt, fmt.Sprintf("n. %d ", soon)) > strings.Index(txt, fmt.Sprintf("n. %d ", undated)) {
		t.Errorf("the survey closing soonest should come first:\n%s", txt)
	}
	for _, id := range []int64{notMine, closed, past, answered} {
		wantNot(t, "list", txt, fmt.Sprintf("n. %d ", id))
	}
	if !r.Private || len(r.Choices) != 2 || r.Choices[0].Command != fmt.Sprintf("valuta %d", soon) ||
		r.Choices[0].Label != fmt.Sprintf("Rispondi al n. %d", soon) || r.Choices[1].Command != fmt.Sprintf("valuta %d", undated) {
		t.Errorf("private %v, choices %+v", r.Private, r.Choices)
	}

	// Nothing pending: a kind sentence, no buttons.
	if r := ask(f.b, "luca", "valuta"); r.IsError || len(r.Choices) != 0 ||
		!strings.Contains(r.Text, "Non hai questionari in attesa di risposta. Grazie") {
		t.Errorf("luca: %+v", r)
	}

	// The start page names them, with a button to the list; nothing for luca.
	home := ask(f.b, "gina", "home")
	wantText(t, "home", home.PlainText(), "Questionari\n2 questionari aspettano la tua risposta (anonima):",
		fmt.Sprintf("• n. %d — Com'è andato l'incontro tra uffici (`valuta %d`)", soon, soon))
	hasList := false
	for _, ch := range home.Choices {
		hasList = hasList || ch.Command == "valuta"
	}
	if !hasList {
		t.Errorf("home choices %+v lack the surveys", home.Choices)
	}
	wantNot(t, "luca's home", ask(f.b, "luca", "home").PlainText(), "Questionari")

	// In English, with the English command word on the buttons.
	f.ask(t, "profilo") // carla exists; gina switches language
	if r := ask(f.b, "gina", "profilo lingua=en"); r.IsError {
		t.Fatal(r.Text)
	}
	r = ask(f.b, "gina", "feedback")
	wantText(t, "English list", r.PlainText(), "Your surveys", "2 surveys are waiting for your answer.",
		fmt.Sprintf("no. %d — How the exchange meeting went", soon), "On the exchange meetings of «Caffè tra uffici»",
		"4 questions · open until ", "In the last 90 days you answered one survey: thank you.")
	if len(r.Choices) != 2 || r.Choices[0].Command != fmt.Sprintf("feedback %d", soon) || r.Choices[0].Label != fmt.Sprintf("Answer no. %d", soon) {
		t.Errorf("English choices %+v", r.Choices)
	}
}

func TestFeedbackFormIsBuiltFromTheTemplate(t *testing.T) {
	t.Parallel()
	f := newFeedbackFixture(t)
	id := f.open(t, "incontro", "m:1", time.Now().Add(48*time.Hour), "Gina")
	r := ask(f.b, "gina", fmt.Sprintf("valuta %d", id))
	if r.IsError || r.Form == nil || !r.Private {
		t.Fatalf("no form: %+v", r)
	}
	wantText(t, "intro", r.Text, "*Com'è andato l'incontro tra uffici*", "Sugli incontri di scambio di «Caffè tra uffici»",
		"Le risposte sono anonime", "quando hanno risposto almeno 3 persone", "Si può rispondere fino al ")
	fm := r.Form
	if fm.Title != "Questionario" || fm.SubmitLabel != "Invia" || fm.Submit != fmt.Sprintf("valuta %d", id) || len(fm.Fields) != 4 {
		t.Fatalf("form %+v", fm)
	}
	likert, yes, text := fm.Fields[0], fm.Fields[1], fm.Fields[3]
	if likert.Name != "utilita" || likert.Kind != bot.FieldSelect || !likert.Required || likert.Label != "1. Quanto ti è stato utile l'incontro?" ||
		len(likert.Options) != 5 || likert.Options[0] != (bot.Option{Value: "1", Label: "1 — Per niente utile"}) ||
		likert.Options[2] != (bot.Option{Value: "3", Label: "3"}) || likert.Options[4] != (bot.Option{Value: "5", Label: "5 — Molto utile"}) {
		t.Errorf("Likert field %+v", likert)
	}
	if yes.Name != "altro-ufficio" || yes.Kind != bot.FieldSelect || len(yes.Options) != 2 || yes.Options[0].Label != "Sì" || yes.Options[1].Label != "No" {
		t.Errorf("yes/no field %+v", yes)
	}
	if text.Name != "idea" || text.Kind != bot.FieldTextArea || text.Required || text.MaxLength != 500 {
		t.Errorf("text field %+v", text)
	}

	// A choice question's options in the reader's language; the form in English.
	ext := f.open(t, "chiusura-esterna", "m:ext", time.Time{}, "Gina")
	ask(f.b, "gina", "profilo lingua=en")
	r = ask(f.b, "gina", fmt.Sprintf("feedback %d", ext))
	if r.Form == nil || r.Form.Title != "Survey" || r.Form.SubmitLabel != "Send" || r.Form.Submit != fmt.Sprintf("feedback %d", ext) {
		t.Fatalf("English form %+v", r.Form)
	}
	wantText(t, "English intro", r.Text, "*Final evaluation of the project (external evaluators)*", "once at least 3 people have answered")
	choice := r.Form.Fields[3]
	if choice.Name != "replicabilita-tecnica" || choice.Kind != bot.FieldSelect || len(choice.Options) != 4 ||
		choice.Options[1] != (bot.Option{Value: "adattata", Label: "Yes, with adaptations"}) {
		t.Errorf("choice field %+v", choice)
	}
	if l := r.Form.Fields[0].Options[0].Label; l != "1 — Not at all" {
		t.Errorf("English Likert end %q", l)
	}
}

// Answers typed in chat and given by a form are recorded once; a second submission keeps the
// first and says so; the answers released at the close are the first ones.
func TestFeedbackAnswersAreRecordedOnceAndTheFirstIsKept(t *testing.T) {
	t.Parallel()
	f := newFeedbackFixture(t)
	ctx := context.Background()
	id := f.open(t, "incontro", "m:1", time.Now().Add(48*time.Hour), "Gina", "Paolo", "Greta")
	other := f.open(t, "polso", "m:pulse", time.Now().Add(48*time.Hour), "Gina")

	r := ask(f.b, "gina", fmt.Sprintf(`valuta %d utilita=4 altro-ufficio=sì nuovo-contatto=no idea="Un archivio comune"`, id))
	if r.IsError || !r.Private {
		t.Fatalf("typed answer: %+v", r)
	}
	wantText(t, "thanks", r.Text, "Grazie! La tua risposta è registrata in forma anonima", "quando avranno risposto almeno 3 persone",
		"Hai ancora un questionario a cui rispondere.")
	wantNot(t, "thanks", r.PlainText(), "archivio")
	if len(r.Choices) != 1 || r.Choices[0].Command != "valuta" {
		t.Errorf("thanks choices %+v", r.Choices)
	}
	// By the form's values (what Slack and the console send): labels and English words too.
	if r := f.submit("paolo", id, map[string]string{"utilita": "4 — Molto", "altro-ufficio": "Yes", "nuovo-contatto": "false", "idea": ""}); r.IsError {
		t.Fatalf("form answer: %s", r.Text)
	}
	if r := f.submit("greta", id, map[string]string{"utilita": "4", "altro-ufficio": "si", "nuovo-contatto": "no"}); r.IsError {
		t.Fatalf("form answer: %s", r.Text)
	}

	// Gina again, by form and typed: the first answer stays, nothing else is stored.
	for _, again := range []bot.Reply{
		f.submit("gina", id, map[string]string{"utilita": "1", "altro-ufficio": "no", "nuovo-contatto": "sì"}),
		ask(f.b, "gina", fmt.Sprintf("valuta %d utilita=1 altro-ufficio=no nuovo-contatto=sì", id)),
		ask(f.b, "gina", fmt.Sprintf("valuta %d", id)),
	} {
		wantText(t, "second answer", again.Text, "Hai già risposto al questionario «Com'è andato l'incontro tra uffici»: tengo la prima risposta")
		if again.Form != nil {
			t.Errorf("a second answer was offered the form")
		}
	}
	if n := f.count(t, `SELECT count(*) FROM survey_pending WHERE instance_id = $1`, id); n != 3 {
		t.Fatalf("%d pending answers, want 3", n)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_invitations WHERE instance_id = $1 AND answered`, id); n != 3 {
		t.Fatalf("%d answered invitations, want 3", n)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_pending WHERE instance_id = $1`, other); n != 0 {
		t.Fatalf("the other survey got %d answers", n)
	}
	if _, err := f.surveys.Close(ctx, id); err != nil {
		t.Fatal(err)
	}
	rep, err := f.surveys.Aggregate(ctx, postgres.AggregateQuery{Instances: []int64{id}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Respondents != 3 || rep.Hidden {
		t.Fatalf("report %+v", rep)
	}
	for _, q := range rep.Questions {
		switch q.Question.Key {
		case "utilita":
			if q.Mean != 4 {
				t.Errorf("utilita mean %v, want 4 (the first answers)", q.Mean)
			}
		case "altro-ufficio":
			if fmt.Sprint(q.Counts) != "[0 3]" {
				t.Errorf("altro-ufficio no/yes %v, want all yes", q.Counts)
			}
		case "nuovo-contatto":
			if fmt.Sprint(q.Counts) != "[3 0]" {
				t.Errorf("nuovo-contatto no/yes %v, want all no (Gina's second «sì» was not kept)", q.Counts)
			}
		}
	}
}

func TestFeedbackValidationErrorsInItalianAndEnglish(t *testing.T) {
	t.Parallel()
	f := newFeedbackFixture(t)
	meeting := f.open(t, "incontro", "m:1", time.Now().Add(48*time.Hour), "Gina")
	ext := f.open(t, "chiusura-esterna", "m:ext", time.Now().Add(48*time.Hour), "Gina")
	long := strings.Repeat("a", 501)
	for _, tc := range []struct {
		locale, text string
		want         []string
	}{
		{"it", fmt.Sprintf("valuta %d idea=ciao", meeting), []string{
			"Non ho registrato la risposta: ci sono 3 cose da correggere.",
			"• *1. Quanto ti è stato utile l'incontro?* (`utilita`): manca la risposta, che è obbligatoria; scegli un numero da 1 («Per niente utile») a 5 («Molto utile»).",
			"• *2. Hai imparato qualcosa sul lavoro di un altro ufficio?* (`altro-ufficio`): manca la risposta, che è obbligatoria; rispondi sì o no.",
			"(`nuovo-contatto`): manca la risposta",
			"Ti ripropongo il questionario con le risposte che hai già dato."}},
		{"it", fmt.Sprintf("valuta %d utilita=9 altro-ufficio=forse nuovo-contatto=no idea=%s utilta=3", meeting, long), []string{
			"ci sono 4 cose da correggere",
			"(`utilita`): la risposta non è tra quelle possibili; scegli un numero da 1 («Per niente utile») a 5 («Molto utile»).",
			"(`altro-ufficio`): «forse» non è una risposta possibile; rispondi sì o no.",
			"(`idea`): la risposta è troppo lunga, al massimo 500 caratteri; accorciala.",
			"«utilta» non è una domanda di questo questionario: forse intendevi «utilita»?"}},
		{"it", fmt.Sprintf("valuta %d output=4 outcome=4 collaborazione=4 replicabilita-tecnica=forse replicabilita-politica=\"Sì, con adattamenti\" zzz=1", ext), []string{
			"ci sono 2 cose da correggere",
			"(`replicabilita-tecnica`): «forse» non è una risposta possibile; scegli una di queste: «Sì, così com'è» (`si`), «Sì, con adattamenti» (`adattata`), «No» (`no`), «Non so» (`non-so`).",
			"«zzz» non è una domanda di questo questionario. Le domande sono: `output`, `outcome`, `collaborazione`, `replicabilita-tecnica`, `replicabilita-politica`, `lezione`."}},
		{"en", fmt.Sprintf("feedback %d idea=hello", meeting), []string{
			"Your answer was not recorded: 3 things need correcting.",
			"• *1. How useful was the meeting to you?* (`utilita`): the answer is missing, and it is required; choose a number from 1 («Not useful at all») to 5 («Very useful»).",
			"(`altro-ufficio`): the answer is missing, and it is required; answer yes or no.",
			"Here is the survey again with the answers you already gave."}},
		{"en", fmt.Sprintf("feedback %d utilita=0 altro-ufficio=maybe nuovo-contatto=yes idea=%s utilta=3", meeting, long), []string{
			"4 things need correcting",
			"(`utilita`): the answer is not one of the possible ones; choose a number from 1 («Not useful at all») to 5 («Very useful»).",
			"(`altro-ufficio`): «maybe» is not a possible answer; answer yes or no.",
			"(`idea`): the answer is too long, at most 500 characters; please shorten it.",
			"«utilta» is not a question of this survey: did you mean «utilita»?"}},
		{"en", fmt.Sprintf("feedback %d output=4 outcome=4 collaborazione=4 replicabilita-tecnica=maybe replicabilita-politica=\"yes, as it is\"", ext), []string{
			"Your answer was not recorded: one thing needs correcting.",
			"(`replicabilita-tecnica`): «maybe» is not a possible answer; choose one of these: «Yes, as it is» (`si`), «Yes, with adaptations» (`adattata`), «No» (`no`), «Don't know» (`non-so`)."}},
	} {
		if r := ask(f.b, "gina", "profilo lingua="+tc.locale); r.IsError {
			t.Fatal(r.Text)
		}
		r := ask(f.b, "gina", tc.text)
		if !r.IsError || r.Form == nil {
			t.Errorf("%s: want an error with the form again, got %+v", tc.text, r)
			continue
		}
		wantText(t, tc.text, r.Text, tc.want...)
	}
	// The form offered again keeps what was given, in the form's values.
	ask(f.b, "gina", "profilo lingua=it")
	r := ask(f.b, "gina", fmt.Sprintf("valuta %d utilita=4 altro-ufficio=yes idea=ciao", meeting))
	if r.Form == nil {
		t.Fatalf("no form again: %+v", r)
	}
	got := map[string]string{}
	for _, fl := range r.Form.Fields {
		got[fl.Name] = fl.Value
	}
	if got["utilita"] != "4" || got["altro-ufficio"] != "sì" || got["nuovo-contatto"] != "" || got["idea"] != "ciao" {
		t.Errorf("prefilled values %v", got)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_pending`); n != 0 {
		t.Fatalf("%d answers stored after refusals", n)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_invitations WHERE answered`); n != 0 {
		t.Fatalf("%d invitations marked answered after refusals", n)
	}
}

func TestFeedbackClosedAndNotInvited(t *testing.T) {
	t.Parallel()
	f := newFeedbackFixture(t)
	ctx := context.Background()
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	closed := f.open(t, "incontro", "m:closed", time.Now().Add(48*time.Hour), "Gina")
	if _, err := f.surveys.Close(ctx, closed); err != nil {
		t.Fatal(err)
	}
	pastAt := time.Now().Add(-30 * time.Hour)
	past := f.open(t, "incontro", "m:past", pastAt, "Gina")
	paolos := f.open(t, "incontro", "m:paolo", time.Time{}, "Paolo")
	answer := "utilita=4 altro-ufficio=sì nuovo-contatto=sì"
	for _, tc := range []struct {
		id   int64
		date string
	}{{closed, time.Now().In(rome).Format("02/01/2006")}, {past, pastAt.In(rome).Format("02/01/2006")}} {
		for _, text := range []string{fmt.Sprintf("valuta %d", tc.id), fmt.Sprintf("valuta %d %s", tc.id, answer)} {
			r := ask(f.b, "gina", text)
			wantText(t, text, r.Text, "Il questionario «Com'è andato l'incontro tra uffici» si è chiuso il "+tc.date+
				" e non accetta più risposte. Grazie comunque!")
			if r.Form != nil {
				t.Errorf("%s: a closed survey offered its form", text)
			}
		}
	}
	for _, text := range []string{fmt.Sprintf("valuta %d", paolos), fmt.Sprintf("valuta %d %s", paolos, answer), "valuta 999999"} {
		r := ask(f.b, "gina", text)
		if !r.IsError || r.Form != nil || !strings.Contains(r.Text, "a cui tu sia invitato. Scrivi `valuta` per vedere") ||
			len(r.Choices) != 1 || r.Choices[0].Command != "valuta" {
			t.Errorf("%s: %+v", text, r)
		}
	}
	ask(f.b, "gina", "profilo lingua=en")
	wantText(t, "English closed", ask(f.b, "gina", fmt.Sprintf("feedback %d", past)).Text, "The survey «How the exchange meeting went» closed on ",
		"Thank you all the same!")
	wantText(t, "English not invited", ask(f.b, "gina", fmt.Sprintf("feedback %d", paolos)).Text,
		fmt.Sprintf("I can't find a survey no. %d you are invited to. Type `feedback`", paolos))
	if n := f.count(t, `SELECT count(*) FROM survey_pending`); n != 0 {
		t.Fatalf("%d answers stored", n)
	}
}

// Nothing of an answer reaches the logs: not a free text, not a value, whether it is recorded,
// refused or given twice.
func TestFeedbackAnswersAreNeverLogged(t *testing.T) {
	t.Parallel()
	f := newFeedbackFixture(t)
	id := f.open(t, "incontro", "m:1", time.Now().Add(48*time.Hour), "Gina", "Paolo")
	secret := "Propongo-uno-sportello-unico-zafferano"
	tooLong := "zafferano-" + strings.Repeat("x", 600)
	replies := []bot.Reply{
		f.submit("gina", id, map[string]string{"utilita": "9", "altro-ufficio": "forse-zafferano", "nuovo-contatto": "no", "idea": tooLong}),
		f.submit("gina", id, map[string]string{"utilita": "2", "altro-ufficio": "sì", "nuovo-contatto": "no", "idea": secret}),
		f.submit("gina", id, map[string]string{"utilita": "2", "altro-ufficio": "sì", "nuovo-contatto": "no", "idea": secret}),
		ask(f.b, "paolo", fmt.Sprintf(`valuta %d utilita=3 altro-ufficio=no nuovo-contatto=sì idea="%s"`, id, secret)),
	}
	if !replies[0].IsError || replies[1].IsError || !strings.Contains(replies[2].Text, "Hai già risposto") || replies[3].IsError {
		t.Fatalf("replies: %+v", replies)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "command handled") || !strings.Contains(logs, "command=valuta") {
		t.Fatalf("the test captured no log of the commands:\n%s", logs)
	}
	for _, leak := range []string{"zafferano", "sportello", "utilita=", "forse"} {
		if strings.Contains(logs, leak) {
			t.Errorf("the logs hold %q:\n%s", leak, logs)
		}
	}
}

func TestFeedbackHelpShowsTheForms(t *testing.T) {
	t.Parallel()
	f := newFeedbackFixture(t)
	wantText(t, "help", ask(f.b, "gina", "aiuto valuta").PlainText(), "*valuta* (feedback)",
		"`valuta` — elenca i questionari a cui non hai ancora risposto",
		"`valuta ID [domanda=…]…` — apre il questionario ID per rispondere",
		"• `domanda=` — il codice di una domanda",
		"`valuta 12 utilita=4 altro-ufficio=sì nuovo-contatto=no idea=\"Un archivio comune delle pratiche edilizie\"`")
	ask(f.b, "gina", "profilo lingua=en")
	wantText(t, "English help", ask(f.b, "gina", "help feedback").PlainText(), "*feedback* (valuta)",
		"`feedback` — lists the surveys you have not answered yet", "`feedback ID [question=…]…` — opens survey ID",
		"• `question=` — a question's code")
	if r := ask(f.b, "gina", "feedbak"); !strings.Contains(r.Text, "«feedback»") {
		t.Errorf("a mistyped command word: %q", r.Text)
	}
}
