package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/comune-prato/cantieri/internal/teamform"
)

// Team command words and limits.
const (
	teamWord        = "squadra"
	maxReplacements = 3
	maxTeamArgs     = 50 // exclusions or swaps in one command
)

func (b *Bot) teamCommand() *Command {
	state := []Param{
		{Name: W("escludi", "exclude"), Kind: KindList, MaxLen: 1000},
		{Name: W("scambi", "swaps"), Kind: KindList, MaxLen: 1000},
	}
	person := func(it, en string) Param { return Param{Name: W(it, en), Kind: KindID, Required: true} }
	return &Command{
		Name:    teamWord,
		EN:      "team",
		Summary: "team.summary",
		Private: true,
		Subs: []*Sub{
			{OnID: true, Fields: state, Summary: "team.sub.show", Examples: []string{"squadra 12", "squadra 12 escludi=34,56"},
				Handler: b.team},
			{OnID: true, Words: W("sostituisci", "replace"), Args: []Param{person("N", "N")}, Fields: state,
				Summary: "team.sub.replace", Examples: []string{"squadra 12 sostituisci 34"}, Handler: b.team},
			{OnID: true, Words: W("scambia", "swap"), Args: []Param{person("N", "N"), person("M", "M")}, Fields: state,
				Summary: "team.sub.swap", Examples: []string{"squadra 12 scambia 34 78"}, Handler: b.team},
			{OnID: true, Words: W("conferma", "confirm"), Summary: "team.sub.confirm",
				Fields:   append(append([]Param(nil), state...), Param{Name: W("canale", "channel"), Kind: KindBool, Label: "team.field.channel"}),
				Examples: []string{"squadra 12 conferma", "squadra 12 conferma canale=sì"}, Handler: b.team},
		},
	}
}

// teamState is everything a shown team depends on besides the database: the exclusions and the
// swaps, both carried in the command text so that every view is reproducible.
type teamState struct {
	project Project
	exclude []int64
	swaps   [][2]int64
	// channel is the coordinator's choice of a project channel, given with conferma.
	channel bool
}

// suffix renders the state as arguments of a follow-up command.
func (st teamState) suffix(exclude []int64, swaps [][2]int64) string {
	var sb strings.Builder
	if len(exclude) > 0 {
		parts := make([]string, len(exclude))
		for i, id := range exclude {
			parts[i] = strconv.FormatInt(id, 10)
		}
		sb.WriteString(" escludi=" + strings.Join(parts, ","))
	}
	if len(swaps) > 0 {
		parts := make([]string, len(swaps))
		for i, s := range swaps {
			parts[i] = fmt.Sprintf("%d:%d", s[0], s[1])
		}
		sb.WriteString(" scambi=" + strings.Join(parts, ","))
	}
	return sb.String()
}

func (st teamState) base() string { return fmt.Sprintf("%s %d", teamWord, st.project.ID) }

func parsePersonID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, Errorf(EINVALID, "team.bad_person", "arg", s)
	}
	return id, nil
}

