package bot

import "context"

// Poster delivers a reply proactively (not as the answer to a request): into a channel, or to a
// user as a direct message. The Slack client implements it with chat.postMessage; the console
// prints. Durable jobs post through it.
type Poster interface {
	// Post sends r to channel (a channel id, or a user id for a DM) and returns the posted
	// message's id (Slack's ts).
	Post(ctx context.Context, channel string, r Reply) (string, error)
}
