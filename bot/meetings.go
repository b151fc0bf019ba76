package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/internal/meetcal"
	"github.com/comune-prato/cantieri/internal/pairing"
	"github.com/comune-prato/cantieri/internal/survey"
)

const meetWord = "incontri"

// Limits of a programme's commands (the programme's own fields' limits are in validate.go).
const (
	maxPauseRounds = 12
	previewGroups  = 20
)

// programmeFields are the settings of a new programme, typed or entered in the form.
var programmeFields = []Param{
	{Name: W("nome", "name"), Kind: KindText, MaxLen: MaxProgrammeName, Required: true, Label: "meet.field.name"},
	{Name: W("cron", "cron"), Kind: KindText, MaxLen: MaxCronLength, Label: "meet.field.cron", Hint: "meet.field.cron_hint"},
	{Name: W("settimane", "weeks"), Kind: KindInt, Min: 1, Max: meetcal.MaxEveryNWeeks, Label: "meet.field.weeks", Hint: "meet.field.weeks_hint"},
	{Name: W("gruppo", "group"), Kind: KindInt, Min: MinGroupSize, Max: MaxGroupSize, Label: "meet.field.group"},
	{Name: W("durata", "minutes"), Kind: KindInt, Min: MinMeetingMinutes, Max: MaxMeetingMinutes, Label: "meet.field.minutes"},
	{Name: W("formato", "format"), Kind: KindChoice, ValueLabel: "meet.format.", Invalid: "meet.bad_format", Label: "meet.field.format",
		Values: []Words{W(string(FormatInPerson), "in-person", "in-presenza", "in_person"), W(string(FormatOnline), "online"),
			W(string(FormatEither), "mixed", "either")}},
	{Name: W("richiamo", "followup"), Kind: KindInt, Min: MinFollowUpDays, Max: MaxFollowUpDays, Label: "meet.field.followup", Hint: "meet.field.followup_hint"},
	{Name: W("memoria", "lookback"), Kind: KindInt, Min: 0, Max: MaxLookback, Label: "meet.field.lookback"},
	{Name: W("canale", "channel"), Kind: KindWord, MaxLen: 100, Label: "meet.field.channel"},
	{Name: W("spunti", "starters"), Kind: KindText, MaxLen: 3000, Multiline: true, Label: "meet.field.starters", Hint: "meet.field.starters_hint"},
}

func (b *Bot) meetingsCommand() *Command {
	programme := Param{Name: W("ID", "ID"), Kind: KindID}
	onProgramme := func(coordinatorOnly bool, fn func(ctx context.Context, c *Call, p Programme) (Reply, error)) HandlerFunc {
		return func(ctx context.Context, c *Call) (Reply, error) {
			p, err := b.loadProgramme(ctx, c.ID)
			if err != nil {
				return Reply{}, err
			}
			if coordinatorOnly {
				if err := b.requireProgrammeCoordinator(c, p); err != nil {
					return Reply{}, err
				}
			}
			return fn(ctx, c, p)
		}
	}
	return &Command{
		Name:    meetWord,
		EN:      "meetings",
		Aliases: []string{"incontro", "meeting"},
		Summary: "meet.summary",
		Private: true,
		Subs: []*Sub{
			{Summary: "meet.sub.mine", Examples: []string{"incontri"}, Handler: b.myMeetings},
			{Words: W("iscrivimi", "join"), Args: []Param{programme}, Summary: "meet.sub.join",
				Examples: []string{"incontri iscrivimi 1"}, Handler: b.meetJoin},
			{Words: W("pausa", "pause"), Args: []Param{{Name: W("N", "N"), Kind: KindInt, Min: 1, Max: maxPauseRounds, Required: true,
				Missing: "meet.bad_pause", Invalid: "meet.bad_pause_n"}, programme},
				Summary: "meet.sub.pause", Examples: []string{"incontri pausa 2"}, Handler: b.meetPause},
			{Words: W("esci", "leave"), Args: []Param{programme}, Summary: "meet.sub.leave",
				Examples: []string{"incontri esci"}, Handler: b.meetLeave},
			{Words: W("mai", "never"), Args: []Param{{Name: W("@persona", "@person"), Kind: KindPerson, Required: true}},
				Summary: "meet.sub.never", Examples: []string{"incontri mai @mario.rossi"}, Handler: b.meetNever},
			{Words: W("giro", "round"), Summary: "meet.sub.answer", Handler: b.meetAnswer,
				Examples: []string{"incontri giro 3 sì", "incontri giro 3 fissato programma=1"},
				Args: []Param{{Name: W("R", "R"), Kind: KindInt, Min: 1, Max: 1_000_000, Required: true},
					{Name: W("RISPOSTA", "ANSWER"), Kind: KindChoice, Required: true, Values: []Words{
						W("sì", "yes", "si"), W("non-ancora", "not-yet", "nonancora", "notyet"), W("no", "no"), W("fissato", "arranged")}}},
				Fields: []Param{{Name: W("programma", "programme", "program"), Kind: KindID, Label: "meet.field.programme"}}},
			{Words: W("nuovo", "new"), Fields: programmeFields, Role: RoleCoordinator, Summary: "meet.sub.new",
				Examples: []string{"incontri nuovo", `incontri nuovo nome="Caffè tra uffici" cron="0 10 * * 2" gruppo=2`},
				Handler:  b.programmeNew},
			{OnID: true, Summary: "meet.sub.card", Examples: []string{"incontri 1"},
				Handler: onProgramme(false, func(ctx context.Context, c *Call, p Programme) (Reply, error) {
					return b.programmeCard(ctx, c, p, "")
				})},
			{OnID: true, Words: W("anteprima", "preview"), Summary: "meet.sub.preview", Role: RoleCoordinator,
				Examples: []string{"incontri 1 anteprima"}, Handler: onProgramme(true, b.programmePreview)},
			{OnID: true, Words: W("round", "run", "avvia"), Summary: "meet.sub.run", Role: RoleCoordinator,
				Examples: []string{"incontri 1 round"}, Handler: onProgramme(true, b.programmeRunNow)},
		},
	}
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("not an id")
	}
	return id, nil
}

