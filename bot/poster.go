package bot

import (
	"context"
	"errors"
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