func (b *Bot) team(ctx context.Context, c *Call) (Reply, error) {
	id := c.ID
	st := teamState{}
	for _, k := range c.Args.AllKeys() {
		v := c.Args.Named[k]
		switch k {
		case "escludi":
			for f := range strings.SplitSeq(v, ",") {
				if strings.TrimSpace(f) == "" {
					continue
				}
				eid, err := parsePersonID(f)
				if err != nil {
					return Reply{}, err
				}
				if !slices.Contains(st.exclude, eid) {
					st.exclude = append(st.exclude, eid)
				}
			}
		case "scambi":
			for f := range strings.SplitSeq(v, ",") {
				if strings.TrimSpace(f) == "" {
					continue
				}
				o, n, ok := strings.Cut(f, ":")
				oid, err1 := strconv.ParseInt(strings.TrimSpace(o), 10, 64)
				nid, err2 := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
				if !ok || err1 != nil || err2 != nil || oid <= 0 || nid <= 0 {
					return Reply{}, Errorf(EINVALID, "team.bad_swap", "arg", f)
				}
				st.swaps = append(st.swaps, [2]int64{oid, nid})
			}
		case "canale":
			st.channel = v == "sì"
		}
	}
	if len(st.exclude) > maxTeamArgs || len(st.swaps) > maxTeamArgs {
		return Reply{}, Errorf(EINVALID, "error.too_long", "max", maxTeamArgs)
	}
	p, err := b.loadProject(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	if err := b.requireManage(ctx, c, p); err != nil {
		return Reply{}, err
	}
	st.project = p
	// Projects are created within these bounds; one stored before they were the rule may
	// still be outside them.
	if p.TeamSize < MinTeamSize || p.TeamSize > MaxTeamSize {
		return Reply{}, Errorf(EINVALID, "team.bad_size", "id", p.ID, "n", p.TeamSize, "min", MinTeamSize, "max", MaxTeamSize)
	}
	pool, err := b.teams.TeamPool(ctx, p.ID)
	if ErrorCode(err) == ENOTFOUND {
		return Reply{}, Errorf(ENOTFOUND, "project.not_found", "id", id)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("team pool: %w", err)
	}
	pool.TeamSize = p.TeamSize

	action := c.Sub.Words.IT
	var args []int64
	for _, name := range []string{"N", "M"} {
		if v := c.Param(name); v != "" {
			eid, _ := strconv.ParseInt(v, 10, 64) // the grammar has checked it is an id
			args = append(args, eid)
		}
	}

	if p.Team.Confirmed() {
		return b.confirmedTeam(ctx, c, pool, st, action, args)
	}
	in := teamInput(pool, st)
	res, err := teamform.Form(in)
	if err != nil {
		return Reply{}, fmt.Errorf("form team: %w", err)
	}
	if res.Infeasible != nil {
		return infeasibleReply(c, pool, st, res.Infeasible), nil
	}
	members := res.Team.IDs()
	for _, sw := range st.swaps {
		if members, err = applySwap(in, pool, members, sw); err != nil {
			return Reply{}, err
		}
	}
	switch action {
	case "conferma":
		return b.confirmTeam(ctx, c, in, pool, st, members)
	case "sostituisci":
		return replacementsReply(c, in, pool, st, members, args[0], personName(pool, args[0]))
	case "scambia":
		sw := [2]int64{args[0], args[1]}
		if members, err = applySwap(in, pool, members, sw); err != nil {
			return Reply{}, err
		}
		st.swaps = append(st.swaps, sw)
		r, err := teamReply(c, in, pool, st, members)
		if err != nil {
			return Reply{}, err
		}
		r.Text = c.T("team.swap_applied", "new", personName(pool, sw[1]), "old", personName(pool, sw[0])) + "\n" + r.Text
		return r, nil
	}
	return teamReply(c, in, pool, st, members)
}

// teamInput builds the engine's input: the seed is the project id, so that the same command
// always shows the same team.
func teamInput(pool TeamPool, st teamState) teamform.Input {
	return teamform.Input{
		Required:      pool.Required,
		K:             pool.TeamSize,
		Candidates:    pool.Candidates,
		Links:         pool.Links,
		AdjacentSites: pool.Adjacent,
		Exclude:       st.exclude,
		Seed:          st.project.ID,
	}
}

func personName(pool TeamPool, id int64) string {
	if p, ok := pool.People[id]; ok {
		return p.Name
	}
	return "#" + strconv.FormatInt(id, 10)
}

// applySwap replaces sw[0] with sw[1] in members, in place of the same slot, when the engine
// lists sw[1] among the valid replacements (skills still covered, capacity, not excluded).
func applySwap(in teamform.Input, pool TeamPool, members []int64, sw [2]int64) ([]int64, error) {
	slot := slices.Index(members, sw[0])
	if slot < 0 {
		return nil, Errorf(EINVALID, "team.not_member", "emp", sw[0])
	}
	if _, ok := pool.People[sw[1]]; !ok {
		return nil, Errorf(EINVALID, "team.unknown_person", "emp", sw[1])
	}
	reps, err := teamform.Replacements(in, members, slot, -1)
	if err != nil {
		return nil, fmt.Errorf("replacements: %w", err)
	}
	if !slices.ContainsFunc(reps, func(r teamform.Replacement) bool { return r.Candidate.ID == sw[1] }) {
		return nil, Errorf(EINVALID, "team.swap_invalid", "new", personName(pool, sw[1]), "old", personName(pool, sw[0]))
	}
	out := slices.Clone(members)
	out[slot] = sw[1]
	return out, nil
}

func departmentName(c *Call, pool TeamPool, id int64) string {
	if d := pool.People[id].Department; d != "" {
		return d
	}
	return c.T("team.no_department")
}

func skillNames(c *Call, pool TeamPool, ids []teamform.SkillID) string {
	names := make([]string, len(ids))
	for i, s := range ids {
		names[i] = pool.Skills[s].Name(c.Locale)
	}
	return strings.Join(names, ", ")
}

func explanationText(c *Call, pool TeamPool, e teamform.Explanation) string {
	var parts []string
	if len(e.Skills) > 0 {
		parts = append(parts, c.T("team.why.skills", "skills", skillNames(c, pool, e.Skills)))
	}
	if e.NewDepartment {
		parts = append(parts, c.T("team.why.new_department"))
	}
	if e.NewLinks > 0 {
		parts = append(parts, c.T("team.why.links", "n", e.NewLinks))
	}
	if e.NonContiguousLinks > 0 {
		parts = append(parts, c.T("team.why.non_contiguous", "n", e.NonContiguousLinks))
	}
	if len(parts) == 0 {
		return c.T("team.why.none")
	}
	return strings.Join(parts, "; ")
}

func namesOf(pool TeamPool, ids []int64) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = personName(pool, id)
	}
	return strings.Join(names, ", ")
}

