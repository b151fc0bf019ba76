package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// The messages of the invitation flow. Each is written in its recipient's language and keyed
// by what it is about, so that a retried change or job never sends it twice.

// callFor is a Call that only translates, for rendering a message in someone else's language.
func (b *Bot) callFor(p PersonRef) *Call {
	return &Call{Locale: b.Locale(p.Locale, "")}
}

func localeOf(p PersonRef) string {
	if l := i18n.Normalize(p.Locale); l != "" {
		return l
	}
	return i18n.Default
}

// invitationNotice invites inv's person, with the project's main facts and the answer buttons.
func (b *Bot) invitationNotice(p Project, team ProjectTeam, inv Invitation) Notice {
	c := b.callFor(inv.Person)
	id := strconv.FormatInt(p.ID, 10)
	from := c.T("team.someone")
	if team.Coordinator != nil {
		from = team.Coordinator.Name
	}
	p.Team = team
	card := projectCard(c, p, "", false)
	r := Reply{
		Title:  c.T("invite.title", "id", p.ID, "title", p.Title),
		Text:   c.T("invite.text", "from", from, "id", p.ID, "title", p.Title, "days", int(InvitationTTL.Hours()/24)),
		Locale: c.Locale,
	}
	if len(card.Sections) > 0 {
		r.Sections = card.Sections[:1]
	}
	r.Choices = invitationChoices(c, id)
	ref := refTo(inv.Person)
	ref.Kind, ref.ID = RefInvitation, inv.ID
	if team.Coordinator != nil {
		ref = ref.naming(*team.Coordinator)
	}
	return Notice{Key: fmt.Sprintf("team-invite:%d", inv.ID), Channel: inv.Person.Address(), Reply: r, Ref: ref}
}

func invitationChoices(c *Call, id string) []Choice {
	return []Choice{
		{Label: c.T("invite.button.accept"), Command: inviteWord + " " + id + " accetta", Style: StylePrimary},
		{Label: c.T("invite.button.decline"), Command: inviteWord + " " + id + " rifiuta modulo", Style: StyleDanger},
	}
}

// InvitationCancelledNotice tells an invitee that the project was cancelled and their
// invitation with it (the store calls it when the project moves to annullato).
func InvitationCancelledNotice(team ProjectTeam, inv Invitation) Notice {
	l := localeOf(inv.Person)
	return Notice{
		Key:     fmt.Sprintf("team-cancelled:%d", inv.ID),
		Channel: inv.Person.Address(),
		Ref:     refTo(inv.Person),
		Reply:   Reply{Text: i18n.T(l, "invite.cancelled_project", "id", team.ProjectID, "title", team.ProjectTitle), Locale: l},
	}
}

// withdrawnNotice tells a pending invitee that the coordinator gave the slot to someone else.
func (b *Bot) withdrawnNotice(team ProjectTeam, inv Invitation) Notice {
	c := b.callFor(inv.Person)
	return Notice{
		Key:     fmt.Sprintf("team-withdrawn:%d", inv.ID),
		Channel: inv.Person.Address(),
		Ref:     refTo(inv.Person),
		Reply:   Reply{Text: c.T("invite.withdrawn", "id", team.ProjectID, "title", team.ProjectTitle), Locale: c.Locale},
	}
}

// expiredNotice tells an invitee their invitation lapsed.
func (b *Bot) expiredNotice(team ProjectTeam, inv Invitation) Notice {
	c := b.callFor(inv.Person)
	return Notice{
		Key:     fmt.Sprintf("team-expired-invitee:%d", inv.ID),
		Channel: inv.Person.Address(),
		Ref:     refTo(inv.Person),
		Reply: Reply{Text: c.T("invite.expired", "id", team.ProjectID, "title", team.ProjectTitle,
			"days", int(InvitationTTL.Hours()/24)), Locale: c.Locale},
	}
}

