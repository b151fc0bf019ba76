package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/survey"
)

// evalK is k in these tests: above the floor of 3, so that "k−1" and "k" are not the floor's.
const evalK = 4

// evalTeam and evalOutsiders are the people of the evaluation fixture, by console handle. The
// team holds four members and Carla coordinates: five people answer the internal surveys.
var (
	evalTeam      = []string{"bruno", "chiara", "dario", "elena"}
	evalOutsiders = []string{"fabio", "gina", "ivo", "lara", "marco", "nora"}
)

// evalFixture is a bot with the project store opening surveys in a real SurveyStore (k = evalK)
// whose messages, like the store's, go to the recording outbox.
type evalFixture struct {
	b       *bot.Bot
	store   *postgres.Store
	surveys *postgres.SurveyStore
	ids     map[string]int64
	locale  string
}

func newEvalFixture(t *testing.T, locale string) evalFixture {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	outbox := &recordingOutbox{}
	surveys, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: evalK,
		Keys: []string{"test-survey-key-of-at-least-32-characters"}, Outbox: outbox})
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.NewStore(pool, postgres.WithOutbox(outbox), postgres.WithSurveys(surveys))
	b := bot.New(bot.Config{Store: store, Projects: store, DefaultLocale: locale})
	seedOrg(t, store)
	if _, err := pool.Exec(ctx, `INSERT INTO objectives (code, title) VALUES ('DUP-1.2', 'Semplificare i servizi')`); err != nil {
		t.Fatal(err)
	}
	f := evalFixture{b: b, store: store, surveys: surveys, ids: map[string]int64{}, locale: locale}
	for _, who := range append(append([]string{"carla", "ada", "luca"}, evalTeam...), evalOutsiders...) {
		ask(b, who, "profilo")
		e, err := store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: who})
		if err != nil {
			t.Fatal(err)
		}
		f.ids[who] = e.ID
	}
	for who, role := range map[string]bot.Role{"carla": bot.RoleCoordinator, "ada": bot.RoleAdmin} {
		if err := store.GrantRole(ctx, 0, f.ids[who], role, nil); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f evalFixture) T(key string, args ...any) string { return i18n.T(f.locale, key, args...) }

// project creates a project as Carla, with one output and one outcome indicator, a complete
// robustness check and a formed team of evalTeam (written as the team flow leaves it: accepted
// invitations, members, the day it was formed), and moves it to realizzazione.
func (f evalFixture) project(t *testing.T, title string) int64 {
	t.Helper()
	id := mustCreate(t, f.b, f.store, fmt.Sprintf("titolo=%q obiettivi=DUP-1.2", title))
	for _, s := range []string{"fase progettazione", "robustezza " + allAnswers,
		`indicatori nuovo tipo=output nome=Sportelli unita=n base=0 obiettivo=4`,
		`indicatori nuovo tipo=outcome nome=Attesa unita=giorni base=30 obiettivo=10 direzione=down`,
		"fase realizzazione"} {
		if r := ask(f.b, "carla", fmt.Sprintf("progetto %d %s", id, s)); r.IsError {
			t.Fatalf("%q: %s", s, r.Text)
		}
	}
	for _, q := range []string{
		`INSERT INTO team_invitations (project_id, slot, employee_id, status, answered_at)
			SELECT $1, n, e, 'accepted', now() FROM unnest($2::bigint[]) WITH ORDINALITY AS v(e, n)`,
		`INSERT INTO team_members (project_id, employee_id) SELECT $1, unnest($2::bigint[])`,
		`UPDATE projects SET team_formed_at = now() WHERE id = $1 AND cardinality($2::bigint[]) > 0`,
	} {
		if _, err := f.store.Pool().Exec(context.Background(), q, id, f.idsOf(evalTeam...)); err != nil {
			t.Fatalf("form team: %v", err)
		}
	}
	return id
}

func (f evalFixture) idsOf(who ...string) []int64 {
	out := make([]int64, len(who))
	for i, w := range who {
		out[i] = f.ids[w]
	}
	return out
}