// teamReply shows a team with an explanation per member, the summary and, per member, the
// choices to replace them or recompute without them.
func teamReply(c *Call, in teamform.Input, pool TeamPool, st teamState, members []int64) (Reply, error) {
	team, err := teamform.Explain(in, members)
	if err != nil {
		return Reply{}, fmt.Errorf("explain team: %w", err)
	}
	picks, sum := team.Members, team.Summary
	var lines []string
	lines = append(lines, c.T("team.intro", "k", len(members)))
	if len(st.exclude) > 0 {
		lines = append(lines, c.T("team.excluded", "names", namesOf(pool, st.exclude)))
	}
	if len(st.swaps) > 0 {
		items := make([]string, len(st.swaps))
		for i, s := range st.swaps {
			items[i] = c.T("team.swap_item", "new", personName(pool, s[1]), "old", personName(pool, s[0]))
		}
		lines = append(lines, c.T("team.swapped", "swaps", strings.Join(items, ", ")))
	}
	r := Reply{Title: c.T("team.title", "id", st.project.ID, "title", st.project.Title)}
	for i, pk := range picks {
		id := pk.Candidate.ID
		person := pool.People[id]
		r.Sections = append(r.Sections, Section{
			Text: c.T("team.member", "n", i+1, "name", person.Name, "emp", id, "unit", person.Unit,
				"department", departmentName(c, pool, id)) + "\n" + explanationText(c, pool, pk.Explanation),
		})
	}
	r.Sections = append(r.Sections, Section{Text: c.T("team.summary_line", "departments", sum.Departments,
		"links", sum.NewLinks, "pairs", sum.Pairs, "non_contiguous", sum.NonContiguousLinks)})
	r.Text = strings.Join(lines, "\n")
	suffix := st.suffix(st.exclude, st.swaps)
	r.Choices = append(r.Choices,
		Choice{Label: c.T("team.choice.confirm"), Command: st.base() + " conferma" + suffix, Style: StylePrimary},
		Choice{Label: c.T("team.choice.confirm_channel"), Command: st.base() + " conferma canale=sì" + suffix})
	for _, id := range members {
		r.Choices = append(r.Choices, Choice{
			Label:   c.T("team.choice.replace", "name", personName(pool, id)),
			Command: fmt.Sprintf("%s sostituisci %d%s", st.base(), id, st.suffix(st.exclude, st.swaps)),
		})
	}
	for _, id := range members {
		r.Choices = append(r.Choices, Choice{
			Label:   c.T("team.choice.without", "name", personName(pool, id)),
			Command: st.base() + st.suffix(append(slices.Clone(st.exclude), id), nil),
		})
	}
	return r, nil
}

