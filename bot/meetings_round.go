package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/meetcal"
	"github.com/comune-prato/cantieri/internal/pairing"
)

// GroupAddressPrefix marks a group conversation: the transport opens one conversation with all
// the addresses after it (Slack's conversations.open with several users).
const GroupAddressPrefix = "group:"

// GroupAddress is where a message to a whole group goes.
func GroupAddress(people []PersonRef) string {
	addrs := make([]string, 0, len(people))
	for _, p := range people {
		if a := p.Address(); a != "" {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		return ""
	}
	return GroupAddressPrefix + strings.Join(addrs, ",")
}

// Defaults of a new programme.
const (
	defaultGroupSize     = 2
	defaultMeetingLength = 30
	defaultFollowUpDays  = 5
	defaultMeetingCron   = "0 10 * * 2" // Tuesdays at 10:00
	// reportGroups bounds the groups listed in a coordinator's report (Slack's message size).
	reportGroups = 20
	// defaultStarters is how many starters the catalogue ships per language.
	defaultStarters = 6
)

// programmePlan is the programme's calendar of rounds.
func (b *Bot) programmePlan(p Programme) (meetcal.Plan, error) {
	loc := b.loc
	if p.Timezone != "" {
		if l, err := time.LoadLocation(p.Timezone); err == nil {
			loc = l
		}
	}
	return meetcal.NewPlan(p.Cron, p.EveryNWeeks, loc, p.CreatedAt, b.holidays)
}

// groupLocale is the language of a group message: the members' own if they share one, the
// bot's default otherwise.
func (b *Bot) groupLocale(people []PersonRef) string {
	l := ""
	for i, p := range people {
		pl := b.Locale(p.Locale, "")
		if i > 0 && pl != l {
			return b.defaultLocale
		}
		l = pl
	}
	if l == "" {
		return b.defaultLocale
	}
	return l
}

// starter picks group g's conversation starter in round n: the programme's own list, or the
// shipped defaults in the group's language, rotating so that a round's groups and consecutive
// rounds differ.
func starter(p Programme, locale string, n, g int) string {
	if len(p.Starters) > 0 {
		return p.Starters[(n+g)%len(p.Starters)]
	}
	return i18n.T(locale, "meet.starter."+strconv.Itoa((n+g)%defaultStarters+1))
}

// suggestSlot proposes a time inside working hours: the first working day after the round's
// day (not a weekend, not a holiday), from 09:30, groups spread over half hours until 16:00.
func (b *Bot) suggestSlot(start time.Time, g, minutes int) time.Time {
	d := start.In(b.loc)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, b.loc)
	for i := 0; i < 30; i++ {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if hol, _ := b.holidays.IsHoliday(day); hol {
			continue
		}
		break
	}
	slots := max(1, (16*60+30-9*60-30)/max(30, minutes)) // start times from 09:30 to 16:30 − length
	return day.Add(9*time.Hour + 30*time.Minute + time.Duration(g%slots*max(30, minutes))*time.Minute)
}

// slotText writes a slot as "mar 01/12/2026, 10:00–10:30".
func slotText(locale string, t time.Time, minutes int) string {
	end := t.Add(time.Duration(minutes) * time.Minute)
	wd := i18n.T(locale, "weekday."+strconv.Itoa(int(t.Weekday())))
	if locale == i18n.EN {
		return fmt.Sprintf("%s %s, %s–%s", wd, t.Format("2 Jan 2006"), t.Format("15:04"), end.Format("15:04"))
	}
	return fmt.Sprintf("%s %s, %s–%s", wd, t.Format("02/01/2006"), t.Format("15:04"), end.Format("15:04"))
}

// pairRound pairs the programme's next round without storing anything.
func (b *Bot) pairRound(ctx context.Context, programmeID int64) (RoundPlan, pairing.Result, error) {
	plan, err := b.meetings.RoundPlan(ctx, programmeID)
	if err != nil {
		return RoundPlan{}, pairing.Result{}, err
	}
	in := plan.Input
	// The same programme and round number always pair the same way (a preview then shows
	// the round that runs, if nothing changes in between).
	in.Seed = programmeID*1_000_003 + int64(plan.Rounds+1)
	res, err := pairing.Form(in)
	if err != nil {
		return RoundPlan{}, pairing.Result{}, fmt.Errorf("pair round of programme %d: %w", programmeID, err)
	}
	return plan, res, nil
}