func (b *Bot) loadProgramme(ctx context.Context, id int64) (Programme, error) {
	p, err := b.meetings.Programme(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return Programme{}, Errorf(ENOTFOUND, "meet.not_found", "id", id)
	}
	if err != nil {
		return Programme{}, fmt.Errorf("load programme %d: %w", id, err)
	}
	return p, nil
}

// requireProgrammeCoordinator lets the programme's coordinator and admins run its rounds.
func (b *Bot) requireProgrammeCoordinator(c *Call, p Programme) error {
	if (p.Coordinator != nil && p.Coordinator.ID == c.Caller.ID) || c.Caller.HasRole(RoleAdmin) {
		return nil
	}
	return Errorf(EFORBIDDEN, "meet.forbidden", "id", p.ID, "name", p.Name)
}

// myMeetings lists the caller's programmes with their next round, and the others to join.
func (b *Bot) myMeetings(ctx context.Context, c *Call) (Reply, error) {
	mine, err := b.meetings.Enrolments(ctx, c.Caller.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("enrolments: %w", err)
	}
	all, err := b.meetings.Programmes(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("programmes: %w", err)
	}
	r := Reply{Title: c.T("meet.mine.title")}
	in := map[int64]bool{}
	for _, e := range mine {
		in[e.ProgrammeID] = true
		state := c.T("meet.state.active")
		switch {
		case e.AutoPaused:
			state = c.T("meet.state.auto_paused", "id", e.ProgrammeID)
		case e.PausedRounds > 0:
			state = c.T("meet.state.paused", "n", e.PausedRounds)
		}
		r.Sections = append(r.Sections, Section{Text: c.T("meet.mine.item", "id", e.ProgrammeID, "name", e.ProgrammeName,
			"next", b.whenText(c, e.NextRoundAt), "state", state)})
		if e.AutoPaused {
			r.Choices = append(r.Choices, Choice{Label: c.T("meet.button.rejoin", "name", e.ProgrammeName),
				Command: fmt.Sprintf("%s iscrivimi %d", meetWord, e.ProgrammeID), Style: StylePrimary})
		}
	}
	if len(mine) == 0 {
		r.Text = c.T("meet.mine.none")
	}
	var others []string
	for _, p := range all {
		if in[p.ID] {
			continue
		}
		others = append(others, c.T("meet.other.item", "id", p.ID, "name", p.Name, "next", b.whenText(c, p.NextRoundAt),
			"n", p.Participants))
		r.Choices = append(r.Choices, Choice{Label: c.T("meet.button.join", "name", p.Name),
			Command: fmt.Sprintf("%s iscrivimi %d", meetWord, p.ID)})
	}
	if len(others) > 0 {
		r.Sections = append(r.Sections, Section{Title: c.T("meet.others.title"), Text: strings.Join(others, "\n")})
	}
	return r, nil
}

