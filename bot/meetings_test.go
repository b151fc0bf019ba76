package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
)

// clock is a settable time for the meeting tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type meetFixture struct {
	teamFixture
	clock *clock
	rome  *time.Location
}

// newMeetFixture is the team fixture (seven people with units in three Settori, console
// handles, carla the coordinator) with a bot whose clock is Monday 30 November 2026, 09:00 in
// Rome.
func newMeetFixture(t *testing.T) meetFixture {
	t.Helper()
	f := newTeamFixture(t)
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, rome)}
	f.b = bot.New(bot.Config{Store: f.store, Projects: f.store, Teams: f.store, Meetings: f.store, DefaultLocale: "it",
		Now: c.Now, Location: rome})
	return meetFixture{teamFixture: f, clock: c, rome: rome}
}

func TestProgrammeCreationValidatesTheSchedule(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	if r := ask(f.b, "luca", `incontri nuovo nome="Caffè"`); !r.IsError || !strings.Contains(r.Text, "coordinatore") {
		t.Errorf("luca created a programme: %q", r.Text)
	}
	if r := f.ask(t, "incontri nuovo"); r.Form == nil || r.Form.Submit != "incontri nuovo" {
		t.Errorf("no form: %+v", r)
	}
	for text, want := range map[string]string{
		`incontri nuovo nome="Caffè" cron="0 10 * *"`:                      "non è un'espressione cron valida",
		`incontri nuovo nome="Caffè" cron="*/5 * * * *"`:                   "più di una volta all'ora",
		`incontri nuovo nome="Caffè" cron="0 10 25 12 *"`:                  "cade sempre in un giorno festivo",
		`incontri nuovo nome="Caffè" settimane=0`:                          "settimane",
		`incontri nuovo nome="Caffè" cron="CRON_TZ=Asia/Tokyo 0 10 * * 2"`: "i programmi usano sempre quello del Comune (Europe/Rome)",
		`incontri nuovo nome="Caffè" cron="tz=UTC 0 10 * * 2"`:             "Togli il prefisso",
		`incontri nuovo nome="Caffè" gruppo=7`:                             "da 2 a 4",
		`incontri nuovo cron="0 10 * * 2"`:                                 "Manca il nome",
		`incontri nuovo nome="Caffè" formato=teletrasporto`:                "Formato «teletrasporto» sconosciuto",
		`incontri nuovo nome="Caffè" colore=blu`:                           "Non conosco il campo «colore»",
	} {
		r := ask(f.b, "carla", text)
		if !r.IsError || !strings.Contains(r.Text, want) {
			t.Errorf("%s: %q, want %q", text, r.Text, want)
		}
	}
	f.ask(t, "profilo lingua=en")
	if r := ask(f.b, "carla", `meetings nuovo nome="Coffee" cron="61 10 * * 2"`); !r.IsError || !strings.Contains(r.Text, "is not a valid cron expression") {
		t.Errorf("English error: %q", r.Text)
	}
	f.ask(t, "profilo lingua=it")
	if n := f.count(t, `SELECT count(*) FROM meeting_programmes`); n != 0 {
		t.Fatalf("%d programmes after errors", n)
	}
	// Tuesdays at 10 from Monday 30 November 2026: 8 December (Immacolata) is skipped.
	card := f.ask(t, `incontri nuovo nome="Caffè tra uffici" cron="0 10 * * 2" gruppo=2 durata=30`).PlainText()
	wantText(t, "card", card, "Programma 1 «Caffè tra uffici» creato.",
		"Prossime date: mar 01/12/2026 10:00\nmar 15/12/2026 10:00\nmar 22/12/2026 10:00", "Nessun giro ancora.")
}