// ask runs a command as who and fails the test on an error reply.
func (f evalFixture) ok(t *testing.T, who, text string) bot.Reply {
	t.Helper()
	r := ask(f.b, who, text)
	if r.IsError {
		t.Fatalf("%s: %q: %s", who, text, r.Text)
	}
	return r
}

// instance returns the id of the project's survey of kind, or 0.
func (f evalFixture) instance(t *testing.T, project int64, kind string) int64 {
	t.Helper()
	var id int64
	_ = f.store.Pool().QueryRow(context.Background(), `SELECT id FROM survey_instances WHERE subject = $1`,
		bot.ProjectSurveySubject(project, kind)).Scan(&id)
	return id
}

// answer submits a response to the instance as each of who: every Likert question v, every
// choice question its option opt (the first option when opt is not one of them).
func (f evalFixture) answer(t *testing.T, instance int64, v int, opt string, who ...string) {
	t.Helper()
	ctx := context.Background()
	var version int64
	if err := f.store.Pool().QueryRow(ctx, `SELECT version_id FROM survey_instances WHERE id = $1`, instance).Scan(&version); err != nil {
		t.Fatal(err)
	}
	tpl, err := f.surveys.Version(ctx, version)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range who {
		r := survey.Response{}
		for _, q := range tpl.Questions {
			switch q.Kind {
			case survey.KindLikert:
				r[q.Key] = survey.Value{N: v}
			case survey.KindYesNo:
				r[q.Key] = survey.Value{N: survey.Yes}
			case survey.KindChoice:
				r[q.Key] = survey.Value{S: q.Options[0].Key}
				for _, o := range q.Options {
					if o.Key == opt {
						r[q.Key] = survey.Value{S: opt}
					}
				}
			case survey.KindText:
				r[q.Key] = survey.Value{S: "Una lezione scritta da " + w}
			}
		}
		if err := f.surveys.Submit(ctx, instance, f.ids[w], r); err != nil {
			t.Fatalf("%s answers instance %d: %v", w, instance, err)
		}
	}
}

// surveyMessages counts the recorded survey invitations of an instance, by recipient handle.
func surveyMessages(t *testing.T, store *postgres.Store, instance int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, n := range notices(t, store) {
		if strings.HasPrefix(n.key, fmt.Sprintf("survey:%d:", instance)) {
			out[strings.TrimPrefix(n.channel, bot.ConsoleAddressPrefix)]++
		}
	}
	return out
}

func sameSet(got map[string]int, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if got[w] != 1 {
			return false
		}
	}
	return true
}

