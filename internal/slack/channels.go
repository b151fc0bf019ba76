package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/comune-prato/cantieri/bot"
)

var _ bot.Channels = (*Client)(nil)

// maxInvite is how many users conversations.invite takes at once.
const maxInvite = 1000

// slackErr reports whether err (wrapped or not) is Slack's error code.
func slackErr(err error, code string) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && se.Err == code
}

// CreateChannel creates a public channel named name (project channels are open: seeing
// other offices' work is the point of the programme). When the name is taken, by an earlier
// attempt of the same job, the existing channel is returned.
func (c *Client) CreateChannel(ctx context.Context, name string) (string, error) {
	var id string
	err := c.do(ctx, "conversations.create", true, func(ctx context.Context) error {
		ch, err := c.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name})
		if err == nil {
			id = ch.ID
		}
		return err
	})
	if err == nil {
		return id, nil
	}
	if !slackErr(err, "name_taken") {
		return "", fmt.Errorf("create channel %s: %w", name, err)
	}
	id, ferr := c.findChannel(ctx, name)
	if ferr != nil {
		return "", fmt.Errorf("create channel %s: name taken, and looking it up failed: %w", name, ferr)
	}
	if id == "" {
		return "", fmt.Errorf("create channel %s: the name is taken by a channel the bot cannot see", name)
	}
	return id, nil
}

// findChannel pages through the public channels for name.
func (c *Client) findChannel(ctx context.Context, name string) (string, error) {
	cursor := ""
	for {
		var (
			chans []slack.Channel
			next  string
		)
		err := c.do(ctx, "conversations.list", true, func(ctx context.Context) error {
			var err error
			chans, next, err = c.api.GetConversationsContext(ctx, &slack.GetConversationsParameters{
				Cursor: cursor, ExcludeArchived: true, Limit: 200, Types: []string{"public_channel"},
			})
			return err
		})
		if err != nil {
			return "", err
		}
		for _, ch := range chans {
			if ch.Name == name {
				return ch.ID, nil
			}
		}
		if next == "" {
			return "", nil
		}
		cursor = next
	}
}

// InviteToChannel invites the Slack users among users (console addresses are skipped). If
// Slack refuses the batch because someone is already in, they are invited one by one so that
// a retried job still adds whoever is missing.
func (c *Client) InviteToChannel(ctx context.Context, channel string, users []string) error {
	var ids []string
	for _, u := range users {
		if isUserID(u) {
			ids = append(ids, u)
		}
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), maxInvite)]
		ids = ids[len(batch):]
		err := c.invite(ctx, channel, batch...)
		if err == nil {
			continue
		}
		if !slackErr(err, "already_in_channel") {
			return fmt.Errorf("invite to %s: %w", channel, err)
		}
		for _, u := range batch {
			if err := c.invite(ctx, channel, u); err != nil && !slackErr(err, "already_in_channel") {
				return fmt.Errorf("invite %s to %s: %w", u, channel, err)
			}
		}
	}
	return nil
}

func (c *Client) invite(ctx context.Context, channel string, users ...string) error {
	return c.do(ctx, "conversations.invite", true, func(ctx context.Context) error {
		_, err := c.api.InviteUsersToConversationContext(ctx, channel, users...)
		return err
	})
}

// Pin pins the message ts; one pinned already is fine.
func (c *Client) Pin(ctx context.Context, channel, ts string) error {
	err := c.do(ctx, "pins.add", true, func(ctx context.Context) error {
		return c.api.AddPinContext(ctx, channel, slack.ItemRef{Channel: channel, Timestamp: ts})
	})
	if err != nil && !slackErr(err, "already_pinned") {
		return fmt.Errorf("pin in %s: %w", channel, err)
	}
	return nil
}

// ChannelMembers lists the user ids in channel (conversations.members, paged), for exchange
// programmes whose audience is a channel.
func (c *Client) ChannelMembers(ctx context.Context, channel string) ([]string, error) {
	if name, ok := strings.CutPrefix(channel, "#"); ok {
		id, err := c.findChannel(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("find channel %s: %w", channel, err)
		}
		if id == "" {
			return nil, fmt.Errorf("no public channel named %s", channel)
		}
		channel = id
	}
	var (
		out    []string
		cursor string
	)
	for {
		var (
			ids  []string
			next string
		)
		err := c.do(ctx, "conversations.members", true, func(ctx context.Context) error {
			var err error
			ids, next, err = c.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{
				ChannelID: channel, Cursor: cursor, Limit: 1000,
			})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("members of %s: %w", channel, err)
		}
		out = append(out, ids...)
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