// aboutReader picks the second-person form of a notice (key + "_self") when the reader is the
// person it is about: a coordinator who is also in the team reads "Hai accettato", not their
// own name in the third person.
func aboutReader(key string, reader, about PersonRef) string {
	if reader.ID != 0 && reader.ID == about.ID {
		return key + "_self"
	}
	return key
}

// acceptedNotice tells the coordinator of an acceptance, with how many have accepted.
func (b *Bot) acceptedNotice(team ProjectTeam, inv Invitation) []Notice {
	if team.Coordinator == nil || team.Formed() {
		return nil
	}
	c := b.callFor(*team.Coordinator)
	id := strconv.FormatInt(team.ProjectID, 10)
	return []Notice{{
		Key:     fmt.Sprintf("team-accepted:%d", inv.ID),
		Channel: team.Coordinator.Address(),
		Ref:     refTo(*team.Coordinator).naming(inv.Person),
		Reply: Reply{
			Text: c.T(aboutReader("team.notice.accepted", *team.Coordinator, inv.Person), "name", inv.Person.Name, "id", team.ProjectID,
				"title", team.ProjectTitle, "accepted", team.Count(InviteAccepted), "k", len(team.Slots)),
			Locale:  c.Locale,
			Choices: []Choice{{Label: c.T("team.button.status"), Command: teamWord + " " + id}},
		},
	}}
}

// formedNotices tell the coordinator and every member that the team is complete.
func (b *Bot) formedNotices(team ProjectTeam) []Notice {
	names := make([]string, len(team.Slots))
	members := make([]PersonRef, len(team.Slots))
	for i, s := range team.Slots {
		names[i], members[i] = s.Person.Name, s.Person
	}
	people := make([]PersonRef, 0, len(team.Slots)+1)
	if team.Coordinator != nil {
		people = append(people, *team.Coordinator)
	}
	for _, s := range team.Slots {
		if team.Coordinator == nil || s.Person.ID != team.Coordinator.ID {
			people = append(people, s.Person)
		}
	}
	out := make([]Notice, 0, len(people))
	id := strconv.FormatInt(team.ProjectID, 10)
	for _, p := range people {
		c := b.callFor(p)
		text := c.T("team.notice.formed", "id", team.ProjectID, "title", team.ProjectTitle, "names", strings.Join(names, ", "))
		if team.WantChannel {
			text += "\n" + c.T("team.notice.channel_coming")
		}
		out = append(out, Notice{
			Key:     fmt.Sprintf("team-formed:%d:%d", team.ProjectID, p.ID),
			Channel: p.Address(),
			Ref:     refTo(p).naming(members...),
			Reply: Reply{Text: text, Locale: c.Locale,
				Choices: []Choice{{Label: c.T("reminder.open_project"), Command: projectWord + " " + id}}},
		})
	}
	return out
}

// openSlotNotice tells the coordinator that inv's slot is open again (declined or expired) and
// proposes the best replacement, if anyone can keep the skills covered.
func (b *Bot) openSlotNotice(team ProjectTeam, inv Invitation, pool TeamPool, proposal *teamProposal) Notice {
	c := b.callFor(*team.Coordinator)
	var lines []string
	switch inv.Status {
	case InviteExpired:
		lines = append(lines, c.T(aboutReader("team.notice.expired", *team.Coordinator, inv.Person), "name", inv.Person.Name, "id", team.ProjectID, "title", team.ProjectTitle,
			"days", int(InvitationTTL.Hours()/24)))
	default:
		lines = append(lines, c.T(aboutReader("team.notice.declined", *team.Coordinator, inv.Person), "name", inv.Person.Name, "id", team.ProjectID, "title", team.ProjectTitle))
		if inv.Reason != "" {
			lines = append(lines, c.T("team.notice.reason", "reason", inv.Reason))
		}
	}
	r, ref := b.replacementOffer(c, team, inv, pool, proposal, lines)
	return Notice{Key: fmt.Sprintf("team-open:%d", inv.ID), Channel: team.Coordinator.Address(), Reply: r, Ref: ref.naming(inv.Person)}
}