// The external evaluator flow end to end: the coordinator asks people outside the team (a
// member and the coordinator are refused, one unknown name refuses the whole command), they are
// told privately; one is removed before the close and their message is no longer due; at the
// close the team and the evaluators get their surveys in the phase change's transaction; they
// answer; below k answers the coordinator sees only counts, at k the summary and the verdict;
// someone asked after the close is invited at once.
func TestExternalEvaluatorFlowEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newEvalFixture(t, "it")
	p := f.project(t, "Sportello unico")
	cmd := func(s string) string { return fmt.Sprintf("progetto %d %s", p, s) }

	if r := f.ok(t, "carla", cmd("valutatori")); !strings.Contains(r.Text, f.T("evaluation.list.none", "id", p)) || !r.Private {
		t.Fatalf("empty list = %+v", r)
	}
	if r := ask(f.b, "luca", cmd("valutatori @fabio")); !r.IsError || r.Text != f.T("evaluation.error.forbidden", "id", p, "title", "Sportello unico") {
		t.Fatalf("employee = %q", r.Text)
	}
	r := ask(f.b, "carla", cmd("valutatori @fabio @bruno @carla @nessuno"))
	wantText(t, "refusal", r.Text, f.T("evaluation.error.is_member", "name", "bruno"),
		f.T("evaluation.error.is_coordinator", "name", "carla"), f.T("evaluation.error.unknown_person", "person", "@nessuno"))
	if !r.IsError || countRows(t, f.store, `SELECT count(*) FROM project_evaluators`) != 0 {
		t.Fatalf("a refused command wrote evaluators: %q", r.Text)
	}
	if r := ask(f.b, "carla", cmd("valutatori togli")); !r.IsError {
		t.Fatalf("remove without a name = %q", r.Text)
	}

	before := len(notices(t, f.store))
	r = f.ok(t, "carla", cmd("valutatori @fabio @gina @ivo @fabio"))
	wantText(t, "added", r.Text, f.T("evaluation.added", "n", 3, "names", "fabio, gina, ivo", "id", p),
		f.T("evaluation.list.below_k", "n", 3, "k", evalK))
	told := map[string]string{}
	for _, n := range notices(t, f.store)[before:] {
		told[strings.TrimPrefix(n.channel, bot.ConsoleAddressPrefix)] = n.key
		wantText(t, "evaluator's message", n.body, f.T("evaluation.notice.asked", "from", "carla", "id", p, "title", "Sportello unico"),
			f.T("evaluation.notice.asked_later"))
	}
	if len(told) != 3 || told["fabio"] == "" || told["gina"] == "" || told["ivo"] == "" {
		t.Fatalf("evaluators told: %v", told)
	}
	if r := f.ok(t, "carla", cmd("valutatori @fabio")); !strings.Contains(r.Text, f.T("evaluation.already", "n", 1, "names", "fabio")) {
		t.Fatalf("again = %q", r.Text)
	}
	// Ivo removed before the close: told so, and the message asking him is no longer due.
	var ivoRow int64
	if err := f.store.Pool().QueryRow(ctx, `SELECT id FROM project_evaluators WHERE employee_id = $1`, f.ids["ivo"]).Scan(&ivoRow); err != nil {
		t.Fatal(err)
	}
	ref := bot.NoticeRef{Kind: bot.RefEvaluator, ID: ivoRow, People: []int64{f.ids["ivo"]}, About: []int64{f.ids["carla"]}}
	if due, err := f.store.MessageDue(ctx, ref); err != nil || !due || told["ivo"] != fmt.Sprintf("project-evaluator:%d", ivoRow) {
		t.Fatalf("the evaluator's message is not due while he is asked: %v %v (%v)", due, err, told)
	}
	before = len(notices(t, f.store))
	r = f.ok(t, "carla", cmd("valutatori togli @ivo"))
	wantText(t, "removed", r.Text, f.T("evaluation.removed", "name", "ivo", "id", p))
	if ns := notices(t, f.store)[before:]; len(ns) != 1 || ns[0].key != fmt.Sprintf("project-evaluator-removed:%d", ivoRow) ||
		ns[0].channel != "console:ivo" {
		t.Fatalf("removal notices = %+v", ns)
	}
	if due, err := f.store.MessageDue(ctx, ref); err != nil || due {
		t.Fatalf("the removed evaluator's message is still due: %v %v", due, err)
	}
	if r := ask(f.b, "carla", cmd("valutatori togli @ivo")); !r.IsError || r.Text != f.T("evaluation.error.not_evaluator_named", "name", "ivo", "id", p) {
		t.Fatalf("remove again = %q", r.Text)
	}
	// An admin may ask too; now there are k evaluators.
	f.ok(t, "ada", cmd("valutatori @lara @marco"))
	if n := countRows(t, f.store, `SELECT count(*) FROM project_evaluators WHERE project_id = $1`, p); n != evalK {
		t.Fatalf("%d evaluators, want %d", n, evalK)
	}

	// The close: in one phase change, surveys to the team (and Carla) and to the evaluators.
	f.ok(t, "carla", cmd("fase monitoraggio"))
	r = f.ok(t, "carla", cmd("fase concluso"))
	wantText(t, "close", r.Text, f.T("evaluation.phase.close_sent"),
		f.T("evaluation.phase.finals_missing", "n", 2, "names", "«Sportelli», «Attesa»", "id", fmt.Sprint(p)))
	internal, external := f.instance(t, p, bot.SurveyCloseInternal), f.instance(t, p, bot.SurveyCloseExternal)
	if internal == 0 || external == 0 {
		t.Fatalf("close surveys not opened: %d %d", internal, external)
	}
	if got := surveyMessages(t, f.store, internal); !sameSet(got, append([]string{"carla"}, evalTeam...)) {
		t.Errorf("internal survey messages: %v", got)
	}
	if got := surveyMessages(t, f.store, external); !sameSet(got, []string{"fabio", "gina", "lara", "marco"}) {
		t.Errorf("external survey messages: %v", got)
	}
	if r := ask(f.b, "carla", cmd("valutatori togli @fabio")); !r.IsError ||
		r.Text != f.T("evaluation.error.remove_closed", "id", p, "phase", f.T("phase.concluso")) {
		t.Errorf("remove after the close = %q", r.Text)
	}

	// k−1 external answers: counts only, for the coordinator; nothing for anyone else.
	f.answer(t, external, 4, "adattata", "fabio", "gina", "lara")
	if n, err := f.surveys.Release(ctx, external); err != nil || n != 0 {
		t.Fatalf("release below k: %d %v", n, err)
	}
	card := f.ok(t, "carla", fmt.Sprintf("progetto %d", p)).PlainText()
	wantText(t, "coordinator's card below k", card, f.T("evaluation.external.title"),
		f.T("evaluation.too_few", "n", 3, "invited", evalK, "k", evalK))
	public := f.ok(t, "luca", fmt.Sprintf("progetto %d", p)).PlainText()
	wantText(t, "public card below k", public, f.T("evaluation.hidden_public", "k", evalK))
	if strings.Contains(card, "media") || strings.Contains(public, "media") || strings.Contains(public, "risposte su") {
		t.Errorf("a card below k shows an average or, to a reader, the counts:\n%s\n---\n%s", card, public)
	}
	// The k-th answer: the batch is released and the summary and the verdict appear.
	f.answer(t, external, 4, "adattata", "marco")
	if n, err := f.surveys.Release(ctx, external); err != nil || n != evalK {
		t.Fatalf("release at k: %d %v", n, err)
	}
	card = f.ok(t, "luca", fmt.Sprintf("progetto %d", p)).PlainText()
	wantText(t, "card at k", card, f.T("evaluation.respondents", "n", evalK), "media 4,0 su 5",
		f.T("evaluation.verdict.line", "group", f.T("evaluation.verdict.external"),
			"verdict", f.T("evaluation.verdict.adapted")+" (Sì, così com'è 0 · Sì, con adattamenti 4 · No 0 · Non so 0)"),
		f.T("evaluation.verdict.line", "group", f.T("evaluation.verdict.team"), "verdict", f.T("evaluation.verdict.not_enough", "k", evalK)))
	if strings.Contains(card, "Una lezione") {
		t.Errorf("the card shows free text:\n%s", card)
	}

	// Someone asked after the close is invited to the open external survey at once.
	before = len(notices(t, f.store))
	r = f.ok(t, "carla", cmd("valutatori @nora"))
	wantText(t, "late evaluator", r.Text, f.T("evaluation.added_now", "n", 1, "names", "nora"))
	keys := []string{}
	for _, n := range notices(t, f.store)[before:] {
		keys = append(keys, n.key)
		if strings.HasPrefix(n.key, "project-evaluator:") {
			wantText(t, "late evaluator's message", n.body, f.T("evaluation.notice.asked_now"))
		}
	}
	if len(keys) != 2 || surveyMessages(t, f.store, external)["nora"] != 1 {
		t.Errorf("late evaluator's messages: %v", keys)
	}
	if st, err := f.surveys.Status(ctx, external); err != nil || st.Invited != evalK+1 || st.Answered != evalK {
		t.Errorf("external status = %+v, %v", st, err)
	}
}