// whenText writes a round time in the council's zone.
func (b *Bot) whenText(c *Call, t *time.Time) string {
	if t == nil {
		return c.T("meet.no_next")
	}
	lt := t.In(b.loc)
	return c.T("weekday."+strconv.Itoa(int(lt.Weekday()))) + " " + dateText(c, &lt) + " " + lt.Format("15:04")
}

// pickProgramme resolves the optional programme id of join/pause/leave: given, or the only
// one there is (among the caller's, when mine).
func (b *Bot) pickProgramme(ctx context.Context, c *Call, given string, mine bool) (Programme, error) {
	if given != "" {
		id, _ := parseID(given) // the grammar has checked it is an id
		return b.loadProgramme(ctx, id)
	}
	var ids []int64
	if mine {
		es, err := b.meetings.Enrolments(ctx, c.Caller.ID)
		if err != nil {
			return Programme{}, fmt.Errorf("enrolments: %w", err)
		}
		for _, e := range es {
			ids = append(ids, e.ProgrammeID)
		}
		if len(ids) == 0 {
			return Programme{}, Errorf(EINVALID, "meet.not_enrolled_any")
		}
	} else {
		all, err := b.meetings.Programmes(ctx)
		if err != nil {
			return Programme{}, fmt.Errorf("programmes: %w", err)
		}
		for _, p := range all {
			ids = append(ids, p.ID)
		}
		if len(ids) == 0 {
			return Programme{}, Errorf(EINVALID, "meet.no_programmes")
		}
	}
	if len(ids) > 1 {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = strconv.FormatInt(id, 10)
		}
		return Programme{}, Errorf(EINVALID, "meet.which", "ids", strings.Join(parts, ", "))
	}
	return b.loadProgramme(ctx, ids[0])
}

func (b *Bot) meetJoin(ctx context.Context, c *Call) (Reply, error) {
	p, err := b.pickProgramme(ctx, c, c.Param("ID"), false)
	if err != nil {
		return Reply{}, err
	}
	if !p.Active {
		return Reply{}, Errorf(EINVALID, "meet.inactive", "name", p.Name)
	}
	if c.Caller.Unit == nil {
		return Reply{}, Errorf(EINVALID, "meet.no_unit")
	}
	already, err := b.meetings.Join(ctx, p.ID, c.Caller.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("join programme %d: %w", p.ID, err)
	}
	if already {
		return Reply{Text: c.T("meet.joined_already", "name", p.Name, "next", b.whenText(c, p.NextRoundAt))}, nil
	}
	return Reply{Text: c.T("meet.joined", "name", p.Name, "next", b.whenText(c, p.NextRoundAt), "id", p.ID)}, nil
}

func (b *Bot) meetPause(ctx context.Context, c *Call) (Reply, error) {
	n, _ := strconv.Atoi(c.Param("N")) // the grammar has checked 1..maxPauseRounds
	p, err := b.pickProgramme(ctx, c, c.Param("ID"), true)
	if err != nil {
		return Reply{}, err
	}
	if err := b.meetings.Pause(ctx, p.ID, c.Caller.ID, n); errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(EINVALID, "meet.not_enrolled", "name", p.Name, "id", p.ID)
	} else if err != nil {
		return Reply{}, fmt.Errorf("pause: %w", err)
	}
	return Reply{Text: c.T("meet.paused", "name", p.Name, "n", n)}, nil
}

func (b *Bot) meetLeave(ctx context.Context, c *Call) (Reply, error) {
	p, err := b.pickProgramme(ctx, c, c.Param("ID"), true)
	if err != nil {
		return Reply{}, err
	}
	if err := b.meetings.Leave(ctx, p.ID, c.Caller.ID); errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(EINVALID, "meet.not_enrolled", "name", p.Name, "id", p.ID)
	} else if err != nil {
		return Reply{}, fmt.Errorf("leave: %w", err)
	}
	return Reply{Text: c.T("meet.left", "name", p.Name, "id", p.ID)}, nil
}

