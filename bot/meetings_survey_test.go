package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
)

// A "sì" to "vi siete incontrati?" thanks and offers the post-meeting survey at once, with the
// button that answers it (`valuta ID`), in the person's language; a second "sì" that month, in
// another round, only thanks; "non ancora" and "no" offer nothing; in a new month the next
// "sì" offers the new month's survey.
func TestMeetingYesOffersTheMonthsSurvey(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	surveys, err := postgres.NewSurveyStore(f.store.Pool(), postgres.SurveyConfig{MinRespondents: 5,
		Keys: []string{strings.Repeat("x", 40)}, Outbox: f.outbox})
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.NewStore(f.store.Pool(), postgres.WithOutbox(f.outbox), postgres.WithSurveys(surveys))
	f.store = store
	f.b = bot.New(bot.Config{Store: store, Projects: store, Teams: store, Meetings: store, DefaultLocale: "it",
		Now: f.clock.Now, Location: f.rome, SurveyOpenDays: 10})
	f.ask(t, `incontri nuovo nome="Caffè" cron="0 10 * * 2" gruppo=2`)
	for _, who := range []string{"aldo", "greta", "gina", "paolo"} {
		f.askAs(t, who, "incontri iscrivimi 1")
	}
	f.ask(t, "incontri 1 round")
	f.clock.Set(f.clock.Now().Add(time.Minute))
	f.ask(t, "incontri 1 round")

	// 30 November: the November survey, open until 10 December (the end of the month and ten
	// days).
	r := f.askAs(t, "gina", "incontri giro 1 sì")
	inst := f.count(t, `SELECT id FROM survey_instances WHERE subject = 'meeting:1:2026-11'`)
	wantText(t, "first sì", r.Text, "Grazie! Ho registrato che vi siete incontrati. Com'è andata?",
		"sugli incontri di scambio di «Caffè»", "fino al 10/12/2026", "anonime")
	if len(r.Choices) != 1 || r.Choices[0].Command != fmt.Sprintf("valuta %d", inst) || r.Choices[0].Label != "Rispondi" {
		t.Fatalf("choices %+v, want the survey's button for instance %d", r.Choices, inst)
	}
	wantText(t, "second round, same month", f.askAs(t, "gina", "incontri giro 2 sì").Text, "Ho registrato che vi siete incontrati")
	if r := f.askAs(t, "gina", "incontri giro 2 sì"); len(r.Choices) != 0 {
		t.Errorf("asked again in the same month: %+v", r)
	}
	for who, answer := range map[string]string{"aldo": "non-ancora", "greta": "no"} {
		if r := f.askAs(t, who, "incontri giro 1 "+answer); len(r.Choices) != 0 || strings.Contains(r.Text, "parere") {
			t.Errorf("%s answered %s and was offered a survey: %+v", who, answer, r)
		}
	}
	// December, in English: Paolo's sì (round 1, answered late) joins December's survey.
	f.askAs(t, "paolo", "profilo lingua=en")
	f.clock.Set(time.Date(2026, 12, 2, 9, 0, 0, 0, f.rome))
	r = f.askAs(t, "paolo", "meetings round 1 yes")
	dec := f.count(t, `SELECT id FROM survey_instances WHERE subject = 'meeting:1:2026-12'`)
	wantText(t, "December", r.Text, "Thank you! I recorded that you met. How did it go?", "about the exchange meetings of “Caffè”",
		"until 10 Jan 2027")
	if len(r.Choices) != 1 || !strings.HasSuffix(r.Choices[0].Command, fmt.Sprintf(" %d", dec)) {
		t.Fatalf("December choices %+v, want instance %d", r.Choices, dec)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_invitations`); n != 2 {
		t.Errorf("%d invitations, want 2 (Gina in November, Paolo in December)", n)
	}
}

// The programme card shows how the meetings went only over all its rounds and at least k
// answers: below k the coordinator sees how many answered and a participant nothing but when
// results will show; at k both see the averages, and the coordinator the ideas, never who.
func TestProgrammeCardShowsTheMeetingsFeedbackAtK(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	surveys, err := postgres.NewSurveyStore(f.store.Pool(), postgres.SurveyConfig{MinRespondents: 3,
		Keys: []string{strings.Repeat("x", 40)}, Outbox: f.outbox})
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.NewStore(f.store.Pool(), postgres.WithOutbox(f.outbox), postgres.WithSurveys(surveys))
	f.store = store
	f.b = bot.New(bot.Config{Store: store, Projects: store, Teams: store, Meetings: store, Surveys: surveys,
		DefaultLocale: "it", Now: f.clock.Now, Location: f.rome})
	f.ask(t, `incontri nuovo nome="Caffè" cron="0 10 * * 2" gruppo=2`)
	for _, who := range []string{"aldo", "greta", "gina", "paolo"} {
		f.askAs(t, who, "incontri iscrivimi 1")
	}
	f.ask(t, "incontri 1 round")
	if strings.Contains(f.ask(t, "incontri 1").PlainText(), "Com'è andata") {
		t.Fatal("the card shows a feedback section before any survey")
	}
	answer := func(who, idea string) {
		t.Helper()
		f.askAs(t, who, "incontri giro 1 sì")
		inst := f.count(t, `SELECT id FROM survey_instances WHERE subject LIKE 'meeting:1:%'`)
		r := f.askAs(t, who, fmt.Sprintf(`valuta %d utilita=4 altro-ufficio=sì nuovo-contatto=no idea="%s"`, inst, idea))
		wantText(t, who+" answers", r.Text, "Grazie!")
	}
	answer("gina", "Un archivio comune delle pratiche")
	answer("aldo", "Riunioni mensili tra i due uffici")
	coordinator := f.ask(t, "incontri 1").PlainText()
	wantText(t, "coordinator below k", coordinator, "Com'è andata", "2 risposte su 2: troppo poche per mostrarle (servono almeno 3).")
	participant := f.askAs(t, "gina", "incontri 1").PlainText()
	wantText(t, "participant below k", participant, "I risultati si vedono quando hanno risposto almeno 3 persone.")
	if strings.Contains(participant, "2 risposte") {
		t.Fatalf("a participant sees the counts below k:\n%s", participant)
	}

	answer("greta", "Un calendario condiviso")
	if _, err := surveys.ReleaseDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	coordinator = f.ask(t, "incontri 1").PlainText()
	wantText(t, "coordinator at k", coordinator, "Su 3 risposte:", "media 4,0 su 5", "Idee di collaborazione emerse",
		"• Riunioni mensili tra i due uffici", "• Un archivio comune delle pratiche", "• Un calendario condiviso")
	participant = f.askAs(t, "gina", "incontri 1").PlainText()
	wantText(t, "participant at k", participant, "Su 3 risposte:", "media 4,0 su 5")
	if strings.Contains(participant, "Idee di collaborazione") {
		t.Fatalf("a participant sees the ideas:\n%s", participant)
	}
}