// Entering monitoraggio opens the milestone survey once: suspended and resumed, the project
// invites nobody again (a newcomer to the team is invited, once).
func TestMilestoneSurveyOnceAcrossPhaseChanges(t *testing.T) {
	t.Parallel()
	f := newEvalFixture(t, "it")
	p := f.project(t, "Cantiere")
	cmd := func(s string) string { return fmt.Sprintf("progetto %d %s", p, s) }
	r := f.ok(t, "carla", cmd("fase monitoraggio"))
	wantText(t, "monitoraggio", r.Text, f.T("evaluation.phase.milestone_sent"))
	milestone := f.instance(t, p, bot.SurveyMilestone)
	if milestone == 0 {
		t.Fatal("no milestone survey")
	}
	team := append([]string{"carla"}, evalTeam...)
	if got := surveyMessages(t, f.store, milestone); !sameSet(got, team) {
		t.Fatalf("milestone messages: %v", got)
	}
	f.ok(t, "carla", cmd("fase sospeso"))
	f.ok(t, "carla", cmd("fase monitoraggio"))
	f.ok(t, "carla", cmd("fase sospeso"))
	if _, err := f.store.Pool().Exec(context.Background(), `INSERT INTO team_members (project_id, employee_id) VALUES ($1, $2)`,
		p, f.ids["fabio"]); err != nil {
		t.Fatal(err)
	}
	f.ok(t, "carla", cmd("fase monitoraggio"))
	if got := surveyMessages(t, f.store, milestone); !sameSet(got, append(team, "fabio")) {
		t.Errorf("milestone messages after three entries: %v", got)
	}
	if n := countRows(t, f.store, `SELECT count(*) FROM survey_instances`); n != 1 {
		t.Errorf("%d survey instances, want 1", n)
	}
	if n := countRows(t, f.store, `SELECT count(*) FROM survey_invitations WHERE instance_id = $1`, milestone); n != len(team)+1 {
		t.Errorf("%d invitations, want %d", n, len(team)+1)
	}
	// Nothing is opened for phases that call for no survey.
	if n := countRows(t, f.store, `SELECT count(*) FROM survey_instances WHERE subject LIKE '%close%'`); n != 0 {
		t.Errorf("close surveys opened before the close: %d", n)
	}
}