// RunRound pairs and records a programme's round for scheduledFor, and enqueues its messages:
// one group conversation per group, the coordinator's report, and a notice to whoever is
// paused now for three silent rounds. ran is false when that round exists already (a second
// firing, another replica), in which case nothing is sent.
func (b *Bot) RunRound(ctx context.Context, programmeID int64, scheduledFor time.Time, manual bool) (Round, bool, error) {
	b.syncAudience(ctx, programmeID)
	plan, res, err := b.pairRound(ctx, programmeID)
	if err != nil {
		return Round{}, false, err
	}
	p := plan.Programme
	n := plan.Rounds + 1
	rec := RoundRecord{ProgrammeID: p.ID, ScheduledFor: scheduledFor.Truncate(time.Minute), Manual: manual,
		LeftOut: res.LeftOut, Report: res.Report}
	for i, g := range res.Groups {
		people := make([]PersonRef, len(g))
		for j, id := range g {
			people[j] = plan.People[id]
		}
		rec.Groups = append(rec.Groups, RoundGroup{Number: i + 1, Members: g,
			Starter: starter(p, b.groupLocale(people), n, i), Slot: b.suggestSlot(scheduledFor, i, p.MeetingMinutes)})
	}
	days := p.FollowUpDays
	if days <= 0 {
		days = defaultFollowUpDays
	}
	rec.FollowUpAt = scheduledFor.Add(time.Duration(days) * 24 * time.Hour)
	rec.NudgeAt = scheduledFor.Add(time.Duration(days) * 12 * time.Hour)
	if !manual {
		mp, err := b.programmePlan(p)
		if err != nil {
			return Round{}, false, fmt.Errorf("plan of programme %d: %w", p.ID, err)
		}
		// After downtime, the next round is the next future date: missed rounds are not
		// caught up one after another.
		next := mp.Next(later(scheduledFor, b.now()))
		if !next.IsZero() {
			rec.NextRoundAt = &next
		}
	}
	r, ran, err := b.meetings.RecordRound(ctx, rec, func(r Round, auto []PersonRef) ([]Notice, error) {
		out := make([]Notice, 0, len(r.Groups)+1+len(auto))
		for _, g := range r.Groups {
			if nt, ok := b.groupNotice(p, r, g); ok {
				out = append(out, nt)
			}
		}
		if p.Coordinator != nil {
			out = append(out, b.reportNotice(p, r, plan.People))
		}
		for _, a := range auto {
			c := b.callFor(a)
			out = append(out, Notice{Key: fmt.Sprintf("meet-autopause:%d:%d", r.ID, a.ID), Channel: a.Address(), Ref: roundRef(r.ID, a),
				Reply: Reply{Text: c.T("meet.autopaused", "name", p.Name, "id", p.ID), Locale: c.Locale}})
		}
		return out, nil
	})
	if err != nil {
		return Round{}, false, err
	}
	if ran {
		b.log.InfoContext(ctx, "exchange round recorded", "programme_id", p.ID, "round", r.Number, "groups", len(r.Groups),
			"left_out", len(r.LeftOut), "repeat_pairs", r.Report.RepeatPairs, "same_department_groups", r.Report.SameDepartmentGroups,
			"manual", manual)
	}
	return r, ran, nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// roundRef is the reference of a message of round roundID to people: due while the round
// stands and they are all active.
func roundRef(roundID int64, people ...PersonRef) NoticeRef {
	ref := refTo(people...)
	ref.Kind, ref.ID = RefRound, roundID
	return ref
}

// groupNotice is a group's conversation: who, for how long, how, a starter and a slot.
func (b *Bot) groupNotice(p Programme, r Round, g StoredGroup) (Notice, bool) {
	addr := GroupAddress(g.Members)
	if addr == "" {
		return Notice{}, false
	}
	l := b.groupLocale(g.Members)
	names := make([]string, len(g.Members))
	for i, m := range g.Members {
		names[i] = m.Name
	}
	text := i18n.T(l, "meet.group.text", "names", strings.Join(names, ", "), "n", r.Number, "programme", p.Name,
		"minutes", p.MeetingMinutes, "format", i18n.T(l, "meet.format."+string(p.Format))) + "\n" +
		i18n.T(l, "meet.group.starter", "starter", g.Starter) + "\n" +
		i18n.T(l, "meet.group.slot", "slot", slotText(l, g.Slot.In(b.loc), p.MeetingMinutes))
	return Notice{
		Key:     fmt.Sprintf("meet-group:%d:%d", r.ID, g.Number),
		Channel: addr,
		Ref:     roundRef(r.ID, g.Members...),
		Reply: Reply{Text: text, Locale: l, Choices: []Choice{
			{Label: i18n.T(l, "meet.button.arranged"), Command: answerCommand(p.ID, r.Number, "fissato"), Style: StylePrimary},
		}},
	}, true
}

// reportNotice tells the coordinator how the round went: groups, who was left out and why,
// and what the pairing had to relax.
func (b *Bot) reportNotice(p Programme, r Round, people map[int64]PersonRef) Notice {
	c := b.callFor(*p.Coordinator)
	grouped := 0
	for _, g := range r.Groups {
		grouped += len(g.Members)
	}
	lines := []string{c.T("meet.report.head", "n", r.Number, "programme", p.Name,
		"groups", c.T("meet.count.groups", "n", len(r.Groups)), "grouped", c.T("meet.count.people", "n", grouped))}
	lines = append(lines, reportRelaxations(c, r.Report)...)
	// The report names the people left out and those of the groups it lists.
	var named []PersonRef
	if len(r.LeftOut) > 0 {
		items := make([]string, len(r.LeftOut))
		for i, lo := range r.LeftOut {
			named = append(named, PersonRef{ID: lo.ID})
			name := people[lo.ID].Name
			if name == "" {
				name = "#" + strconv.FormatInt(lo.ID, 10)
			}
			items[i] = c.T("meet.leftout.item", "name", name, "reason", leftOutReason(c, lo.Reason))
		}
		lines = append(lines, c.T("meet.report.leftout", "n", len(r.LeftOut), "names", strings.Join(items, "; ")))
	}
	for i, g := range r.Groups {
		if i == reportGroups {
			lines = append(lines, c.T("meet.report.more", "n", len(r.Groups)-reportGroups, "id", p.ID))
			break
		}
		names := make([]string, len(g.Members))
		for j, m := range g.Members {
			names[j] = m.Name
		}
		named = append(named, g.Members...)
		lines = append(lines, fmt.Sprintf("%d) %s", g.Number, strings.Join(names, ", ")))
	}
	return Notice{
		Key:     fmt.Sprintf("meet-report:%d", r.ID),
		Channel: p.Coordinator.Address(),
		Ref:     roundRef(r.ID, *p.Coordinator).naming(named...),
		Reply: Reply{Title: c.T("meet.report.title", "n", r.Number, "name", p.Name), Text: strings.Join(lines, "\n"),
			Locale: c.Locale, Choices: []Choice{{Label: c.T("meet.button.card"), Command: fmt.Sprintf("%s %d", meetWord, p.ID)}}},
	}
}

// reportRelaxations says which preferences the pairing could not keep.
func reportRelaxations(c *Call, rep pairing.Report) []string {
	var out []string
	if rep.RepeatPairs > 0 {
		out = append(out, c.T("meet.report.repeats", "n", rep.RequestedLookback, "pairs", rep.RepeatPairs))
	}
	if rep.SameDepartmentGroups > 0 {
		out = append(out, c.T("meet.report.same_department", "n", rep.SameDepartmentGroups))
	}
	switch {
	case len(out) > 0 || rep.Pairs == 0:
	case rep.Lookback > 0:
		out = append(out, c.T("meet.report.clean", "n", rep.Lookback))
	default:
		out = append(out, c.T("meet.report.clean_first"))
	}
	return out
}

// stepNotices are the messages of a due follow-up step.
func (b *Bot) stepNotices(st DueStep) ([]Notice, error) {
	p, r := st.Programme, st.Round
	var out []Notice
	switch st.Step {
	case StepNudge:
		for _, g := range st.Groups {
			addr := GroupAddress(g.Members)
			if addr == "" {
				continue
			}
			l := b.groupLocale(g.Members)
			out = append(out, Notice{Key: fmt.Sprintf("meet-nudge:%d:%d", r.ID, g.Number), Channel: addr, Ref: roundRef(r.ID, g.Members...),
				Reply: Reply{Text: i18n.T(l, "meet.nudge", "programme", p.Name, "starter", g.Starter), Locale: l,
					Choices: []Choice{{Label: i18n.T(l, "meet.button.arranged"), Command: answerCommand(p.ID, r.Number, "fissato"), Style: StylePrimary}}}})
		}
	case StepFollowUp, StepReask:
		key := "meet-ask"
		text := "meet.ask"
		if st.Step == StepReask {
			key, text = "meet-reask", "meet.reask"
		}
		for _, person := range st.People {
			c := b.callFor(person)
			out = append(out, Notice{Key: fmt.Sprintf("%s:%d:%d", key, r.ID, person.ID), Channel: person.Address(), Ref: roundRef(r.ID, person),
				Reply: Reply{Text: c.T(text, "n", r.Number, "programme", p.Name), Locale: c.Locale, Choices: []Choice{
					{Label: c.T("meet.button.yes"), Command: answerCommand(p.ID, r.Number, "sì"), Style: StylePrimary},
					{Label: c.T("meet.button.not_yet"), Command: answerCommand(p.ID, r.Number, "non-ancora")},
					{Label: c.T("meet.button.no"), Command: answerCommand(p.ID, r.Number, "no")},
				}}})
		}
	}
	return out, nil
}

// MeetingsTick runs what is due at now: the rounds whose time has come and the follow-up steps
// (nudges, "did you meet?", re-asks). A durable schedule calls it every minute; every round and
// step is claimed in the database, so a second call, replica or retry does nothing twice.
func (b *Bot) MeetingsTick(ctx context.Context, now time.Time) error {
	if b.meetings == nil {
		return nil
	}
	due, err := b.meetings.DueProgrammes(ctx, now)
	if err != nil {
		return fmt.Errorf("due programmes: %w", err)
	}
	var errs []error
	for _, p := range due {
		if p.NextRoundAt == nil {
			continue
		}
		if _, _, err := b.RunRound(ctx, p.ID, *p.NextRoundAt, false); err != nil {
			errs = append(errs, fmt.Errorf("round of programme %d: %w", p.ID, err))
		}
	}
	if _, err := b.meetings.ClaimDueSteps(ctx, now, b.stepNotices); err != nil {
		errs = append(errs, fmt.Errorf("follow-up steps: %w", err))
	}
	return errors.Join(errs...)
}

// syncAudience brings a channel programme's enrolments in step with the channel before a round.
// A failure is logged, not fatal: the round runs with the enrolments as they are.
func (b *Bot) syncAudience(ctx context.Context, programmeID int64) {
	if b.directory == nil {
		return
	}
	p, err := b.meetings.Programme(ctx, programmeID)
	if err != nil || p.AudienceChannel == "" {
		return
	}
	ids, err := b.directory.ChannelMembers(ctx, p.AudienceChannel)
	if err != nil {
		b.log.WarnContext(ctx, "audience channel members; the round uses the current enrolments",
			"programme_id", programmeID, "err", err)
		return
	}
	joined, left, err := b.meetings.SyncAudience(ctx, programmeID, ids)
	if err != nil {
		b.log.WarnContext(ctx, "sync the audience; the round uses the current enrolments", "programme_id", programmeID, "err", err)
		return
	}
	b.log.InfoContext(ctx, "audience synced", "programme_id", programmeID, "members", len(ids), "joined", joined, "left", left)
}

// UseDirectory sets the channel directory after construction (the Slack transport, which needs
// the core first). Call it before serving requests.
func (b *Bot) UseDirectory(d ChannelDirectory) { b.directory = d }