// replacementsReply lists the best replacements for one member (called name), with their
// effect on the score.
func replacementsReply(c *Call, in teamform.Input, pool TeamPool, st teamState, members []int64, emp int64, name string) (Reply, error) {
	slot := slices.Index(members, emp)
	if slot < 0 {
		return Reply{}, Errorf(EINVALID, "team.not_member", "emp", emp)
	}
	reps, err := teamform.Replacements(in, members, slot, maxReplacements)
	if err != nil {
		return Reply{}, fmt.Errorf("replacements: %w", err)
	}
	r := Reply{Title: c.T("team.replacements.title", "name", name, "id", st.project.ID)}
	if len(reps) == 0 {
		r.Text = c.T("team.replacements.none", "name", name)
		return r, nil
	}
	for _, rep := range reps {
		id := rep.Candidate.ID
		person := pool.People[id]
		// The explanation is the candidate's own contribution to the rest of the team; the change
		// is against what the person replaced contributed: both say so, so that "aggiunge un
		// dipartimento" next to "dipartimenti +0" reads as "as did the one replaced".
		r.Sections = append(r.Sections, Section{Text: c.T("team.replacement", "name", person.Name, "emp", id,
			"unit", person.Unit, "department", departmentName(c, pool, id)) +
			"\n" + c.T("team.replacement.why", "old", name, "why", explanationText(c, pool, rep.Explanation)) +
			"\n" + c.T("team.replacement.delta", "old", name, "departments", fmt.Sprintf("%+d", rep.Delta.Departments),
			"links", fmt.Sprintf("%+d", rep.Delta.NewLinks))})
		r.Choices = append(r.Choices, Choice{
			Label:   c.T("team.choice.swap", "name", person.Name),
			Command: fmt.Sprintf("%s scambia %d %d%s", st.base(), emp, id, st.suffix(st.exclude, st.swaps)),
		})
	}
	return r, nil
}

// infeasibleReply says precisely why no team exists.
func infeasibleReply(c *Call, pool TeamPool, st teamState, inf *teamform.Infeasible) Reply {
	lines := []string{c.T("team.infeasible", "k", inf.K, "id", st.project.ID, "title", st.project.Title)}
	for _, m := range inf.Missing {
		lines = append(lines, "• "+c.T("team.infeasible.skill", "skill", pool.Skills[m.Skill].Name(c.Locale),
			"level", m.MinLevel, "needed", m.Needed, "available", m.Available, "short", m.Needed-m.Available))
	}
	if inf.TooFewCandidates {
		lines = append(lines, "• "+c.T("team.infeasible.too_few", "n", inf.Eligible, "k", inf.K))
	}
	if inf.Joint {
		lines = append(lines, "• "+c.T("team.infeasible.joint", "k", inf.K))
		if inf.Inconclusive {
			lines = append(lines, "• "+c.T("team.infeasible.inconclusive"))
		}
	}
	if len(st.exclude) > 0 {
		lines = append(lines, c.T("team.excluded", "names", namesOf(pool, st.exclude)))
	}
	return Reply{Text: strings.Join(lines, "\n"), IsError: true}
}