// The k rule at the boundary, on the card of two projects closed with k−1 and k external
// evaluators who all answered: k−1 show counts only (and their answers are discarded unread at
// the close), k show the averages; the team's summary likewise.
func TestEvaluationCardAtTheKBoundary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newEvalFixture(t, "it")
	few, enough := f.project(t, "Pochi"), f.project(t, "Abbastanza")
	f.ok(t, "carla", fmt.Sprintf("progetto %d valutatori @fabio @gina @ivo", few))
	f.ok(t, "carla", fmt.Sprintf("progetto %d valutatori @fabio @gina @ivo @lara", enough))
	for _, p := range []int64{few, enough} {
		f.ok(t, "carla", fmt.Sprintf("progetto %d fase monitoraggio", p))
		f.ok(t, "carla", fmt.Sprintf("progetto %d fase concluso", p))
	}
	// Few: k−1 evaluators all answer; the survey closes and their answers go unread.
	ext := f.instance(t, few, bot.SurveyCloseExternal)
	f.answer(t, ext, 5, "si", "fabio", "gina", "ivo")
	if res, err := f.surveys.Close(ctx, ext); err != nil || res.Discarded != evalK-1 {
		t.Fatalf("close below k: %+v %v", res, err)
	}
	// Someone asked once the external survey has closed is recorded, cannot answer, and gets
	// no message (there is nothing left for them to do).
	before := len(notices(t, f.store))
	r := f.ok(t, "carla", fmt.Sprintf("progetto %d valutatori @lara", few))
	wantText(t, "after the survey closed", r.Text, f.T("evaluation.added_survey_closed", "n", 1, "names", "lara"))
	if ns := notices(t, f.store)[before:]; len(ns) != 0 {
		t.Errorf("messages to an evaluator asked after the survey closed: %+v", ns)
	}
	// Enough: k evaluators answer; the team k−1 (hidden), then k (shown).
	ext2, int2 := f.instance(t, enough, bot.SurveyCloseExternal), f.instance(t, enough, bot.SurveyCloseInternal)
	f.answer(t, ext2, 2, "no", "fabio", "gina", "ivo", "lara")
	f.answer(t, int2, 5, "si", "bruno", "chiara", "dario")
	if _, err := f.surveys.ReleaseDue(ctx); err != nil {
		t.Fatal(err)
	}

	card := f.ok(t, "carla", fmt.Sprintf("progetto %d", few)).PlainText()
	wantText(t, "k−1 card", card, f.T("evaluation.too_few", "n", evalK-1, "invited", evalK-1, "k", evalK)+" "+f.T("evaluation.closed_note"),
		f.T("evaluation.external.too_few", "n", evalK-1, "k", evalK))
	if strings.Contains(card, "media") || strings.Contains(card, "replicabile") {
		t.Errorf("k−1 card shows an aggregate:\n%s", card)
	}
	card = f.ok(t, "carla", fmt.Sprintf("progetto %d", enough)).PlainText()
	wantText(t, "k card", card, f.T("evaluation.counts", "n", evalK, "invited", evalK), "media 2,0 su 5",
		f.T("evaluation.verdict.no"), f.T("evaluation.too_few", "n", 3, "invited", 5, "k", evalK))
	f.answer(t, int2, 3, "adattata", "elena")
	if _, err := f.surveys.ReleaseDue(ctx); err != nil {
		t.Fatal(err)
	}
	card = f.ok(t, "carla", fmt.Sprintf("progetto %d", enough)).PlainText()
	// Three of four in the team say "sì, così com'è" and one "con adattamenti": as it is.
	wantText(t, "team at k", card, f.T("evaluation.internal.title"), "media 4,5 su 5",
		f.T("evaluation.verdict.line", "group", f.T("evaluation.verdict.team"),
			"verdict", f.T("evaluation.verdict.as_is")+" (Sì, così com'è 3 · Sì, con adattamenti 1 · No 0 · Non so 0)"))
	reply := f.ok(t, "carla", fmt.Sprintf("progetto %d", enough))
	// Closed below k, for a reader: never, rather than "not yet".
	public := f.ok(t, "luca", fmt.Sprintf("progetto %d", few)).PlainText()
	wantText(t, "public k−1 card", public, f.T("evaluation.hidden_closed", "k", evalK),
		f.T("evaluation.verdict.line", "group", f.T("evaluation.verdict.external"), "verdict", f.T("evaluation.verdict.too_few", "k", evalK)))
	for _, s := range reply.Sections {
		if n := len([]rune(s.Title + "\n" + s.Text)); n > 3000 {
			t.Errorf("section %q is %d characters", s.Title, n)
		}
	}
	if len(reply.Sections) > 10 {
		t.Errorf("%d sections", len(reply.Sections))
	}
}