// meetNever records a private "never with": nobody is told, the pairing just keeps it.
func (b *Bot) meetNever(ctx context.Context, c *Call) (Reply, error) {
	who := c.Param("@persona")
	other, err := b.meetings.FindPerson(ctx, who)
	if errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(EINVALID, "meet.unknown_person", "arg", who)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("find person: %w", err)
	}
	if other.ID == c.Caller.ID {
		return Reply{}, Errorf(EINVALID, "meet.never_self")
	}
	if err := b.meetings.NeverWith(ctx, c.Caller.ID, other.ID); err != nil {
		return Reply{}, fmt.Errorf("never with: %w", err)
	}
	return Reply{Text: c.T("meet.never_done", "name", other.Name)}, nil
}

// meetAnswer handles "incontri giro R sì|non-ancora|no|fissato [programma=ID]".
func (b *Bot) meetAnswer(ctx context.Context, c *Call) (Reply, error) {
	n, _ := strconv.Atoi(c.Param("R"))
	rid, ambiguous, err := b.answerRound(ctx, c, n)
	if err != nil {
		return Reply{}, err
	}
	if len(ambiguous) > 0 {
		return Reply{Text: c.T("meet.round_ambiguous", "n", n), Choices: ambiguous}, nil
	}
	var a MeetAnswer
	switch c.Param("RISPOSTA") {
	case "sì":
		a = MeetYes
	case "non-ancora":
		a = MeetNotYet
	case "no":
		a = MeetNo
	case "fissato":
		already, err := b.meetings.Arranged(ctx, rid, c.Caller.ID)
		if errors.Is(err, ErrNotFound) {
			return Reply{}, Errorf(ENOTFOUND, "meet.not_in_round", "id", n)
		}
		if err != nil {
			return Reply{}, fmt.Errorf("arranged: %w", err)
		}
		if already {
			return Reply{Text: c.T("meet.arranged_already")}, nil
		}
		return Reply{Text: c.T("meet.arranged")}, nil
	}
	var sv MeetSurvey
	if a == MeetYes {
		sv = b.meetSurvey()
	}
	res, err := b.meetings.Answer(ctx, rid, c.Caller.ID, a, sv)
	if errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(ENOTFOUND, "meet.not_in_round", "id", n)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("answer: %w", err)
	}
	if inv := res.Survey; inv != nil {
		// Invited now: the survey is offered at once, while the meeting is fresh.
		text, button := b.surveyAsk(c, *inv)
		return Reply{Text: c.T("meet.answer.met_survey") + "\n\n" + text, Choices: []Choice{button}}, nil
	}
	text := c.T("meet.answer." + string(a))
	if res.Before == a {
		text = c.T("meet.answer.same")
	}
	return Reply{Text: text}, nil
}

// meetSurvey is the post-meeting survey a "sì" given now joins: the month of now in the
// council's zone, closing SURVEY_OPEN_DAYS after the month's end (see MeetSurvey for why a
// month of a programme, never a group or a round).
func (b *Bot) meetSurvey() MeetSurvey {
	now := b.now().In(b.loc)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, b.loc)
	return MeetSurvey{Month: first.Format("2006-01"), ClosesAt: first.AddDate(0, 1, b.surveyOpenDays)}
}

// answerRound finds the round that "giro R" means: R is the round's number as the messages
// show it ("Giro 3 di «Caffè»"), in the programme named by programma= (what the buttons send)
// or, without it, in the one programme where the caller was grouped in a round numbered R.
// When several programmes have one, it returns a choice per programme instead. Buttons sent
// before R was the number carried the round's internal id and no programma=: a number that is
// none of the caller's round numbers is still tried as such an id (the store then refuses it
// unless the caller was grouped in that round).
func (b *Bot) answerRound(ctx context.Context, c *Call, n int) (roundID int64, ambiguous []Choice, err error) {
	refs, err := b.meetings.RoundsNumbered(ctx, c.Caller.ID, n)
	if err != nil {
		return 0, nil, fmt.Errorf("rounds numbered %d: %w", n, err)
	}
	if v := c.Args.Named["programma"]; v != "" {
		pid, _ := parseID(v)
		for _, r := range refs {
			if r.ProgrammeID == pid {
				return r.RoundID, nil, nil
			}
		}
		return 0, nil, Errorf(ENOTFOUND, "meet.not_in_round_of", "n", n, "id", pid)
	}
	switch len(refs) {
	case 0:
		return int64(n), nil, nil
	case 1:
		return refs[0].RoundID, nil, nil
	}
	for _, r := range refs {
		ambiguous = append(ambiguous, Choice{Label: c.T("meet.button.round_of", "n", n, "programme", r.ProgrammeName),
			Command: answerCommand(r.ProgrammeID, n, c.Param("RISPOSTA"))})
	}
	return 0, ambiguous, nil
}

