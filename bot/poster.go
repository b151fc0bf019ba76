package bot

import (
	"context"
	"errors"
	"slices"
)

// Poster delivers a reply proactively (not as the answer to a request): into a channel, or to a
// user as a direct message. The Slack client implements it with chat.postMessage; the console
// prints. Durable jobs post through it.
type Poster interface {
	// Post sends r to channel (a channel id, or a user id for a DM) and returns the posted
	// message's id (Slack's ts).
	Post(ctx context.Context, channel string, r Reply) (string, error)
}

// ErrUnreachable is returned by a Poster that cannot deliver to an address at all (a console
// address in Slack): retrying would not help, so durable jobs drop the message and log it.
var ErrUnreachable = errors.New("address not reachable by this transport")

// Notice is a message to someone other than the caller (an invitation, a decline reported to
// the coordinator), delivered by a durable job at most once per Key. Stores enqueue notices in
// the transaction of the change that calls for them: the change and its messages commit
// together or not at all.
type Notice struct {
	// Key is the idempotency key, derived from what the message is about (never the clock).
	Key string
	// Channel is the destination: a PersonRef.Address or a channel id.
	Channel string
	Reply   Reply
	// Ref says what the message is about, so that the job delivering it can ask, right
	// before sending, whether it is still due (MessageDue): an invitation answered or
	// withdrawn meanwhile, a round stopped, a recipient erased or deactivated sends nothing.
	Ref NoticeRef
}

// Kinds of NoticeRef.
const (
	// RefInvitation: the message is due while the team invitation ID is pending.
	RefInvitation = "invitation"
	// RefRound: the message is due while the exchange round ID exists and its programme is
	// active.
	RefRound = "round"
)

// NoticeRef names the rows a notice depends on. It travels with the durable job instead of
// any judgement made when the notice was enqueued: the job may run seconds or hours later (a
// retry, a rescue after a crash), and by then the facts may have changed.
type NoticeRef struct {
	// Kind is RefInvitation, RefRound, or "" when only People matter.
	Kind string `json:"kind,omitempty"`
	// ID is the invitation's or the round's id.
	ID int64 `json:"id,omitempty"`
	// People are the employees the message is for (and, for a group, everyone it names): it
	// is due only while every one of them is active and not erased.
	People []int64 `json:"people,omitempty"`
	// About are the other employees the message names (who accepted or declined, the
	// members of a formed team, a proposed replacement, the inviting coordinator): it is not
	// due once one of them has erased their data, and erasing one of them deletes its text,
	// so that nothing a person erased is sent, or kept, afterwards. Being merely deactivated
	// does not stop it. Ids only: job args hold no names.
	About []int64 `json:"about,omitempty"`
}

// IsZero reports whether r names nothing (a notice that is always due).
func (r NoticeRef) IsZero() bool {
	return r.Kind == "" && r.ID == 0 && len(r.People) == 0 && len(r.About) == 0
}

// naming adds people to the ones r's message names (About).
func (r NoticeRef) naming(people ...PersonRef) NoticeRef {
	for _, p := range people {
		if p.ID != 0 && !slices.Contains(r.About, p.ID) && !slices.Contains(r.People, p.ID) {
			r.About = append(r.About, p.ID)
		}
	}
	return r
}

// refTo is the reference of a message to people, due while they are active.
func refTo(people ...PersonRef) NoticeRef {
	ids := make([]int64, 0, len(people))
	for _, p := range people {
		if p.ID != 0 {
			ids = append(ids, p.ID)
		}
	}
	return NoticeRef{People: ids}
}

// MessageDue answers, right before a durable job sends a message, whether it is still due.
// The store implements it from the rows the reference names.
type MessageDue interface {
	MessageDue(ctx context.Context, ref NoticeRef) (bool, error)
}

// Channels creates project channels: Slack's conversations API in serve, a textual stand-in in
// the console. Every method is safe to repeat, because durable jobs retry.
type Channels interface {
	// CreateChannel creates a channel named name and returns its id; when a channel of that
	// name exists already (an earlier attempt created it) it returns that one.
	CreateChannel(ctx context.Context, name string) (string, error)
	// InviteToChannel adds users to channel; users already in it are not an error.
	InviteToChannel(ctx context.Context, channel string, users []string) error
	// Pin pins the message ts in channel; a message already pinned is not an error.
	Pin(ctx context.Context, channel, ts string) error
}