// Final values: refused before monitoraggio, recorded after (one per indicator), shown against
// the target with whether it was reached; the close reminds what is missing.
func TestFinalIndicatorValuesAgainstTargets(t *testing.T) {
	t.Parallel()
	f := newEvalFixture(t, "it")
	p := f.project(t, "Cantiere")
	cmd := func(s string) string { return fmt.Sprintf("progetto %d %s", p, s) }
	if r := ask(f.b, "carla", cmd("indicatori misura 1 valore=4 finale=sì")); !r.IsError ||
		r.Text != f.T("evaluation.error.final_too_early", "phase", f.T("phase.realizzazione")) {
		t.Fatalf("final in realizzazione = %q", r.Text)
	}
	f.ok(t, "carla", cmd("fase monitoraggio"))
	if r := ask(f.b, "carla", cmd("indicatori misura 1 valore=4 finale=forse")); !r.IsError {
		t.Fatalf("finale=forse accepted: %q", r.Text)
	}
	f.ok(t, "carla", cmd("indicatori misura 1 valore=3 data=2026-10-01 finale=sì"))
	r := f.ok(t, "carla", cmd("indicatori misura 1 valore=5 data=2026-11-30 finale=sì"))
	wantText(t, "final", r.Text, f.T("evaluation.final_recorded", "name", "Sportelli", "date", "30/11/2026"),
		f.T("evaluation.finals_left", "n", 1, "names", "«Attesa»"))
	if n := countRows(t, f.store, `SELECT count(*) FROM indicator_measurements WHERE final`); n != 1 {
		t.Fatalf("%d final values, want 1", n)
	}
	f.ok(t, "carla", cmd("indicatori misura 2 valore=20 data=2026-11-15"))
	card := f.ok(t, "luca", fmt.Sprintf("progetto %d", p)).PlainText()
	wantText(t, "card", card, f.T("evaluation.results.title"),
		f.T("evaluation.results.line", "id", 1, "name", "Sportelli", "baseline", "0 n", "target", "4 n")+" "+
			f.T("evaluation.results.final", "value", "5 n", "date", "30/11/2026")+" "+f.T("evaluation.results.reached"),
		f.T("evaluation.results.latest", "value", "20 giorni", "date", "15/11/2026")+" "+f.T("evaluation.results.not_reached", "progress", "50%"))
	r = f.ok(t, "carla", cmd("fase concluso"))
	wantText(t, "close", r.Text, f.T("evaluation.phase.finals_missing", "n", 1, "names", "«Attesa»", "id", fmt.Sprint(p)))
	r = f.ok(t, "carla", cmd("indicatori misura 2 valore=9 data=2026-12-01 finale=sì"))
	wantText(t, "last final", r.Text, f.T("evaluation.finals_complete"))
	wantText(t, "results", r.PlainText(), f.T("evaluation.results.final", "value", "9 giorni", "date", "01/12/2026")+" "+f.T("evaluation.results.reached"))
}