// TestExchangeRoundEndToEnd: people join, pause and exclude someone; the preview sends
// nothing; the tick runs the round once; answers and follow-ups are recorded; the card counts.
func TestExchangeRoundEndToEnd(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	ctx := context.Background()
	f.ask(t, `incontri nuovo nome="Caffè tra uffici" cron="0 10 * * 2" gruppo=2`)
	people := []string{"gina", "paolo", "greta", "bruno", "aldo", "sara", "piena"}
	for _, who := range people {
		wantText(t, "join", f.askAs(t, who, "incontri iscrivimi").Text, "Sei iscritto a «Caffè tra uffici»", "01/12/2026")
	}
	wantText(t, "join again", f.askAs(t, "gina", "incontri iscrivimi 1").Text, "Sei già iscritto")
	wantText(t, "pause", f.askAs(t, "bruno", "incontri pausa 1").Text, "salterai il prossimo giro di")
	if mine := f.askAs(t, "bruno", "incontri"); len(mine.Sections) == 0 || !strings.HasSuffix(mine.Sections[0].Text, "— in pausa per 1 giro") {
		t.Errorf("bruno's programmes should say he is paused for one round (giro, not giri): %+v", mine.Sections)
	}
	wantText(t, "never", f.askAs(t, "sara", "incontri mai @piena").Text, "non sarai mai nello stesso gruppo di Piena")
	if r := ask(f.b, "sara", "incontri mai @nessuno"); !r.IsError || !strings.Contains(r.Text, "Non trovo «@nessuno»") {
		t.Errorf("unknown person: %q", r.Text)
	}
	if r := ask(f.b, "gina", "incontri pausa 99"); !r.IsError || !strings.Contains(r.Text, "da 1 a 12") {
		t.Errorf("bad pause: %q", r.Text)
	}
	if r := ask(f.b, "gina", "incontri 1 round"); !r.IsError || !strings.Contains(r.Text, "riservato al ruolo coordinatore") {
		t.Errorf("gina ran a round: %q", r.Text)
	}

	preview := f.ask(t, "incontri 1 anteprima").PlainText()
	wantText(t, "preview", preview, "Giro 1: 3 gruppi, 6 persone. È solo un'anteprima", "Bruno (in pausa)")
	if n := f.count(t, `SELECT count(*) FROM meeting_rounds`); n != 0 || len(notices(t, f.store)) != 0 {
		t.Fatalf("the preview stored %d rounds or sent messages", n)
	}

	// The tick at the programme's time runs round 1 once.
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, f.rome)
	f.clock.Set(at)
	if err := f.b.MeetingsTick(ctx, at); err != nil {
		t.Fatal(err)
	}
	sentNow := notices(t, f.store)
	groups, report := 0, ""
	for _, s := range sentNow {
		switch {
		case strings.HasPrefix(s.channel, "group:"):
			groups++
			wantText(t, "group message", s.body, "Siete un gruppo del giro 1 di «Caffè tra uffici»", "Spunto per iniziare:",
				"Proposta di orario: mer 02/12/2026", "[incontri giro 1 fissato programma=1]")
			if strings.Contains(s.channel, "sara") && strings.Contains(s.channel, "piena") {
				t.Errorf("sara grouped with piena: %s", s.channel)
			}
		case s.channel == "console:carla":
			report = s.body
		}
	}
	if groups != 3 {
		t.Errorf("group messages = %d, want 3: %+v", groups, sentNow)
	}
	wantText(t, "report", report, "Giro 1 di «Caffè tra uffici»: 3 gruppi, 6 persone.", "Lasciate fuori (1): Bruno (in pausa).")
	if err := f.b.MeetingsTick(ctx, at); err != nil {
		t.Fatal(err)
	}
	if again := notices(t, f.store); len(again) != len(sentNow) || f.count(t, `SELECT count(*) FROM meeting_rounds`) != 1 {
		t.Errorf("the second tick sent %d more messages", len(again)-len(sentNow))
	}
	if n := f.count(t, `SELECT count(*) FROM meeting_programmes WHERE next_round_at = $1`, time.Date(2026, 12, 15, 10, 0, 0, 0, f.rome)); n != 1 {
		t.Error("next round not moved to 15 December (8 December is a holiday)")
	}

	// Answers.
	rid := f.count(t, `SELECT id FROM meeting_rounds`)
	wantText(t, "yes", f.askAs(t, "gina", fmt.Sprintf("incontri giro %d sì", rid)).Text, "Ho registrato che vi siete incontrati")
	wantText(t, "yes again", f.askAs(t, "gina", fmt.Sprintf("incontri giro %d sì", rid)).Text, "già registrato")
	if n := f.count(t, `SELECT count(*) FROM collaboration_edges WHERE source = 'meeting' AND $1 IN (employee_a, employee_b)`, f.ids["Gina"]); n != 1 {
		t.Errorf("meeting edges of Gina = %d, want 1 (her group's other member)", n)
	}
	wantText(t, "not yet", f.askAs(t, "paolo", fmt.Sprintf("incontri giro %d non-ancora", rid)).Text, "te lo richiedo")
	wantText(t, "arranged", f.askAs(t, "greta", fmt.Sprintf("incontri giro %d fissato", rid)).Text, "si è organizzato")
	if r := ask(f.b, "bruno", fmt.Sprintf("incontri giro %d sì", rid)); !r.IsError || !strings.Contains(r.Text, "Non eri in nessun gruppo") {
		t.Errorf("bruno answered: %q", r.Text)
	}

	// Follow-ups: the nudge (groups not arranged), "did you meet?" after five days to who has
	// not answered, the re-ask of "not yet" two days later; each once.
	n := len(notices(t, f.store))
	for _, day := range []int{4, 6, 8, 8} {
		now := time.Date(2026, 12, day, 11, 0, 0, 0, f.rome)
		f.clock.Set(now)
		if err := f.b.MeetingsTick(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	kinds := map[string]int{}
	for _, s := range newSince(t, f.teamFixture, n) {
		kinds[strings.SplitN(s.key, ":", 2)[0]]++
		if strings.HasPrefix(s.key, "meet-ask:") && (strings.Contains(s.channel, "gina") || strings.Contains(s.channel, "paolo")) {
			t.Errorf("asked someone who answered: %+v", s)
		}
	}
	if kinds["meet-nudge"] != 2 || kinds["meet-ask"] != 4 || kinds["meet-reask"] != 1 {
		t.Errorf("follow-ups = %v, want 2 nudges, 4 questions, 1 re-ask", kinds)
	}

	card := f.ask(t, "incontri 1").PlainText()
	wantText(t, "card", card, "Ultimo giro (n. 1", "3 gruppi, 6 persone, 1 persona lasciata fuori. Si sono incontrati: 1; non ancora: 1; no: 0; senza risposta: 4.")

	// A round now, twice in the same minute: one round.
	wantText(t, "run", f.ask(t, "incontri 1 round").Text, "Giro 2 di «Caffè tra uffici» avviato")
	wantText(t, "run again", f.ask(t, "incontri 1 round").Text, "già partito in questo minuto")
	wantText(t, "mine", f.askAs(t, "gina", "incontri").PlainText(), "*Caffè tra uffici* (programma 1)", "attivo")
	wantText(t, "leave", f.askAs(t, "gina", "incontri esci").Text, "Sei uscito da «Caffè tra uffici»")
}

type fakeDirectory map[string][]string

func (d fakeDirectory) ChannelMembers(_ context.Context, channel string) ([]string, error) {
	if m, ok := d[channel]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("no channel %s", channel)
}

// TestChannelAudienceFollowsTheChannel: a programme for the members of #caffe enrols them before
// the round, lets those who left the channel go, and keeps out who left by choice.
func TestChannelAudienceFollowsTheChannel(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	ctx := context.Background()
	if _, err := f.store.Pool().Exec(ctx, `INSERT INTO employee_identities (transport, external_id, employee_id)
		SELECT 'slack', 'U' || upper(display_name), id FROM employees WHERE email LIKE '%@example.it'`); err != nil {
		t.Fatal(err)
	}
	dir := fakeDirectory{"#caffe": {"UGINA", "UGRETA", "UALDO", "UPAOLO", "UNOBODY"}}
	f.b.UseDirectory(dir)
	if r := ask(f.b, "carla", `incontri nuovo nome="Caffè" canale="<#C1|" cron="0 10 * * 2"`); !r.IsError || !strings.Contains(r.Text, "non è un canale Slack") {
		t.Errorf("bad channel: %q", r.Text)
	}
	// A channel whose members the bot cannot read (private, or missing) is refused now, not at
	// every round; nothing is created.
	for _, ch := range []string{"#riservato", "<#G0PRIV|riservato>"} {
		if r := ask(f.b, "carla", `incontri nuovo nome="Caffè" canale=`+ch+` cron="0 10 * * 2"`); !r.IsError ||
			!strings.Contains(r.Text, "solo un canale pubblico") {
			t.Errorf("private channel %s: %q", ch, r.Text)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM meeting_programmes`); n != 0 {
		t.Fatalf("a refused programme was stored (%d)", n)
	}
	card := f.ask(t, `incontri nuovo nome="Caffè" canale=#caffe cron="0 10 * * 2"`).PlainText()
	wantText(t, "card", card, "Pubblico: i membri di #caffe", "Iscritti: 0")
	f.askAs(t, "paolo", "incontri iscrivimi 1")
	f.askAs(t, "paolo", "incontri esci 1")      // left by choice: stays out
	f.askAs(t, "bruno", "incontri iscrivimi 1") // not in the channel: leaves at the round
	wantText(t, "round", f.ask(t, "incontri 1 round").Text, "3 persone")
	if n := f.count(t, `SELECT count(*) FROM meeting_participants WHERE programme_id = 1 AND left_at IS NULL`); n != 3 {
		t.Errorf("active participants = %d, want Gina, Greta, Aldo", n)
	}
}

// TestNeverWithStaysPrivate: someone left out because of a "never with" is reported like anyone
// no group could take, so the coordinator cannot tell that a preference exists.
func TestNeverWithStaysPrivate(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	f.ask(t, `incontri nuovo nome="Caffè" cron="0 10 * * 2"`)
	f.askAs(t, "gina", "incontri iscrivimi 1")
	f.askAs(t, "greta", "incontri iscrivimi 1")
	f.askAs(t, "gina", "incontri mai @greta")
	preview := f.ask(t, "incontri 1 anteprima").PlainText()
	wantText(t, "preview", preview, "Giro 1: 0 gruppi, 0 persone", "Gina (nessun gruppo possibile)", "Greta (nessun gruppo possibile)")
	if strings.Contains(preview, "preferenz") {
		t.Errorf("the preview hints at a preference:\n%s", preview)
	}

	// After the round, Greta's card shows her own part, not "2 persone lasciate fuori" (which,
	// in a programme of two, says that Gina chose not to meet her); the coordinator still
	// sees the counts, the "never with" worded like any impossible grouping.
	f.ask(t, "incontri 1 round")
	for _, who := range []string{"greta", "gina"} {
		card := f.askAs(t, who, "incontri 1").PlainText()
		wantText(t, who+"'s card", card, "Ultimo giro (n. 1", "Non eri in nessun gruppo: nessun gruppo possibile.")
		if strings.Contains(card, "lasciat") || strings.Contains(card, "senza risposta") {
			t.Errorf("%s's card shows the round's counts:\n%s", who, card)
		}
	}
	wantText(t, "coordinator's card", f.ask(t, "incontri 1").PlainText(), "0 gruppi, 0 persone, 2 persone lasciate fuori.")
	f.ask(t, "profilo lingua=en")
	wantText(t, "English report", f.ask(t, "meetings 1").PlainText(), "0 groups, 0 people, 2 people left out.")
}

// TestRoundAnswersUseTheNumberShown: "incontri giro R" takes the round's number as the messages
// show it, not the database's id; a number shared by two of the reader's programmes is asked
// about; the buttons name the programme; buttons already sent with the old id still work.
func TestRoundAnswersUseTheNumberShown(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	f.ask(t, `incontri nuovo nome="Caffè" cron="0 10 * * 2" gruppo=2`)
	f.ask(t, `incontri nuovo nome="Pranzo" cron="0 12 * * 3" gruppo=2`)
	for who, programmes := range map[string][]int{"aldo": {1}, "greta": {1, 2}, "gina": {2}} {
		for _, p := range programmes {
			f.askAs(t, who, fmt.Sprintf("incontri iscrivimi %d", p))
		}
	}
	// Programme 1 runs rounds 1 and 2 (ids 1 and 2), then programme 2 its round 1 (id 3).
	f.ask(t, "incontri 1 round")
	f.clock.Set(f.clock.Now().Add(time.Minute))
	f.ask(t, "incontri 1 round")
	n := len(notices(t, f.store))
	f.ask(t, "incontri 2 round")
	if id := f.count(t, `SELECT id FROM meeting_rounds WHERE programme_id = 2`); id != 3 {
		t.Fatalf("programme 2's round has id %d, the test needs 3", id)
	}
	var button string
	for _, s := range newSince(t, f.teamFixture, n) {
		if strings.HasPrefix(s.channel, "group:") {
			button = s.body
		}
	}
	wantText(t, "group message", button, "Siete un gruppo del giro 1 di «Pranzo»", "[incontri giro 1 fissato programma=2]")

	answer := func(who string, round int64) string {
		var a string
		if err := f.store.Pool().QueryRow(t.Context(), `SELECT coalesce(answer, '') FROM meeting_participation
			WHERE round_id = $1 AND employee_id = $2`, round, f.ids[strings.ToUpper(who[:1])+who[1:]]).Scan(&a); err != nil {
			t.Fatalf("%s in round %d: %v", who, round, err)
		}
		return a
	}
	// Gina's only round 1 is programme 2's (id 3): before, "giro 1" was round id 1, not hers.
	wantText(t, "gina", f.askAs(t, "gina", "incontri giro 1 sì").Text, "Ho registrato che vi siete incontrati")
	if a := answer("gina", 3); a != "met" {
		t.Errorf("gina's answer in round id 3 = %q", a)
	}
	// Greta had a round 1 in both programmes: she is asked which, and the choice records it.
	r := f.askAs(t, "greta", "incontri giro 1 no")
	wantText(t, "ambiguous", r.Text, "Hai avuto un giro 1 in più di un programma")
	if len(r.Choices) != 2 || r.Choices[0].Label != "Giro 1 di «Pranzo»" || r.Choices[0].Command != "incontri giro 1 no programma=2" ||
		r.Choices[1].Command != "incontri giro 1 no programma=1" {
		t.Fatalf("choices = %+v", r.Choices)
	}
	if a := answer("greta", 1) + answer("greta", 3); a != "" {
		t.Errorf("an ambiguous answer was recorded: %q", a)
	}
	f.askAs(t, "greta", r.Choices[1].Command)
	if a, b := answer("greta", 1), answer("greta", 3); a != "not_met" || b != "" {
		t.Errorf("greta's answers = %q (programme 1), %q (programme 2)", a, b)
	}
	// Round 2 is only programme 1's for Greta; the English form and field work too.
	wantText(t, "greta round 2", f.askAs(t, "greta", "meetings round 2 yes programme=1").Text, "Ho registrato")
	if a := answer("greta", 2); a != "met" {
		t.Errorf("greta's answer in round 2 = %q", a)
	}
	if r := ask(f.b, "aldo", "incontri giro 1 sì programma=2"); !r.IsError || !strings.Contains(r.Text, "Non eri in nessun gruppo del giro 1 del programma 2") {
		t.Errorf("aldo answered for programme 2: %q", r.Text)
	}
	// An old button ("giro <id>", no programme) still reaches its round when the number is
	// none of the reader's round numbers.
	wantText(t, "old button", f.askAs(t, "gina", "incontri giro 3 fissato").Text, "si è organizzato")
	if n := f.count(t, `SELECT count(*) FROM meeting_groups WHERE round_id = 3 AND arranged_at IS NOT NULL`); n != 1 {
		t.Errorf("old button: arranged groups of round 3 = %d", n)
	}
	if r := ask(f.b, "aldo", "incontri giro 3 sì"); !r.IsError || !strings.Contains(r.Text, "Non eri in nessun gruppo del giro 3") {
		t.Errorf("aldo answered for a round he was not in: %q", r.Text)
	}
	// A participant's card shows their own part of the last round.
	wantText(t, "gina's card", f.askAs(t, "gina", "incontri 2").PlainText(), "Eri in un gruppo e hai detto che vi siete incontrati.")
	wantText(t, "aldo's card", f.askAs(t, "aldo", "incontri 1").PlainText(), "Eri in un gruppo; non mi hai ancora detto se vi siete incontrati.")
	wantText(t, "aldo's other card", f.askAs(t, "aldo", "incontri 2").PlainText(), "Non partecipavi a questo giro.")
}