// replacementOffer completes a notice to the coordinator about an open place: the proposed
// replacement with a one-click swap (or why there is none), and the list of the best ones.
// The reference names the proposed person.
func (b *Bot) replacementOffer(c *Call, team ProjectTeam, inv Invitation, pool TeamPool, proposal *teamProposal, lines []string) (Reply, NoticeRef) {
	id := strconv.FormatInt(team.ProjectID, 10)
	r := Reply{Locale: c.Locale}
	ref := refTo(*team.Coordinator)
	if proposal == nil {
		lines = append(lines, c.T("team.notice.no_replacement"))
	} else {
		person := pool.People[proposal.id]
		lines = append(lines, c.T("team.notice.proposal", "name", person.Name, "emp", proposal.id, "unit", person.Unit,
			"department", departmentName(c, pool, proposal.id), "why", explanationText(c, pool, proposal.why)))
		r.Choices = append(r.Choices, Choice{
			Label:   c.T("team.button.invite", "name", person.Name),
			Command: fmt.Sprintf("%s %s scambia %d %d", teamWord, id, inv.Person.ID, proposal.id),
			Style:   StylePrimary,
		})
		ref = ref.naming(PersonRef{ID: proposal.id})
	}
	r.Choices = append(r.Choices, Choice{
		Label:   c.T("team.button.more"),
		Command: fmt.Sprintf("%s %s sostituisci %d", teamWord, id, inv.Person.ID),
	})
	r.Text = strings.Join(lines, "\n")
	return r, ref
}

// erasedSlotNotice tells the coordinator that a place in the team opened because its holder
// erased their personal data, and proposes the best replacement. It says nothing of the
// person — not their name, their answer, nor that they erased anything — only the place's
// number; the buttons carry the former holder's employee number, a pseudonymous id, which is
// what the team commands address places by.
func (b *Bot) erasedSlotNotice(team ProjectTeam, inv Invitation, pool TeamPool, proposal *teamProposal) Notice {
	c := b.callFor(*team.Coordinator)
	lines := []string{c.T("team.notice.erased", "id", team.ProjectID, "title", team.ProjectTitle, "slot", inv.Slot)}
	r, ref := b.replacementOffer(c, team, inv, pool, proposal, lines)
	return Notice{Key: fmt.Sprintf("team-erased:%d", inv.ID), Channel: team.Coordinator.Address(), Reply: r, Ref: ref}
}

// pendingNotice reminds the coordinator, once a day, of the invitations unanswered for more
// than a day.
func (b *Bot) pendingNotice(team ProjectTeam, now time.Time, loc *time.Location) (Notice, bool) {
	if team.Coordinator == nil {
		return Notice{}, false
	}
	c := b.callFor(*team.Coordinator)
	var (
		items []string
		named []PersonRef
	)
	for _, s := range team.Slots {
		if s.Status == InvitePending && now.Sub(s.InvitedAt) >= 24*time.Hour {
			days := int(now.Sub(s.InvitedAt).Hours() / 24)
			items = append(items, c.T("team.notice.pending_item", "name", s.Person.Name, "n", days))
			named = append(named, s.Person)
		}
	}
	if len(items) == 0 {
		return Notice{}, false
	}
	id := strconv.FormatInt(team.ProjectID, 10)
	return Notice{
		Key:     fmt.Sprintf("team-pending:%d:%s", team.ProjectID, now.In(loc).Format("2006-01-02")),
		Channel: team.Coordinator.Address(),
		Ref:     refTo(*team.Coordinator).naming(named...),
		Reply: Reply{
			Text: c.T("team.notice.pending", "id", team.ProjectID, "title", team.ProjectTitle, "n", len(items)) + "\n• " +
				strings.Join(items, "\n• "),
			Locale:  c.Locale,
			Choices: []Choice{{Label: c.T("team.button.status"), Command: teamWord + " " + id}},
		},
	}, true
}