// answerCommand is what a button sends to answer for round n of a programme: the number the
// message shows, and the programme, so that it means one round whatever else the reader is in.
func answerCommand(programmeID int64, n int, answer string) string {
	return fmt.Sprintf("%s giro %d %s programma=%d", meetWord, n, answer, programmeID)
}

// programmeNew shows the form, or validates the values and creates the programme.
func (b *Bot) programmeNew(ctx context.Context, c *Call) (Reply, error) {
	if len(c.Args.Named) == 0 {
		return programmeForm(c), nil
	}
	in, plan, err := b.parseProgramme(c)
	if err != nil {
		return Reply{}, err
	}
	if err := b.checkAudience(ctx, in.AudienceChannel); err != nil {
		return Reply{}, err
	}
	next := plan.Next(b.now())
	if !next.IsZero() {
		in.NextRoundAt = &next
	}
	p, err := b.meetings.CreateProgramme(ctx, in)
	if err != nil {
		return Reply{}, err
	}
	b.log.InfoContext(ctx, "programme created", "programme_id", p.ID, "cron", p.Cron, "every_n_weeks", p.EveryNWeeks)
	return b.programmeCard(ctx, c, p, c.T("meet.created", "id", p.ID, "name", p.Name))
}

func programmeForm(c *Call) Reply {
	values := map[string]string{"cron": defaultMeetingCron, "settimane": "1", "gruppo": strconv.Itoa(defaultGroupSize),
		"durata": strconv.Itoa(defaultMeetingLength), "formato": string(FormatEither), "richiamo": strconv.Itoa(defaultFollowUpDays)}
	return Reply{Form: &Form{
		ID:          "meet-new",
		Title:       c.T("meet.form.title"),
		SubmitLabel: c.T("meet.form.submit"),
		Submit:      meetWord + " nuovo",
		Fields:      formFields(c, programmeFields, values),
	}}
}

// parseProgramme validates a new programme's fields; the cron expression with the calendar.
func (b *Bot) parseProgramme(c *Call) (ProgrammeInput, meetcal.Plan, error) {
	in := ProgrammeInput{CoordinatorID: c.Caller.ID, ProgrammeSettings: DefaultProgrammeSettings(b.loc.String())}
	intArg := func(k, v string, lo, hi int) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			return 0, Errorf(EINVALID, "meet.bad_number", "field", k, "value", v, "min", lo, "max", hi)
		}
		return n, nil
	}
	var err error
	for _, k := range c.Args.AllKeys() {
		v := strings.TrimSpace(c.Args.Named[k])
		switch k {
		case "nome":
			in.Name = v
		case "cron":
			if v != "" {
				in.Cron = v
			}
		case "settimane":
			if v != "" {
				if in.EveryNWeeks, err = intArg(k, v, 1, meetcal.MaxEveryNWeeks); err != nil {
					return in, meetcal.Plan{}, err
				}
			}
		case "gruppo":
			if in.GroupSize, err = intArg(k, v, MinGroupSize, MaxGroupSize); err != nil {
				return in, meetcal.Plan{}, err
			}
		case "durata":
			if in.MeetingMinutes, err = intArg(k, v, MinMeetingMinutes, MaxMeetingMinutes); err != nil {
				return in, meetcal.Plan{}, err
			}
		case "richiamo":
			if in.FollowUpDays, err = intArg(k, v, MinFollowUpDays, MaxFollowUpDays); err != nil {
				return in, meetcal.Plan{}, err
			}
		case "memoria":
			if in.Lookback, err = intArg(k, v, 0, MaxLookback); err != nil {
				return in, meetcal.Plan{}, err
			}
		case "formato":
			switch MeetingFormat(strings.ToLower(v)) {
			case FormatInPerson, FormatOnline, FormatEither:
				in.Format = MeetingFormat(strings.ToLower(v))
			default:
				return in, meetcal.Plan{}, Errorf(EINVALID, "meet.bad_format", "value", v)
			}
		case "canale":
			if v == "" {
				continue
			}
			if in.AudienceChannel = channelID(v); in.AudienceChannel == "" {
				return in, meetcal.Plan{}, Errorf(EINVALID, "meet.bad_channel", "value", v)
			}
		case "spunti":
			for line := range strings.SplitSeq(strings.ReplaceAll(v, "|", "\n"), "\n") {
				if line = strings.TrimSpace(line); line == "" {
					continue
				}
				if utf8.RuneCountInString(line) > MaxStarterLength {
					return in, meetcal.Plan{}, Errorf(EINVALID, "meet.bad_starter", "max", MaxStarterLength)
				}
				in.Starters = append(in.Starters, line)
			}
			if len(in.Starters) > MaxStarters {
				return in, meetcal.Plan{}, Errorf(EINVALID, "meet.too_many_starters", "max", MaxStarters)
			}
		}
	}
	if err := in.Validate(); err != nil {
		return in, meetcal.Plan{}, err
	}
	plan, err := meetcal.NewPlan(in.Cron, in.EveryNWeeks, b.loc, b.now(), b.holidays)
	if err != nil {
		return in, meetcal.Plan{}, cronError(in.Cron, err)
	}
	return in, plan, nil
}

