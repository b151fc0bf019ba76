package bot

import (
	"context"
	"time"
)

// InviteStatus is the state of a team invitation.
type InviteStatus string

// Invitation states: pending until answered; accepted and declined by the invitee; expired
// after InvitationTTL without an answer; cancelled when the coordinator gives the slot to
// someone else or the project is cancelled.
const (
	InvitePending   InviteStatus = "pending"
	InviteAccepted  InviteStatus = "accepted"
	InviteDeclined  InviteStatus = "declined"
	InviteExpired   InviteStatus = "expired"
	InviteCancelled InviteStatus = "cancelled"
)

// InvitationTTL is how long an invitation waits for an answer before the coordinator is offered
// a replacement.
const InvitationTTL = 72 * time.Hour

// Invitation is one person invited to one slot of a project's team.
type Invitation struct {
	ID         int64
	ProjectID  int64
	Slot       int
	Person     PersonRef
	Status     InviteStatus
	Reason     string
	InvitedAt  time.Time
	AnsweredAt *time.Time
}

// Open reports whether the slot still needs someone: its live invitation was declined, expired
// or cancelled.
func (inv Invitation) Open() bool {
	return inv.Status != InvitePending && inv.Status != InviteAccepted
}

// ProjectTeam is a project's team: empty until the coordinator confirms a proposal.
type ProjectTeam struct {
	ProjectID    int64
	ProjectTitle string
	Phase        Phase
	// Coordinator is who is told of answers (nil when the project has none).
	Coordinator *PersonRef
	// Slots holds each slot's latest invitation, by slot.
	Slots []Invitation
	// Former holds the earlier invitations of the slots (declined, expired, cancelled).
	Former []Invitation
	// WantChannel is the coordinator's choice of a project channel once the team is formed.
	WantChannel bool
	// Channel is the project channel's id once created.
	Channel string
	// FormedAt is when the last member accepted.
	FormedAt *time.Time
}

// Confirmed reports whether invitations have been sent.
func (t ProjectTeam) Confirmed() bool { return len(t.Slots) > 0 }

// Formed reports whether every member accepted.
func (t ProjectTeam) Formed() bool { return t.FormedAt != nil }

// SlotOf returns the live invitation of employeeID, if they hold a slot.
func (t ProjectTeam) SlotOf(employeeID int64) (Invitation, bool) {
	for _, s := range t.Slots {
		if s.Person.ID == employeeID {
			return s, true
		}
	}
	return Invitation{}, false
}

// MemberIDs lists the slot holders, by slot.
func (t ProjectTeam) MemberIDs() []int64 {
	ids := make([]int64, len(t.Slots))
	for i, s := range t.Slots {
		ids[i] = s.Person.ID
	}
	return ids
}

// NotAgain lists who must not be proposed again: everyone who declined, let an invitation
// expire or had it cancelled, in a former invitation or in their slot.
func (t ProjectTeam) NotAgain() []int64 {
	var ids []int64
	for _, s := range append(append([]Invitation(nil), t.Former...), t.Slots...) {
		if s.Open() {
			ids = append(ids, s.Person.ID)
		}
	}
	return ids
}

// Count returns how many slots are in status st.
func (t ProjectTeam) Count(st InviteStatus) int {
	n := 0
	for _, s := range t.Slots {
		if s.Status == st {
			n++
		}
	}
	return n
}

// NoticeFunc computes, inside a store's transaction, the messages a team change calls for,
// from the team as it is after the change.
type NoticeFunc func(team ProjectTeam) ([]Notice, error)

// AnswerOutcome is what answering an invitation did.
type AnswerOutcome struct {
	// Before is the invitation as it was; Changed is false when the answer repeats or comes
	// too late (Before.Status says which).
	Before  Invitation
	Changed bool
	// Team is the team after the answer; Team.Formed() when this answer completed it.
	Team ProjectTeam
}

// MyInvitation is an invitation as its invitee sees it.
type MyInvitation struct {
	Invitation
	ProjectTitle string
	Coordinator  string
}

// TeamChannelPlan is what creating a project channel needs.
type TeamChannelPlan struct {
	ProjectID int64
	// Name is the channel name to create (Slack's rules: lowercase, no spaces, ≤ 80).
	Name string
	// Channel is the channel already created for the project, if any.
	Channel string
	// Members are the addresses (PersonRef.Address) to invite: the coordinator and the team.
	Members []string
	// Card is the project card to post and pin.
	Card Reply
}

// TeamFlowStore is what the invitation flow needs from the system of record. Every change is one
// transaction, which also enqueues the notices its NoticeFunc returns.
type TeamFlowStore interface {
	// ProjectTeam loads a project's team; ErrNotFound when there is no such project.
	ProjectTeam(ctx context.Context, projectID int64) (ProjectTeam, error)
	// InviteTeam invites members (slot i+1 to members[i]); a user-facing EINVALID error when
	// the team was already confirmed or the project is closed.
	InviteTeam(ctx context.Context, projectID, actorID int64, members []int64, wantChannel bool, notices NoticeFunc) (ProjectTeam, error)
	// ReplaceInvitee gives oldID's slot to newID: oldID's invitation must be declined, expired
	// or pending (it is then cancelled); an accepted member cannot be replaced.
	ReplaceInvitee(ctx context.Context, projectID, actorID, oldID, newID int64, notices NoticeFunc) (ProjectTeam, error)
	// AnswerInvitation records employeeID's answer to their live invitation to projectID. An
	// accepted invitation takes up capacity like a membership: an acceptance beyond the
	// employee's capacity (active teams plus accepted invitations to teams still forming) is
	// refused with ECONFLICT "team.error.no_capacity", even when acceptances to several
	// projects race. The last acceptance forms the team: members recorded, collaboration
	// edges added, the channel job enqueued when wanted. ErrNotFound when there is no
	// invitation; a repeated or late answer changes nothing (Changed false).
	AnswerInvitation(ctx context.Context, projectID, employeeID int64, accept bool, reason string, notices NoticeFunc) (AnswerOutcome, error)
	// ExpireInvitations expires the pending invitations sent before cutoff, one transaction
	// per invitation, calling notices with the team after each expiry.
	ExpireInvitations(ctx context.Context, cutoff time.Time, notices func(team ProjectTeam, expired Invitation) ([]Notice, error)) (int, error)
	// PendingTeams lists the teams with invitations pending since before cutoff.
	PendingTeams(ctx context.Context, cutoff time.Time) ([]ProjectTeam, error)
	// MyInvitations lists employeeID's invitations, pending first.
	MyInvitations(ctx context.Context, employeeID int64) ([]MyInvitation, error)
	// Notify enqueues notices outside any other change (reminders whose key dedups them).
	Notify(ctx context.Context, notices []Notice) error
	// SetTeamChannel records the project channel's id.
	SetTeamChannel(ctx context.Context, projectID int64, channel string) error
}
