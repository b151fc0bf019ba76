package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/comune-prato/cantieri/internal/teamform"
)

// The invitation flow: a confirmed proposal becomes invitations; invitees accept or decline;
// open slots are refilled on the coordinator's choice; the last acceptance forms the team.

// parseYesNo reads sì/si/yes/no (and true/false, 1/0).
func parseYesNo(s string) (yes, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "sì", "si", "yes", "y", "true", "1":
		return true, true
	case "no", "n", "false", "0":
		return false, true
	}
	return false, false
}

// teamProposal is the engine's best replacement for an open slot.
type teamProposal struct {
	id  int64
	why teamform.Explanation
}

// confirmTeam sends the invitations for the team shown by the same command without conferma.
func (b *Bot) confirmTeam(ctx context.Context, c *Call, in teamform.Input, pool TeamPool, st teamState, members []int64) (Reply, error) {
	p := st.project
	team, err := b.teams.InviteTeam(ctx, p.ID, c.Caller.ID, members, st.channel, func(t ProjectTeam) ([]Notice, error) {
		out := make([]Notice, 0, len(t.Slots))
		for _, inv := range t.Slots {
			out = append(out, b.invitationNotice(p, t, inv))
		}
		return out, nil
	})
	if err != nil {
		return Reply{}, err
	}
	b.log.InfoContext(ctx, "team invited", "project_id", p.ID, "members", len(members), "channel", st.channel)
	r := b.teamStatusReply(c, in, pool, p, team)
	r.Text = c.T("team.confirmed", "n", len(team.Slots), "days", int(InvitationTTL.Hours()/24)) + unreachableNote(c, team.Slots) + "\n" + r.Text
	return r, nil
}