// cronError explains a rejected schedule, with examples that work.
func cronError(spec string, err error) error {
	switch {
	case errors.Is(err, meetcal.ErrTooFrequent):
		return Errorf(EINVALID, "meet.cron.too_frequent", "cron", spec)
	case errors.Is(err, meetcal.ErrNeverFires):
		return Errorf(EINVALID, "meet.cron.never", "cron", spec)
	case errors.Is(err, meetcal.ErrEveryNWeeks):
		return Errorf(EINVALID, "meet.cron.weeks", "max", meetcal.MaxEveryNWeeks)
	}
	detail := err.Error()
	if i := strings.LastIndex(detail, ": "); i >= 0 {
		detail = detail[i+2:]
	}
	return Errorf(EINVALID, "meet.cron.invalid", "cron", spec, "detail", detail)
}

// programmeCard shows a programme: schedule with the next three dates, settings, and the last
// round: its counts (never who) to the coordinator and admins, the reader's own part to others.
func (b *Bot) programmeCard(ctx context.Context, c *Call, p Programme, notice string) (Reply, error) {
	r := Reply{Title: c.T("meet.card.title", "id", p.ID, "name", p.Name), Text: notice}
	coordinator := c.T("profile.none")
	if p.Coordinator != nil {
		coordinator = p.Coordinator.Name
	}
	var dates []string
	if plan, err := b.programmePlan(p); err == nil {
		for _, d := range plan.NextN(b.now(), 3) {
			dates = append(dates, b.whenText(c, &d))
		}
	}
	schedule := "`" + p.Cron + "`"
	if p.EveryNWeeks > 1 {
		schedule += " " + c.T("meet.every_weeks", "n", p.EveryNWeeks)
	}
	fields := []Field{
		{Label: c.T("meet.field.coordinator"), Value: coordinator},
		{Label: c.T("meet.field.schedule"), Value: schedule + " (" + p.Timezone + ")"},
		{Label: c.T("meet.field.next"), Value: orNone(c, strings.Join(dates, "\n"))},
		{Label: c.T("meet.field.group"), Value: strconv.Itoa(p.GroupSize)},
		{Label: c.T("meet.field.minutes"), Value: strconv.Itoa(p.MeetingMinutes)},
		{Label: c.T("meet.field.format"), Value: c.T("meet.format." + string(p.Format))},
		{Label: c.T("meet.field.followup"), Value: strconv.Itoa(p.FollowUpDays)},
		{Label: c.T("meet.field.participants"), Value: strconv.Itoa(p.Participants)},
	}
	if p.AudienceChannel != "" {
		fields = append(fields, Field{Label: c.T("meet.audience"), Value: c.T("meet.audience_channel", "channel", channelMention(p.AudienceChannel))})
	}
	r.Sections = append(r.Sections, Section{Fields: fields})
	stats, err := b.meetings.LastRounds(ctx, p.ID, 1)
	if err != nil {
		return Reply{}, fmt.Errorf("last rounds: %w", err)
	}
	coordinates := b.requireProgrammeCoordinator(c, p) == nil
	switch {
	case len(stats) == 0:
		r.Sections = append(r.Sections, Section{Text: c.T("meet.card.no_rounds")})
	case coordinates:
		s := stats[0]
		r.Sections = append(r.Sections, Section{Title: c.T("meet.card.last_round", "n", s.Number, "date", b.whenText(c, &s.ScheduledFor)),
			Text: c.T("meet.card.stats", "groups", c.T("meet.count.groups", "n", s.Groups),
				"grouped", c.T("meet.count.people", "n", s.Grouped), "left_out", c.T("meet.count.left_out", "n", s.LeftOut),
				"met", s.Met, "not_yet", s.NotYet, "not_met", s.NotMet, "no_answer", s.NoAnswer)})
	default:
		// A participant sees their own part, never the counts: in a small programme, "2 left
		// out" would tell the other person that someone said "never with" them.
		s := stats[0]
		part, err := b.meetings.RoundPart(ctx, s.RoundID, c.Caller.ID)
		if err != nil {
			return Reply{}, fmt.Errorf("round part: %w", err)
		}
		r.Sections = append(r.Sections, Section{Title: c.T("meet.card.last_round", "n", s.Number, "date", b.whenText(c, &s.ScheduledFor)),
			Text: roundPartText(c, part)})
	}
	// How the meetings went, over all the programme's rounds: never per group, and only among
	// at least k answers; below that the coordinator sees how many answered.
	fb, err := b.meetings.ProgrammeFeedback(ctx, p.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("programme feedback: %w", err)
	}
	if fb.Opened() {
		r.Sections = append(r.Sections, surveySection(c, c.T("meet.card.feedback"), fb, fb.Report.K, coordinates, nil))
		if ideas := surveyTexts(fb.Report, maxCardIdeas); coordinates && len(ideas) > 0 {
			r.Sections = append(r.Sections, Section{Title: c.T("meet.card.ideas"), Text: fitLines(c, ideas, maxSummaryText)})
		}
	}
	id := strconv.FormatInt(p.ID, 10)
	mine, err := b.meetings.Enrolments(ctx, c.Caller.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("enrolments: %w", err)
	}
	// "Join" only for who is not in it, "come back" for who was paused for not answering;
	// someone taking part needs neither.
	enrolled := slices.IndexFunc(mine, func(e Enrolment) bool { return e.ProgrammeID == p.ID })
	switch {
	case enrolled < 0:
		r.Choices = append(r.Choices, Choice{Label: c.T("meet.button.join", "name", p.Name), Command: meetWord + " iscrivimi " + id})
	case mine[enrolled].AutoPaused:
		r.Choices = append(r.Choices, Choice{Label: c.T("meet.button.rejoin", "name", p.Name), Command: meetWord + " iscrivimi " + id})
	}
	if coordinates {
		r.Choices = append(r.Choices,
			Choice{Label: c.T("meet.button.preview"), Command: meetWord + " " + id + " anteprima"},
			Choice{Label: c.T("meet.button.run"), Command: meetWord + " " + id + " round", Style: StyleDanger})
	}
	return r, nil
}

