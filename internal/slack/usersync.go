package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/comune-prato/cantieri/bot"
)

// users.list paging. Slack recommends at most 200 users a page; the page cap only guards
// against a cursor that never ends (it allows 100,000 people).
const (
	usersPageSize = 200
	maxUserPages  = 500
	// slackbotID is Slack's built-in bot, which users.list reports without is_bot.
	slackbotID = "USLACKBOT"
)

// UserStore applies a listing of the workspace's people to the employees. It is declared here,
// where it is used; internal/postgres's Store implements it and cmd wires the two together,
// so that neither adapter imports the other.
type UserStore interface {
	// SyncSlackUsers applies the whole listing in one go and reports what changed.
	SyncSlackUsers(ctx context.Context, users []bot.SlackUser) (bot.UserSyncReport, error)
}

// UserSync copies the workspace's people into the employees: names, e-mails, time zones,
// locales, and deactivated accounts. It implements the jobs package's UserSyncer, which runs
// it at start and daily.
type UserSync struct {
	client *Client
	store  UserStore
	log    *slog.Logger
}

// NewUserSync returns a sync that lists users with c (so through its rate limiter and 429
// handling) and applies them with store.
func NewUserSync(c *Client, store UserStore) *UserSync {
	return &UserSync{client: c, store: store, log: c.log}
}

// SyncUsers lists every page of users.list first and then applies the listing at once, so
// that a failure half-way through the listing (Slack down, still rate limited after the
// retries) changes nothing and the job's retry starts over.
func (s *UserSync) SyncUsers(ctx context.Context) (bot.UserSyncReport, error) {
	if s == nil || s.store == nil {
		return bot.UserSyncReport{}, errors.New("slack user sync: no user store configured")
	}
	start := time.Now()
	users, pages, err := s.client.listUsers(ctx)
	if err != nil {
		return bot.UserSyncReport{}, fmt.Errorf("slack user sync: %w", err)
	}
	rep, err := s.store.SyncSlackUsers(ctx, users)
	if err != nil {
		return bot.UserSyncReport{}, fmt.Errorf("slack user sync: apply %d users: %w", len(users), err)
	}
	s.log.Info("slack users synced", "pages", pages, "seen", rep.Seen, "created", rep.Created,
		"linked", rep.Linked, "merged", rep.Merged, "updated", rep.Updated, "deactivated", rep.Deactivated,
		"conflicts", rep.Conflicts, "duration_ms", time.Since(start).Milliseconds())
	if rep.Conflicts > 0 {
		s.log.Warn("slack users whose e-mail belongs to an employee with another Slack account; left alone",
			"count", rep.Conflicts, "slack_ids", rep.ConflictIDs)
	}
	return rep, nil
}

// listUsers reads users.list page by page (with locales), leaving out bots, and returns the
// people and the number of pages read. Each page is one limited call (Tier 2), retried after
// a 429's Retry-After by do.
func (c *Client) listUsers(ctx context.Context) ([]bot.SlackUser, int, error) {
	p := c.api.GetUsersPaginated(slack.GetUsersOptionLimit(usersPageSize), slack.GetUsersOptionIncludeLocale(true))
	var out []bot.SlackUser
	for page := 1; page <= maxUserPages; page++ {
		err := c.do(ctx, "users.list", true, func(ctx context.Context) error {
			next, err := p.Next(ctx)
			if err != nil {
				return err
			}
			p = next
			return nil
		})
		if err != nil {
			return nil, page - 1, fmt.Errorf("list users, page %d: %w", page, err)
		}
		for _, u := range p.Users {
			if su, ok := slackUser(u); ok {
				out = append(out, su)
			}
		}
		if p.Cursor == "" {
			return out, page, nil
		}
	}
	return nil, maxUserPages, fmt.Errorf("list users: still more after %d pages", maxUserPages)
}

// slackUser converts a member of users.list, or reports false for a bot.
func slackUser(u slack.User) (bot.SlackUser, bool) {
	if u.ID == "" || u.ID == slackbotID || u.IsBot || u.IsWorkflowBot || u.IsConnectorBot {
		return bot.SlackUser{}, false
	}
	name := strings.TrimSpace(u.Profile.DisplayName)
	if name == "" {
		name = strings.TrimSpace(u.Profile.RealName)
	}
	if name == "" {
		name = strings.TrimSpace(u.RealName)
	}
	return bot.SlackUser{
		ID:       u.ID,
		Name:     name,
		Email:    strings.TrimSpace(u.Profile.Email),
		Timezone: u.TZ,
		Locale:   u.Locale,
		Deleted:  u.Deleted,
	}, true
}