// unreachableNote names the invitees who have no chat identity to receive the invitation.
func unreachableNote(c *Call, invs []Invitation) string {
	var names []string
	for _, inv := range invs {
		if inv.Person.Address() == "" && inv.Status == InvitePending {
			names = append(names, inv.Person.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "\n" + c.T("team.unreachable", "names", strings.Join(names, ", "))
}

// confirmedTeam handles squadra ID once invitations exist: the status, the replacements for an
// open (or still pending) slot, and giving a slot to someone else.
func (b *Bot) confirmedTeam(ctx context.Context, c *Call, pool TeamPool, st teamState, action string, args []int64) (Reply, error) {
	p := st.project
	in := teamInput(pool, teamState{project: p, exclude: p.Team.NotAgain()})
	members := p.Team.MemberIDs()
	switch action {
	case "":
		return b.teamStatusReply(c, in, pool, p, p.Team), nil
	case "conferma":
		return Reply{}, Errorf(EINVALID, "team.error.already_confirmed", "id", p.ID)
	case "sostituisci":
		if err := b.checkReplaceable(p.Team, args[0]); err != nil {
			return Reply{}, err
		}
		r, err := replacementsReply(c, in, pool, teamState{project: p}, members, args[0], slotHolder(c, p, args[0]))
		r.Private = true
		return r, err
	}
	// scambia OLD NEW: the new person must be a valid replacement for the slot.
	oldID, newID := args[0], args[1]
	if err := b.checkReplaceable(p.Team, oldID); err != nil {
		return Reply{}, err
	}
	if _, err := applySwap(in, pool, members, [2]int64{oldID, newID}); err != nil {
		return Reply{}, err
	}
	team, err := b.teams.ReplaceInvitee(ctx, p.ID, c.Caller.ID, oldID, newID, func(t ProjectTeam) ([]Notice, error) {
		var out []Notice
		if inv, ok := t.SlotOf(newID); ok {
			out = append(out, b.invitationNotice(p, t, inv))
		}
		for _, f := range t.Former {
			if f.Person.ID == oldID && f.Status == InviteCancelled {
				out = append(out, b.withdrawnNotice(t, f))
			}
		}
		return out, nil
	})
	if err != nil {
		return Reply{}, err
	}
	b.log.InfoContext(ctx, "team slot refilled", "project_id", p.ID, "old", oldID, "new", newID)
	r := b.teamStatusReply(c, in, pool, p, team)
	inv, _ := team.SlotOf(newID)
	r.Text = c.T("team.replaced", "new", personName(pool, newID), "old", slotHolder(c, p, oldID)) + unreachableNote(c, []Invitation{inv}) + "\n" + r.Text
	return r, nil
}

// slotHolder names the holder of emp's place as the reader may know them: by name to the
// coordinator, or while the invitation is pending or accepted; otherwise only by the place.
func slotHolder(c *Call, p Project, emp int64) string {
	inv, ok := p.Team.SlotOf(emp)
	if !ok || !inv.Open() || isCoordinator(c, p) {
		if ok {
			return inv.Person.Name
		}
		return "#" + strconv.FormatInt(emp, 10)
	}
	return c.T("team.former_holder", "n", inv.Slot)
}

// checkReplaceable refuses to replace someone who is not in the team or has accepted.
func (b *Bot) checkReplaceable(t ProjectTeam, emp int64) error {
	if t.Formed() {
		return Errorf(EINVALID, "team.error.formed", "id", t.ProjectID)
	}
	inv, ok := t.SlotOf(emp)
	if !ok {
		return Errorf(EINVALID, "team.not_member", "emp", emp)
	}
	if inv.Status == InviteAccepted {
		return Errorf(EINVALID, "team.error.replace_accepted", "name", inv.Person.Name)
	}
	return nil
}

// statusMark is an invitation's state in a team list; in the second person when the reader is
// the invitee.
func statusMark(c *Call, inv Invitation) string {
	key := "invite.status." + string(inv.Status)
	if c.Caller.ID != 0 && c.Caller.ID == inv.Person.ID {
		key = "invite.own_status." + string(inv.Status)
	}
	s := c.T(key, "date", dateText(c, inv.AnsweredAt))
	if inv.Status == InviteDeclined && inv.Reason != "" {
		s += " — " + c.T("team.notice.reason", "reason", inv.Reason)
	}
	return s
}

// teamStatusReply shows a confirmed team: each slot with its state, the summary, and what the
// coordinator can do about open slots.
func (b *Bot) teamStatusReply(c *Call, in teamform.Input, pool TeamPool, p Project, t ProjectTeam) Reply {
	id := strconv.FormatInt(p.ID, 10)
	r := Reply{Title: c.T("team.status_title", "id", p.ID, "title", p.Title)}
	switch {
	case t.Formed():
		r.Text = c.T("team.status.formed", "date", dateText(c, t.FormedAt))
		if t.Channel != "" {
			r.Text += "\n" + c.T("team.status.channel", "channel", channelMention(t.Channel))
		} else if t.WantChannel {
			r.Text += "\n" + c.T("team.notice.channel_coming")
		}
	default:
		r.Text = c.T("team.status.progress", "accepted", t.Count(InviteAccepted), "pending", t.Count(InvitePending),
			"open", len(t.Slots)-t.Count(InviteAccepted)-t.Count(InvitePending), "k", len(t.Slots))
	}
	// Only the coordinator learns who declined or let an invitation lapse, and why; to the
	// dirigenti and admins who may also manage the team, an open place is just open.
	coordinator := isCoordinator(c, p)
	r.Private = coordinator
	for _, inv := range t.Slots {
		if inv.Open() && !coordinator {
			r.Sections = append(r.Sections, Section{Text: c.T("team.status.open_slot", "n", inv.Slot)})
			if !t.Formed() {
				r.Choices = append(r.Choices, Choice{Label: c.T("team.choice.refill_slot", "n", inv.Slot),
					Command: fmt.Sprintf("%s %s sostituisci %d", teamWord, id, inv.Person.ID), Style: StylePrimary})
			}
			continue
		}
		person, ok := pool.People[inv.Person.ID]
		line := c.T("team.status.member", "n", inv.Slot, "name", inv.Person.Name, "emp", inv.Person.ID, "status", statusMark(c, inv))
		if ok {
			line += "\n" + person.Unit + ", " + departmentName(c, pool, inv.Person.ID)
		}
		r.Sections = append(r.Sections, Section{Text: line})
		if !t.Formed() && inv.Status != InviteAccepted {
			label := "team.choice.replace"
			if inv.Open() {
				label = "team.choice.refill"
			}
			r.Choices = append(r.Choices, Choice{Label: c.T(label, "name", inv.Person.Name),
				Command: fmt.Sprintf("%s %s sostituisci %d", teamWord, id, inv.Person.ID), Style: styleIf(inv.Open())})
		}
	}
	// Once formed, the team's own pairs are collaboration links too: the summary counts against
	// the links that existed before it, as the links the team created.
	key := "team.summary_line"
	if t.Formed() {
		in.Links, key = pool.linksBefore(*t.FormedAt), "team.summary_formed"
	}
	if team, err := teamform.Explain(in, t.MemberIDs()); err == nil {
		sum := team.Summary
		r.Sections = append(r.Sections, Section{Text: c.T(key, "departments", sum.Departments,
			"links", sum.NewLinks, "pairs", sum.Pairs, "non_contiguous", sum.NonContiguousLinks)})
	}
	r.Choices = append(r.Choices, Choice{Label: c.T("reminder.open_project"), Command: projectWord + " " + id})
	return r
}

func styleIf(primary bool) ChoiceStyle {
	if primary {
		return StylePrimary
	}
	return StyleDefault
}

// channelMention links a Slack channel id; other transports' ids are shown as they are.
func channelMention(ch string) string {
	if strings.HasPrefix(ch, "C") || strings.HasPrefix(ch, "G") {
		return "<#" + ch + ">"
	}
	return ch
}

// proposeReplacement finds the best person for inv's slot, or nil when nobody keeps the skills
// covered (or the pool cannot be read: the coordinator can still ask with squadra sostituisci).
func (b *Bot) proposeReplacement(ctx context.Context, t ProjectTeam, inv Invitation, pool TeamPool, poolErr error, alsoExclude ...int64) *teamProposal {
	if poolErr != nil {
		b.log.WarnContext(ctx, "team pool for a replacement", "project_id", t.ProjectID, "err", poolErr)
		return nil
	}
	members := t.MemberIDs()
	slot := slices.Index(members, inv.Person.ID)
	if slot < 0 {
		return nil
	}
	in := teamInput(pool, teamState{project: Project{ID: t.ProjectID}, exclude: append(t.NotAgain(), alsoExclude...)})
	reps, err := teamform.Replacements(in, members, slot, 1)
	if err != nil || len(reps) == 0 {
		if err != nil {
			b.log.WarnContext(ctx, "replacement for an open slot", "project_id", t.ProjectID, "err", err)
		}
		return nil
	}
	return &teamProposal{id: reps[0].Candidate.ID, why: reps[0].Explanation}
}

// teamPoolFor loads the pool with the project's team size.
func (b *Bot) teamPoolFor(ctx context.Context, projectID int64, size int) (TeamPool, error) {
	pool, err := b.teams.TeamPool(ctx, projectID)
	pool.TeamSize = size
	return pool, err
}

// Invitation commands (the invitee's side).

const inviteWord = "invito"

func (b *Bot) inviteCommand() *Command {
	return &Command{
		Name:    inviteWord,
		EN:      "invitation",
		Aliases: []string{"inviti", "invitations"},
		Summary: "invite.summary",
		Private: true,
		Subs: []*Sub{
			{Summary: "invite.sub.list", Examples: []string{"invito"}, Handler: b.myInvitations},
			{OnID: true, Summary: "invite.sub.show", Examples: []string{"invito 12"},
				Handler: func(ctx context.Context, c *Call) (Reply, error) { return b.showInvitation(ctx, c, c.ID) }},
			{OnID: true, Words: W("accetta", "accept"), Summary: "invite.sub.accept", Examples: []string{"invito 12 accetta"},
				Handler: func(ctx context.Context, c *Call) (Reply, error) { return b.answerInvitation(ctx, c, c.ID, true, "") }},
			{OnID: true, Words: W("rifiuta", "decline"), Summary: "invite.sub.decline",
				Args:     []Param{{Name: W("modulo", "form"), Kind: KindChoice, Values: []Words{W("modulo", "form")}}},
				Fields:   declineFields,
				Examples: []string{"invito 12 rifiuta", `invito 12 rifiuta motivo="sono in ferie a marzo"`},
				Handler: func(ctx context.Context, c *Call) (Reply, error) {
					if c.Param("modulo") != "" {
						return declineForm(c, c.ID), nil
					}
					return b.answerInvitation(ctx, c, c.ID, false, strings.TrimSpace(c.Args.Named["motivo"]))
				}},
		},
	}
}

// declineFields is the optional reason of a declined invitation: it reaches only the coordinator.
var declineFields = []Param{{Name: W("motivo", "reason"), Kind: KindText, MaxLen: MaxDeclineReason, Multiline: true,
	Label: "invite.form.reason", Hint: "invite.form.reason_hint"}}

func declineForm(c *Call, pid int64) Reply {
	return Reply{Form: &Form{
		ID:          "invite-decline",
		Title:       c.T("invite.form.title"),
		SubmitLabel: c.T("invite.button.decline"),
		Submit:      fmt.Sprintf("%s %d rifiuta", inviteWord, pid),
		Fields:      formFields(c, declineFields, nil),
	}}
}

func (b *Bot) myInvitations(ctx context.Context, c *Call) (Reply, error) {
	invs, err := b.teams.MyInvitations(ctx, c.Caller.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("my invitations: %w", err)
	}
	r := Reply{Title: c.T("invite.list_title")}
	if len(invs) == 0 {
		r.Text = c.T("invite.none")
		return r, nil
	}
	for _, inv := range invs {
		r.Sections = append(r.Sections, Section{Text: c.T("invite.item", "id", inv.ProjectID, "title", inv.ProjectTitle,
			"coordinator", orNone(c, inv.Coordinator), "status", statusMark(c, inv.Invitation), "date", dateText(c, &inv.InvitedAt))})
		if inv.Status == InvitePending {
			r.Choices = append(r.Choices, Choice{Label: c.T("invite.button.open", "id", inv.ProjectID),
				Command: fmt.Sprintf("%s %d", inviteWord, inv.ProjectID), Style: StylePrimary})
		}
	}
	return r, nil
}

// ownInvitation returns the caller's invitation to the project (their latest).
func ownInvitation(t ProjectTeam, emp int64) (Invitation, bool) {
	if inv, ok := t.SlotOf(emp); ok {
		return inv, true
	}
	for _, f := range t.Former {
		if f.Person.ID == emp {
			return f, true
		}
	}
	return Invitation{}, false
}

func (b *Bot) showInvitation(ctx context.Context, c *Call, pid int64) (Reply, error) {
	p, err := b.loadProject(ctx, pid)
	if err != nil {
		return Reply{}, err
	}
	inv, ok := ownInvitation(p.Team, c.Caller.ID)
	if !ok {
		return Reply{}, Errorf(ENOTFOUND, "invite.not_invited", "id", pid, "title", p.Title)
	}
	card := projectCard(c, p, "", false)
	r := Reply{Title: c.T("invite.title", "id", p.ID, "title", p.Title), Text: c.T("invite.your_status", "status", statusMark(c, inv))}
	if len(card.Sections) > 0 {
		r.Sections = card.Sections[:1]
	}
	if inv.Status == InvitePending && !closedPhase(p.Phase) {
		r.Choices = invitationChoices(c, strconv.FormatInt(pid, 10))
	}
	return r, nil
}

func closedPhase(p Phase) bool { return p == PhaseConcluso || p == PhaseAnnullato }

func (b *Bot) answerInvitation(ctx context.Context, c *Call, pid int64, accept bool, reason string) (Reply, error) {
	if err := ValidateDeclineReason(reason); err != nil {
		return Reply{}, err
	}
	head, err := b.teams.ProjectTeam(ctx, pid)
	if ErrorCode(err) == ENOTFOUND {
		return Reply{}, Errorf(ENOTFOUND, "project.not_found", "id", pid)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("load team: %w", err)
	}
	// A decline proposes a replacement: the pool is read before the change, outside its
	// transaction (the proposal is a suggestion, checked again when the coordinator acts).
	var (
		pool    TeamPool
		poolErr error
	)
	if !accept && head.Coordinator != nil {
		p, err := b.loadProject(ctx, pid)
		if err != nil {
			return Reply{}, err
		}
		pool, poolErr = b.teamPoolFor(ctx, pid, p.TeamSize)
	}
	out, err := b.teams.AnswerInvitation(ctx, pid, c.Caller.ID, accept, reason, func(t ProjectTeam) ([]Notice, error) {
		inv, _ := t.SlotOf(c.Caller.ID)
		switch {
		case t.Formed():
			return b.formedNotices(t), nil
		case accept:
			return b.acceptedNotice(t, inv), nil
		case t.Coordinator != nil:
			return []Notice{b.openSlotNotice(t, inv, pool, b.proposeReplacement(ctx, t, inv, pool, poolErr))}, nil
		}
		return nil, nil
	})
	if errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(ENOTFOUND, "invite.not_invited", "id", pid, "title", head.ProjectTitle)
	}
	if err != nil {
		return Reply{}, err
	}
	title := out.Team.ProjectTitle
	if !out.Changed {
		// A second click, or an answer after the invitation lapsed: say how things stand.
		if closedPhase(out.Team.Phase) && out.Before.Status == InvitePending {
			return Reply{Text: c.T("invite.project_closed", "id", pid, "title", title)}, nil
		}
		return Reply{Text: c.T("invite.already."+string(out.Before.Status), "id", pid, "title", title)}, nil
	}
	b.log.InfoContext(ctx, "invitation answered", "project_id", pid, "accepted", accept, "formed", out.Team.Formed())
	switch {
	case out.Team.Formed():
		return Reply{Text: c.T("invite.accepted", "id", pid, "title", title) + "\n" + c.T("invite.team_formed")}, nil
	case accept:
		return Reply{Text: c.T("invite.accepted", "id", pid, "title", title)}, nil
	}
	return Reply{Text: c.T("invite.declined", "id", pid, "title", title)}, nil
}

// SweepResult counts what a sweep of the invitations did.
type SweepResult struct {
	Expired  int
	Reminded int
}

// SweepInvitations expires the invitations unanswered for InvitationTTL (proposing a
// replacement to each coordinator) and reminds coordinators, once a day, of invitations
// pending for more than a day. A durable schedule runs it; every message it causes is keyed,
// so running it twice sends nothing twice.
func (b *Bot) SweepInvitations(ctx context.Context, now time.Time, loc *time.Location) (SweepResult, error) {
	var res SweepResult
	if b.teams == nil {
		return res, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	pools := map[int64]TeamPool{}
	// Two places of one team opening in the same sweep get two different proposals.
	proposed := map[int64][]int64{}
	n, err := b.teams.ExpireInvitations(ctx, now.Add(-InvitationTTL), func(t ProjectTeam, inv Invitation) ([]Notice, error) {
		out := []Notice{b.expiredNotice(t, inv)}
		if t.Coordinator == nil {
			return out, nil
		}
		pool, ok := pools[t.ProjectID]
		var poolErr error
		if !ok {
			var p Project
			if p, poolErr = b.projects.Project(ctx, t.ProjectID); poolErr == nil {
				pool, poolErr = b.teamPoolFor(ctx, t.ProjectID, p.TeamSize)
			}
			if poolErr == nil {
				pools[t.ProjectID] = pool
			}
		}
		prop := b.proposeReplacement(ctx, t, inv, pool, poolErr, proposed[t.ProjectID]...)
		if prop != nil {
			proposed[t.ProjectID] = append(proposed[t.ProjectID], prop.id)
		}
		return append(out, b.openSlotNotice(t, inv, pool, prop)), nil
	})
	res.Expired = n
	if err != nil {
		return res, fmt.Errorf("expire invitations: %w", err)
	}
	teams, err := b.teams.PendingTeams(ctx, now.Add(-24*time.Hour))
	if err != nil {
		return res, fmt.Errorf("pending invitations: %w", err)
	}
	var notices []Notice
	for _, t := range teams {
		if nt, ok := b.pendingNotice(t, now, loc); ok {
			notices = append(notices, nt)
		}
	}
	if err := b.teams.Notify(ctx, notices); err != nil {
		return res, fmt.Errorf("remind pending invitations: %w", err)
	}
	res.Reminded = len(notices)
	return res, nil
}

// TeamChannelPlan says how to create a formed team's channel: its name, whom to invite and
// the card to pin (in the bot's default language: the channel is shared).
func (b *Bot) TeamChannelPlan(ctx context.Context, projectID int64) (TeamChannelPlan, error) {
	p, err := b.loadProject(ctx, projectID)
	if err != nil {
		return TeamChannelPlan{}, err
	}
	plan := TeamChannelPlan{ProjectID: p.ID, Name: channelName(p.ID, p.Title), Channel: p.Team.Channel}
	seen := map[string]bool{}
	add := func(ref PersonRef) {
		if a := ref.Address(); a != "" && !seen[a] {
			seen[a] = true
			plan.Members = append(plan.Members, a)
		}
	}
	if p.Team.Coordinator != nil {
		add(*p.Team.Coordinator)
	}
	for _, s := range p.Team.Slots {
		if s.Status == InviteAccepted {
			add(s.Person)
		}
	}
	c := &Call{Locale: b.defaultLocale}
	card := projectCard(c, p, c.T("team.channel_welcome"), false)
	card.Choices = []Choice{{Label: c.T("reminder.open_project"), Command: fmt.Sprintf("%s %d", projectWord, p.ID)}}
	card.Public = true
	card.Locale = c.Locale
	plan.Card = card
	return plan, nil
}

// channelName makes a Slack channel name from the project: "cantieri-12-" and the title's
// first words, lowercase letters, digits and hyphens only, at most 80 characters.
func channelName(id int64, title string) string {
	var sb strings.Builder
	dash := false
	for _, r := range strings.ToLower(foldAccents(title)) {
		switch {
		case (r >= 'a' && r <= 'z') || unicode.IsDigit(r) && r < 128:
			sb.WriteRune(r)
			dash = false
		case !dash && sb.Len() > 0:
			sb.WriteByte('-')
			dash = true
		}
	}
	name := fmt.Sprintf("cantieri-%d-%s", id, strings.Trim(sb.String(), "-"))
	if len(name) > 80 {
		name = strings.TrimRight(name[:80], "-")
	}
	return strings.TrimRight(name, "-")
}

// foldAccents maps the accented letters of Italian to their base letter.
func foldAccents(s string) string {
	return strings.NewReplacer("à", "a", "á", "a", "è", "e", "é", "e", "ì", "i", "í", "i", "ò", "o", "ó", "o", "ù", "u", "ú", "u",
		"À", "a", "È", "e", "É", "e", "Ì", "i", "Ò", "o", "Ù", "u").Replace(s)
}