// maxCardIdeas bounds the free-text answers a programme card lists.
const maxCardIdeas = 10

// surveyTexts lists the free-text answers of rep's text questions as bullet lines, at most max:
// only those the aggregate shows (at least k answers, in an order that says nothing of who or
// when), without any detail beside them.
func surveyTexts(rep survey.Report, max int) []string {
	var lines []string
	for _, q := range rep.Questions {
		if q.Question.Kind != survey.KindText || q.Hidden {
			continue
		}
		for _, t := range q.Texts {
			if len(lines) == max {
				return lines
			}
			lines = append(lines, "• "+clip(t, summaryQuestionLen*2))
		}
	}
	return lines
}

// programmePreview pairs the next round and shows it; nothing is stored or sent.
func (b *Bot) programmePreview(ctx context.Context, c *Call, p Programme) (Reply, error) {
	plan, res, err := b.pairRound(ctx, p.ID)
	if err != nil {
		return Reply{}, err
	}
	grouped := 0
	for _, g := range res.Groups {
		grouped += len(g)
	}
	lines := []string{c.T("meet.preview.head", "n", plan.Rounds+1,
		"groups", c.T("meet.count.groups", "n", len(res.Groups)), "grouped", c.T("meet.count.people", "n", grouped))}
	lines = append(lines, reportRelaxations(c, res.Report)...)
	for _, lo := range res.LeftOut {
		lines = append(lines, "• "+c.T("meet.leftout.item", "name", plan.People[lo.ID].Name, "reason", leftOutReason(c, lo.Reason)))
	}
	r := Reply{Title: c.T("meet.preview.title", "name", p.Name), Text: strings.Join(lines, "\n")}
	for i, g := range res.Groups {
		if i == previewGroups {
			r.Sections = append(r.Sections, Section{Text: c.T("meet.preview.more", "n", len(res.Groups)-previewGroups)})
			break
		}
		names := make([]string, len(g))
		for j, id := range g {
			names[j] = plan.People[id].Name
		}
		r.Sections = append(r.Sections, Section{Text: fmt.Sprintf("%d) %s", i+1, strings.Join(names, ", "))})
	}
	r.Choices = []Choice{{Label: c.T("meet.button.run"), Command: fmt.Sprintf("%s %d round", meetWord, p.ID), Style: StyleDanger}}
	return r, nil
}

