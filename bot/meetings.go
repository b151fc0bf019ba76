package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/internal/meetcal"
	"github.com/comune-prato/cantieri/internal/pairing"
)

const meetWord = "incontri"

// Limits of a programme's fields.
const (
	maxProgrammeName = 120
	maxStarters      = 30
	maxStarterLength = 300
	maxPauseRounds   = 12
	previewGroups    = 20
)

func (b *Bot) meetingsCommand() *Command {
	return &Command{
		Name:    meetWord,
		Aliases: []string{"meetings", "incontro", "meeting"},
		Summary: "meet.summary",
		Usage:   "meet.usage",
		Examples: []string{
			"incontri",
			"incontri iscrivimi 1",
			"incontri pausa 2",
			"incontri esci",
			"incontri mai @mario.rossi",
			`incontri nuovo nome="Caffè tra uffici" cron="0 10 * * 2" gruppo=2`,
			"incontri 1",
			"incontri 1 anteprima",
			"incontri 1 round",
		},
		Handler: privately(b.meetingsHandler),
	}
}

func (b *Bot) meetingsHandler(ctx context.Context, c *Call) (Reply, error) {
	pos := c.Args.Positional
	if len(pos) == 0 {
		return b.myMeetings(ctx, c)
	}
	rest := pos[1:]
	switch strings.ToLower(pos[0]) {
	case "nuovo", "new":
		return b.programmeNew(ctx, c)
	case "iscrivimi", "join":
		return b.meetJoin(ctx, c, rest)
	case "pausa", "pause":
		return b.meetPause(ctx, c, rest)
	case "esci", "leave":
		return b.meetLeave(ctx, c, rest)
	case "mai", "never":
		return b.meetNever(ctx, c, rest)
	case "giro":
		return b.meetAnswer(ctx, c, rest)
	}
	id, err := parseID(pos[0])
	if err != nil {
		return Reply{}, Errorf(EINVALID, "meet.bad_arg", "arg", pos[0])
	}
	p, err := b.loadProgramme(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	if len(rest) == 0 {
		return b.programmeCard(ctx, c, p, "")
	}
	if len(rest) > 1 {
		return Reply{}, Errorf(EINVALID, "meet.bad_arg", "arg", strings.Join(rest, " "))
	}
	switch strings.ToLower(rest[0]) {
	case "anteprima", "preview":
		if err := b.requireProgrammeCoordinator(c, p); err != nil {
			return Reply{}, err
		}
		return b.programmePreview(ctx, c, p)
	case "round", "avvia", "run":
		if err := b.requireProgrammeCoordinator(c, p); err != nil {
			return Reply{}, err
		}
		return b.programmeRunNow(ctx, c, p)
	}
	return Reply{}, Errorf(EINVALID, "meet.bad_arg", "arg", rest[0])
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
			"participants", p.Participants))
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
func (b *Bot) pickProgramme(ctx context.Context, c *Call, args []string, mine bool) (Programme, error) {
	if len(args) > 0 {
		id, err := parseID(args[0])
		if err != nil {
			return Programme{}, Errorf(EINVALID, "meet.bad_arg", "arg", args[0])
		}
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

func (b *Bot) meetJoin(ctx context.Context, c *Call, args []string) (Reply, error) {
	if len(args) > 1 {
		return Reply{}, Errorf(EINVALID, "meet.bad_arg", "arg", strings.Join(args, " "))
	}
	p, err := b.pickProgramme(ctx, c, args, false)
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

func (b *Bot) meetPause(ctx context.Context, c *Call, args []string) (Reply, error) {
	if len(args) == 0 || len(args) > 2 {
		return Reply{}, Errorf(EINVALID, "meet.bad_pause")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 || n > maxPauseRounds {
		return Reply{}, Errorf(EINVALID, "meet.bad_pause_n", "arg", args[0], "max", maxPauseRounds)
	}
	p, err := b.pickProgramme(ctx, c, args[1:], true)
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

func (b *Bot) meetLeave(ctx context.Context, c *Call, args []string) (Reply, error) {
	if len(args) > 1 {
		return Reply{}, Errorf(EINVALID, "meet.bad_arg", "arg", strings.Join(args, " "))
	}
	p, err := b.pickProgramme(ctx, c, args, true)
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
func (b *Bot) meetNever(ctx context.Context, c *Call, args []string) (Reply, error) {
	if len(args) != 1 {
		return Reply{}, Errorf(EINVALID, "meet.bad_never")
	}
	other, err := b.meetings.FindPerson(ctx, args[0])
	if errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(EINVALID, "meet.unknown_person", "arg", args[0])
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

// meetAnswer handles "incontri giro R sì|non-ancora|no|fissato".
func (b *Bot) meetAnswer(ctx context.Context, c *Call, args []string) (Reply, error) {
	if len(args) != 2 {
		return Reply{}, Errorf(EINVALID, "meet.bad_answer")
	}
	rid, err := parseID(args[0])
	if err != nil {
		return Reply{}, Errorf(EINVALID, "meet.bad_answer")
	}
	var a MeetAnswer
	switch strings.ToLower(args[1]) {
	case "sì", "si", "yes":
		a = MeetYes
	case "non-ancora", "nonancora", "not-yet", "notyet":
		a = MeetNotYet
	case "no":
		a = MeetNo
	case "fissato", "arranged":
		already, err := b.meetings.Arranged(ctx, rid, c.Caller.ID)
		if errors.Is(err, ErrNotFound) {
			return Reply{}, Errorf(ENOTFOUND, "meet.not_in_round", "id", rid)
		}
		if err != nil {
			return Reply{}, fmt.Errorf("arranged: %w", err)
		}
		if already {
			return Reply{Text: c.T("meet.arranged_already")}, nil
		}
		return Reply{Text: c.T("meet.arranged")}, nil
	default:
		return Reply{}, Errorf(EINVALID, "meet.bad_answer")
	}
	before, err := b.meetings.Answer(ctx, rid, c.Caller.ID, a)
	if errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(ENOTFOUND, "meet.not_in_round", "id", rid)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("answer: %w", err)
	}
	text := c.T("meet.answer." + string(a))
	if before == a {
		text = c.T("meet.answer.same")
	}
	return Reply{Text: text}, nil
}

// programmeNew shows the form, or validates the values and creates the programme.
func (b *Bot) programmeNew(ctx context.Context, c *Call) (Reply, error) {
	if !RoleAllows(c.Caller.Roles, RoleCoordinator) {
		return Reply{}, Errorf(EFORBIDDEN, "error.forbidden", "command", meetWord+" nuovo", "role", c.T("role."+string(RoleCoordinator)))
	}
	if len(c.Args.Named) == 0 {
		return programmeForm(c), nil
	}
	in, plan, err := b.parseProgramme(c)
	if err != nil {
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
	return Reply{Form: &Form{
		ID:          "meet-new",
		Title:       c.T("meet.form.title"),
		SubmitLabel: c.T("meet.form.submit"),
		Submit:      meetWord + " nuovo",
		Fields: []FormField{
			{Name: "nome", Label: c.T("meet.field.name"), Kind: FieldText, Required: true, MaxLength: maxProgrammeName},
			{Name: "cron", Label: c.T("meet.field.cron"), Hint: c.T("meet.field.cron_hint"), Kind: FieldText, Value: defaultMeetingCron, Required: true},
			{Name: "settimane", Label: c.T("meet.field.weeks"), Hint: c.T("meet.field.weeks_hint"), Kind: FieldNumber, Value: "1"},
			{Name: "gruppo", Label: c.T("meet.field.group"), Kind: FieldSelect, Value: "2",
				Options: []Option{{Value: "2", Label: "2"}, {Value: "3", Label: "3"}, {Value: "4", Label: "4"}}},
			{Name: "durata", Label: c.T("meet.field.minutes"), Kind: FieldNumber, Value: strconv.Itoa(defaultMeetingLength)},
			{Name: "formato", Label: c.T("meet.field.format"), Kind: FieldSelect, Value: string(FormatEither), Options: []Option{
				{Value: string(FormatInPerson), Label: c.T("meet.format.in_presenza")},
				{Value: string(FormatOnline), Label: c.T("meet.format.online")},
				{Value: string(FormatEither), Label: c.T("meet.format.misto")}}},
			{Name: "richiamo", Label: c.T("meet.field.followup"), Hint: c.T("meet.field.followup_hint"), Kind: FieldNumber, Value: strconv.Itoa(defaultFollowUpDays)},
			{Name: "spunti", Label: c.T("meet.field.starters"), Hint: c.T("meet.field.starters_hint"), Kind: FieldTextArea, MaxLength: 3000},
		},
	}}
}

// parseProgramme validates a new programme's fields; the cron expression with the calendar.
func (b *Bot) parseProgramme(c *Call) (ProgrammeInput, meetcal.Plan, error) {
	in := ProgrammeInput{CoordinatorID: c.Caller.ID, ProgrammeSettings: ProgrammeSettings{Cron: defaultMeetingCron, EveryNWeeks: 1,
		Timezone: b.loc.String(), GroupSize: defaultGroupSize, MeetingMinutes: defaultMeetingLength, Format: FormatEither,
		FollowUpDays: defaultFollowUpDays}}
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
		case "nome", "name":
			in.Name = v
		case "cron":
			if v != "" {
				in.Cron = v
			}
		case "settimane", "weeks":
			if v != "" {
				if in.EveryNWeeks, err = intArg(k, v, 1, meetcal.MaxEveryNWeeks); err != nil {
					return in, meetcal.Plan{}, err
				}
			}
		case "gruppo", "group":
			if in.GroupSize, err = intArg(k, v, 2, 4); err != nil {
				return in, meetcal.Plan{}, err
			}
		case "durata", "minutes":
			if in.MeetingMinutes, err = intArg(k, v, 10, 240); err != nil {
				return in, meetcal.Plan{}, err
			}
		case "richiamo", "followup":
			if in.FollowUpDays, err = intArg(k, v, 1, 30); err != nil {
				return in, meetcal.Plan{}, err
			}
		case "memoria", "lookback":
			if in.Lookback, err = intArg(k, v, 0, 52); err != nil {
				return in, meetcal.Plan{}, err
			}
		case "formato", "format":
			switch MeetingFormat(strings.ToLower(v)) {
			case FormatInPerson, FormatOnline, FormatEither:
				in.Format = MeetingFormat(strings.ToLower(v))
			default:
				return in, meetcal.Plan{}, Errorf(EINVALID, "meet.bad_format", "value", v)
			}
		case "canale", "channel":
			if v == "" {
				continue
			}
			if in.AudienceChannel = channelID(v); in.AudienceChannel == "" {
				return in, meetcal.Plan{}, Errorf(EINVALID, "meet.bad_channel", "value", v)
			}
		case "spunti", "starters":
			for line := range strings.SplitSeq(strings.ReplaceAll(v, "|", "\n"), "\n") {
				if line = strings.TrimSpace(line); line == "" {
					continue
				}
				if utf8.RuneCountInString(line) > maxStarterLength {
					return in, meetcal.Plan{}, Errorf(EINVALID, "meet.bad_starter", "max", maxStarterLength)
				}
				in.Starters = append(in.Starters, line)
			}
			if len(in.Starters) > maxStarters {
				return in, meetcal.Plan{}, Errorf(EINVALID, "meet.too_many_starters", "max", maxStarters)
			}
		default:
			return in, meetcal.Plan{}, Errorf(EINVALID, "meet.bad_field", "field", k)
		}
	}
	if in.Name == "" {
		return in, meetcal.Plan{}, Errorf(EINVALID, "meet.no_name")
	}
	if utf8.RuneCountInString(in.Name) > maxProgrammeName {
		return in, meetcal.Plan{}, Errorf(EINVALID, "meet.name_too_long", "max", maxProgrammeName)
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
// round's participation (counts only).
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
	if len(stats) == 0 {
		r.Sections = append(r.Sections, Section{Text: c.T("meet.card.no_rounds")})
	} else {
		s := stats[0]
		r.Sections = append(r.Sections, Section{Title: c.T("meet.card.last_round", "n", s.Number, "date", b.whenText(c, &s.ScheduledFor)),
			Text: c.T("meet.card.stats", "groups", s.Groups, "grouped", s.Grouped, "left_out", s.LeftOut,
				"met", s.Met, "not_yet", s.NotYet, "not_met", s.NotMet, "no_answer", s.NoAnswer)})
	}
	id := strconv.FormatInt(p.ID, 10)
	r.Choices = []Choice{{Label: c.T("meet.button.join", "name", p.Name), Command: meetWord + " iscrivimi " + id}}
	if b.requireProgrammeCoordinator(c, p) == nil {
		r.Choices = append(r.Choices,
			Choice{Label: c.T("meet.button.preview"), Command: meetWord + " " + id + " anteprima"},
			Choice{Label: c.T("meet.button.run"), Command: meetWord + " " + id + " round", Style: StyleDanger})
	}
	return r, nil
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
	lines := []string{c.T("meet.preview.head", "n", plan.Rounds+1, "groups", len(res.Groups), "grouped", grouped)}
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
	return Reply{Text: c.T(key, "n", r.Number, "name", p.Name, "groups", len(r.Groups), "grouped", grouped,
		"left_out", len(r.LeftOut), "days", p.FollowUpDays)}, nil
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

// leftOutReason says why someone was left out of a round. "Never with" preferences are private:
// a person left out because of them is reported like anyone no group could take.
func leftOutReason(c *Call, r pairing.Reason) string {
	if r == pairing.ReasonNeverWith {
		r = pairing.ReasonAlone
	}
	return c.T("meet.reason." + string(r))
}
