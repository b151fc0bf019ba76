package slack

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/comune-prato/cantieri/bot"
)

// MessageEventType is the event_type of the metadata that labels every proactive post with its
// idempotency key (event_payload {"key": …}). A retry whose earlier attempt may have reached
// Slack looks for the label in the conversation's history before posting again.
const MessageEventType = "cantieri_message"

// Bounds of the history search: a conversation of the bot with a person or a group holds few
// messages, and the search only reaches back to the job's first attempt.
const (
	historyPageSize = 200
	historyMaxPages = 5
)

// PostKeyed is Post with the message labelled with key in Slack message metadata, so that
// FindPosted can find it again.
func (c *Client) PostKeyed(ctx context.Context, channel, key string, r bot.Reply) (string, error) {
	return c.post(ctx, channel, key, r)
}

// FindPosted looks in the history of the conversation channel stands for (a user's DM, a
// group's conversation, a channel) for a message labelled key posted since since, and returns
// its ts. It needs the history scopes (channels:history, groups:history, im:history,
// mpim:history). The search is bounded (historyMaxPages pages): a busy channel's key posted
// long ago may be missed, which only costs a duplicate, never a lost message.
func (c *Client) FindPosted(ctx context.Context, channel, key string, since time.Time) (string, bool, error) {
	id, err := c.conversationOf(ctx, channel)
	if err != nil {
		return "", false, err
	}
	params := &slack.GetConversationHistoryParameters{
		ChannelID:          id,
		Limit:              historyPageSize,
		Oldest:             fmt.Sprintf("%d.000000", since.Unix()),
		IncludeAllMetadata: true,
	}
	for range historyMaxPages {
		var resp *slack.GetConversationHistoryResponse
		err := c.do(ctx, "conversations.history", true, func(ctx context.Context) error {
			var err error
			resp, err = c.api.GetConversationHistoryContext(ctx, params)
			return err
		})
		if err != nil {
			return "", false, fmt.Errorf("history of %s: %w", id, err)
		}
		for _, m := range resp.Messages {
			if m.Metadata.EventType == MessageEventType && m.Metadata.EventPayload["key"] == key {
				return m.Timestamp, true, nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			return "", false, nil
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	c.log.Warn("history search stopped at its page limit; the message may be posted twice", "channel", id, "key", key)
	return "", false, nil
}

// conversationOf returns the conversation id that Post delivers channel to: a user's DM and a
// group's conversation are opened (or found again) with conversations.open.
func (c *Client) conversationOf(ctx context.Context, channel string) (string, error) {
	if strings.HasPrefix(channel, bot.ConsoleAddressPrefix) {
		return "", fmt.Errorf("conversation of %s: %w", channel, bot.ErrUnreachable)
	}
	if list, ok := strings.CutPrefix(channel, bot.GroupAddressPrefix); ok {
		var users []string
		for u := range strings.SplitSeq(list, ",") {
			if isUserID(u) {
				users = append(users, u)
			}
		}
		if len(users) == 0 {
			return "", fmt.Errorf("a group without Slack users: %w", bot.ErrUnreachable)
		}
		return c.openConversation(ctx, users)
	}
	if isUserID(channel) {
		return c.openDM(ctx, channel)
	}
	return channel, nil
}