// programmeRunNow runs a round at once (the minute is its identity: a double click in the
// same minute runs it once).
func (b *Bot) programmeRunNow(ctx context.Context, c *Call, p Programme) (Reply, error) {
	r, ran, err := b.RunRound(ctx, p.ID, b.now(), true)
	if err != nil {
		return Reply{}, err
	}
	grouped := 0
	for _, g := range r.Groups {
		grouped += len(g.Members)
	}
	key := "meet.run.done"
	if !ran {
		key = "meet.run.already"
	}
	return Reply{Text: c.T(key, "n", r.Number, "name", p.Name, "groups", c.T("meet.count.groups", "n", len(r.Groups)),
		"grouped", c.T("meet.count.people", "n", grouped), "left_out", c.T("meet.count.left_out", "n", len(r.LeftOut)),
		"days", c.T("meet.count.days", "n", p.FollowUpDays))}, nil
}

// channelID reads a Slack channel reference: "#nome" as typed (the app does not ask Slack to
// escape mentions; the Slack client finds the id by name), a mention as Slack escapes it
// ("<#C123|nome>") or a bare id; "" when it is none of them.
func channelID(v string) string {
	v = strings.TrimSpace(v)
	if name, ok := strings.CutPrefix(v, "#"); ok {
		if name == "" || len(name) > 63 {
			return ""
		}
		for _, r := range name {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
				return ""
			}
		}
		return v
	}
	if strings.HasPrefix(v, "<#") && strings.HasSuffix(v, ">") {
		v = strings.TrimSuffix(strings.TrimPrefix(v, "<#"), ">")
		v, _, _ = strings.Cut(v, "|")
	}
	if len(v) < 2 || (v[0] != 'C' && v[0] != 'G') {
		return ""
	}
	for _, r := range v {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return ""
		}
	}
	return v
}

// checkAudience makes sure the bot can read the members of a programme's channel before the
// programme exists: the bot asks only for public channels' scopes, so a private channel (or one
// that does not exist) is refused now, with a reply, rather than failing at every round.
func (b *Bot) checkAudience(ctx context.Context, channel string) error {
	if channel == "" {
		return nil
	}
	if strings.HasPrefix(channel, "G") {
		return Errorf(EINVALID, "meet.channel_private", "channel", channelMention(channel))
	}
	if b.directory == nil {
		return nil // the console: a channel audience is just whoever joins
	}
	if _, err := b.directory.ChannelMembers(ctx, channel); err != nil {
		b.log.WarnContext(ctx, "programme channel unreadable", "channel", channel, "err", err)
		return Errorf(EINVALID, "meet.channel_private", "channel", channelMention(channel))
	}
	return nil
}

// roundPartText says what the reader's part in a round was, in their words.
func roundPartText(c *Call, part RoundPart) string {
	switch {
	case part.Grouped && part.Answer != "":
		return c.T("meet.card.mine." + string(part.Answer))
	case part.Grouped && part.Arranged:
		return c.T("meet.card.mine.arranged")
	case part.Grouped:
		return c.T("meet.card.mine.grouped")
	case part.LeftOut:
		return c.T("meet.card.mine.left_out", "reason", leftOutReason(c, part.Reason))
	}
	return c.T("meet.card.mine.none")
}

// leftOutReason says why someone was left out of a round. "Never with" preferences are private:
// a person left out because of them is reported like anyone no group could take.
func leftOutReason(c *Call, r pairing.Reason) string {
	if r == pairing.ReasonNeverWith {
		r = pairing.ReasonAlone
	}
	return c.T("meet.reason." + string(r))
}