// The card of a closed project in English: results, summaries and verdict in the reader's
// language, the commands in English.
func TestEvaluationCardInEnglish(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newEvalFixture(t, "en")
	p := f.project(t, "One-stop shop")
	cmd := func(s string) string { return fmt.Sprintf("project %d %s", p, s) }
	r := f.ok(t, "carla", cmd("evaluators @fabio @gina @ivo @lara"))
	wantText(t, "added", r.Text, f.T("evaluation.added", "n", 4, "names", "fabio, gina, ivo, lara", "id", p))
	f.ok(t, "carla", cmd("phase monitoring"))
	f.ok(t, "carla", cmd("indicators measure 1 value=4 final=yes date=2026-11-30"))
	f.ok(t, "carla", cmd("phase closed"))
	f.answer(t, f.instance(t, p, bot.SurveyCloseExternal), 3, "non-so", "fabio", "gina", "ivo", "lara")
	f.answer(t, f.instance(t, p, bot.SurveyCloseInternal), 4, "adattata", "carla", "bruno", "chiara", "dario")
	if _, err := f.surveys.ReleaseDue(ctx); err != nil {
		t.Fatal(err)
	}
	card := f.ok(t, "carla", fmt.Sprintf("project %d", p)).PlainText()
	wantText(t, "English card", card, "Outputs and outcomes against their targets", "Final value 4 n (30 Nov 2026): target reached.",
		"The team's final evaluation", "External final evaluation", "Over 4 answers:",
		"How far did the project achieve the outputs its indicators set?: average 4.0 out of 5",
		"Replicability verdict", "Technical opportunity", "• team: replicable with adaptations, for the majority",
		"• external evaluators: uncertain: most do not know (Yes, as it is 0 · Yes, with adaptations 0 · No 0 · Don't know 4)")
	for _, italian := range []string{"media", "risposte", "Verdetto"} {
		if strings.Contains(card, italian) {
			t.Errorf("the English card says %q:\n%s", italian, card)
		}
	}
	list := f.ok(t, "carla", cmd("evaluators"))
	wantText(t, "English list", list.PlainText(), "4 external evaluators:", "The project is closed")
}
