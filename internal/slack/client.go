package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
)

// maxRateLimitRetries bounds the retries of one call answered 429: past it the caller gets the
// error (a durable job will be retried by River) rather than a worker stuck for minutes.
const maxRateLimitRetries = 3

// Client is the Slack Web API client: every call goes through the shared rate limiter (if
// any), is counted by method and outcome, and is retried after the Retry-After that a 429
// asks for. It implements bot.Poster for proactive messages.
type Client struct {
	api     *slack.Client
	http    *http.Client
	metrics *metrics.Metrics
	limiter Limiter
	log     *slog.Logger
	// locale is the language of the few words the transport adds itself (e.g. "reply
	// shortened") to proactive posts, whose recipient's language it does not know.
	locale string
	// apiHost is the Web API's host (slack.com, or a fake in tests): file downloads, which
	// carry the bot token, go only to Slack's hosts or this one.
	apiHost string
	// conversations remembers the ids conversations.open returned.
	conversations conversationCache
}

var _ bot.Poster = (*Client)(nil)

// penalizer is implemented by a shared limiter that can pause a method for every replica
// after a 429 (such as internal/redis's GCRA limiter).
type penalizer interface {
	Penalize(ctx context.Context, key string, retryAfter time.Duration) error
}

// refunder is implemented by a limiter that can give back a slot a call took (such as
// internal/redis's GCRA limiter).
type refunder interface {
	Refund(ctx context.Context, key string) error
}

type clientConfig struct {
	token   string
	apiURL  string
	http    *http.Client
	metrics *metrics.Metrics
	limiter Limiter
	log     *slog.Logger
	locale  string
}

func newClient(cfg clientConfig) *Client {
	opts := []slack.Option{slack.OptionHTTPClient(cfg.http)}
	if cfg.apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.apiURL))
	}
	apiHost := "slack.com"
	if u, err := url.Parse(cfg.apiURL); err == nil && u.Host != "" {
		apiHost = u.Host
	}
	return &Client{
		apiHost: apiHost,
		api:     slack.New(cfg.token, opts...),
		http:    cfg.http,
		metrics: cfg.metrics,
		limiter: cfg.limiter,
		log:     cfg.log,
		locale:  cfg.locale,
	}
}

// Post sends r to channel (a channel id, or a user id for a direct message) with
// chat.postMessage and returns the message's ts; an image and a file follow as uploaded files
// in the same conversation. A form cannot open without a user's click (Slack needs a
// trigger_id), so a Poster's reply should offer a choice that leads to it; a Form in r is
// ignored here.
func (c *Client) Post(ctx context.Context, channel string, r bot.Reply) (string, error) {
	return c.post(ctx, channel, "", r)
}

// post is Post, with the message labelled with key in its metadata when key is not empty.
func (c *Client) post(ctx context.Context, channel, key string, r bot.Reply) (string, error) {
	if strings.HasPrefix(channel, bot.ConsoleAddressPrefix) {
		return "", fmt.Errorf("post to %s: %w", channel, bot.ErrUnreachable)
	}
	if r.Private && !isDirect(channel) {
		// A private reply never goes where others read it (a channel, a group conversation):
		// refusing is better than leaking, and no retry would make the conversation private.
		return "", fmt.Errorf("post a private reply to the shared conversation %s: %w", channel, bot.ErrUnreachable)
	}
	if strings.HasPrefix(channel, bot.GroupAddressPrefix) {
		// A group conversation (an exchange round's group): opened, or found again, with
		// conversations.open, which returns the same conversation for the same people.
		id, err := c.conversationOf(ctx, channel)
		if err != nil {
			return "", fmt.Errorf("open the group conversation: %w", err)
		}
		channel = id
	}
	if r.Form != nil {
		c.log.Warn("a proactive post cannot open a form; the form is left out", "form", r.Form.ID)
		r.Form = nil
	}
	msg := renderMessage(r, c.locale)
	if key != "" {
		msg.metadata = &slack.SlackMetadata{EventType: MessageEventType, EventPayload: map[string]any{"key": key}}
	}
	ts, err := c.postMessage(ctx, channel, "", msg)
	if err != nil {
		return "", fmt.Errorf("post to %s: %w", channel, err)
	}
	var uploads []upload
	if r.Image != nil && len(r.Image.PNG) > 0 {
		uploads = append(uploads, imageUpload(r.Image))
	}
	if r.File != nil && len(r.File.Data) > 0 {
		uploads = append(uploads, fileUpload(r.File))
	}
	if len(uploads) == 0 {
		return ts, nil
	}
	// Files are shared to a conversation, never to a user id: a DM needs its channel id.
	target := channel
	if isUserID(channel) {
		if target, err = c.openDM(ctx, channel); err != nil {
			return ts, fmt.Errorf("post files to %s: %w", channel, err)
		}
	}
	for _, u := range uploads {
		if err := c.uploadFile(ctx, target, "", u); err != nil {
			return ts, fmt.Errorf("post file to %s: %w", channel, err)
		}
	}
	return ts, nil
}

// isUserID reports whether id is a user id (U… or, in Enterprise Grid, W…) rather than a
// conversation id (C…, G…, D…).
func isUserID(id string) bool {
	return strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W")
}

// isDirect reports whether a conversation is read by the user alone: a user id (a DM is opened
// for it) or a DM channel (D…). Channels (C…), private channels and group DMs (G…) and groups of
// an exchange round are shared.
func isDirect(id string) bool {
	return isUserID(id) || strings.HasPrefix(id, "D")
}

// do runs one Web API call: it waits for the limiter (if limited), counts the outcome, and
// on a 429 waits Retry-After (at least a second, and never past ctx) before trying again.
func (c *Client) do(ctx context.Context, method string, limited bool, call func(context.Context) error) error {
	return c.doKeyed(ctx, method, []string{method}, limited, call)
}

// doKeyed is do with explicit limiter keys, each waited for in turn (chat.postMessage is paced
// per channel and for the whole workspace).
func (c *Client) doKeyed(ctx context.Context, method string, keys []string, limited bool, call func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		if limited && c.limiter != nil {
			if err := c.waitAll(ctx, keys); err != nil {
				if ctx.Err() != nil {
					c.metrics.SlackCalls.WithLabelValues(method, "error").Inc()
					return fmt.Errorf("%s: wait for the rate limiter: %w", method, err)
				}
				// The limiter could not pace the call (internal/redis's falls back to pacing
				// in process when Redis is down, so this is another limiter's failure): better
				// to call unpaced, with Slack's own 429s as the last line of defence, than to
				// drop the answer.
				c.log.Warn("rate limiter unavailable; calling unpaced", "method", method, "err", err)
			}
		}
		err := call(ctx)
		var rl *slack.RateLimitedError
		switch {
		case err == nil:
			c.metrics.SlackCalls.WithLabelValues(method, "ok").Inc()
			return nil
		case errors.As(err, &rl):
			c.metrics.SlackCalls.WithLabelValues(method, "rate_limited").Inc()
			c.metrics.SlackRateLimited.WithLabelValues(method).Inc()
			if attempt >= maxRateLimitRetries {
				return fmt.Errorf("%s: still rate limited after %d retries: %w", method, attempt, err)
			}
			wait := max(rl.RetryAfter, time.Second)
			if p, ok := c.limiter.(penalizer); ok && limited {
				// Other replicas must hold back too, or they will meet the same 429.
				// The first key is the most specific (the method, or the method and channel):
				// that is what Slack limited.
				if err := p.Penalize(ctx, keys[0], wait); err != nil {
					c.log.Warn("could not share the 429 pause", "method", method, "err", err)
				}
			}
			if r, ok := c.limiter.(refunder); ok && limited {
				// The other keys (the workspace allowance of a post refused for its channel)
				// did not cause the 429 and the refused call posted nothing: their slots go
				// back, or each 429 would cost the whole workspace one call's worth of pace.
				for _, k := range keys[1:] {
					if err := r.Refund(ctx, k); err != nil {
						c.log.Warn("could not give back a rate-limit slot", "method", method, "key", k, "err", err)
					}
				}
			}
			c.log.Warn("slack rate limited; waiting", "method", method, "retry_after", wait, "attempt", attempt+1)
			if err := sleep(ctx, wait); err != nil {
				return fmt.Errorf("%s: wait after 429: %w", method, err)
			}
		default:
			c.metrics.SlackCalls.WithLabelValues(method, "error").Inc()
			return fmt.Errorf("%s: %w", method, err)
		}
	}
}

// waitAll waits for every key's turn.
func (c *Client) waitAll(ctx context.Context, keys []string) error {
	for _, k := range keys {
		if err := c.limiter.Wait(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// authTest asks Slack who the bot is.
func (c *Client) authTest(ctx context.Context) (*slack.AuthTestResponse, error) {
	var resp *slack.AuthTestResponse
	err := c.do(ctx, "auth.test", true, func(ctx context.Context) error {
		var err error
		resp, err = c.api.AuthTestContext(ctx)
		return err
	})
	return resp, err
}

// postMessage posts msg to channel, in the thread threadTS if set, and returns its ts.
func (c *Client) postMessage(ctx context.Context, channel, threadTS string, msg message) (string, error) {
	opts := []slack.MsgOption{slack.MsgOptionText(msg.text, false), slack.MsgOptionBlocks(msg.blocks...)}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	if msg.metadata != nil {
		opts = append(opts, slack.MsgOptionMetadata(*msg.metadata))
	}
	var ts string
	// Slack paces chat.postMessage per channel (about one a second), within a workspace-wide
	// allowance: a round's group messages to hundreds of conversations need not queue behind
	// one another.
	keys := []string{"chat.postMessage:" + channel, PostMessageWorkspaceKey}
	err := c.doKeyed(ctx, "chat.postMessage", keys, true, func(ctx context.Context) error {
		var err error
		_, ts, err = c.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ts, err
}

// postEphemeral shows msg to user alone in channel (in the thread threadTS if set); Slack
// refuses it when the user is not in the channel.
func (c *Client) postEphemeral(ctx context.Context, channel, user, threadTS string, msg message) error {
	opts := []slack.MsgOption{slack.MsgOptionText(msg.text, false), slack.MsgOptionBlocks(msg.blocks...)}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	return c.doKeyed(ctx, "chat.postEphemeral", []string{"chat.postEphemeral:" + channel}, true, func(ctx context.Context) error {
		_, err := c.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

// openView opens a modal with a trigger_id.
func (c *Client) openView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error {
	return c.do(ctx, "views.open", true, func(ctx context.Context) error {
		_, err := c.api.OpenViewContext(ctx, triggerID, view)
		return err
	})
}

// userInfo fetches a user with their locale.
func (c *Client) userInfo(ctx context.Context, userID string) (*slack.User, error) {
	var u *slack.User
	err := c.do(ctx, "users.info", true, func(ctx context.Context) error {
		var err error
		u, err = c.api.GetUserInfoContext(ctx, userID, slack.GetUserInfoOptionIncludeLocale(true))
		return err
	})
	return u, err
}

// openDM returns the id of the direct-message channel between the bot and userID: files
// cannot be shared to a user id, only to a channel id.
func (c *Client) openDM(ctx context.Context, userID string) (string, error) {
	return c.openConversation(ctx, []string{userID})
}

// openConversation opens (or finds again) the conversation of the bot with users: a DM for
// one, a group DM (mpim) for up to eight.
func (c *Client) openConversation(ctx context.Context, users []string) (string, error) {
	// The same people always get the same conversation, so its id is remembered: a retried
	// group post looks in the history and posts with one conversations.open (Tier 3), not two.
	key := strings.Join(users, ",")
	if id, ok := c.conversations.get(key); ok {
		return id, nil
	}
	var id string
	err := c.do(ctx, "conversations.open", true, func(ctx context.Context) error {
		ch, _, _, err := c.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: users, ReturnIM: true})
		if err == nil {
			id = ch.ID
		}
		return err
	})
	if err == nil && id != "" {
		c.conversations.put(key, id)
	}
	return id, err
}

// maxCachedConversations bounds the conversation ids a Client remembers.
const maxCachedConversations = 10_000

// conversationCache remembers conversation ids by their members; it is emptied when full
// (a forgotten id costs one conversations.open).
type conversationCache struct {
	mu  sync.Mutex
	ids map[string]string
}

func (c *conversationCache) get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.ids[key]
	return id, ok
}

func (c *conversationCache) put(key, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil || len(c.ids) >= maxCachedConversations {
		c.ids = make(map[string]string)
	}
	c.ids[key] = id
}

// upload is a file to share: an image of a reply or a document (bot.File).
type upload struct {
	name, title, alt string
	data             []byte
}

// imageUpload describes a reply's picture for uploadFile.
func imageUpload(img *bot.Image) upload {
	name := img.Name
	if name == "" {
		name = "cantieri.png"
	}
	return upload{name: name, title: img.Title, alt: img.AltText, data: img.PNG}
}

// fileUpload describes a reply's document for uploadFile. Slack infers the type from the
// name's extension, so the content type needs no field of its own.
func fileUpload(f *bot.File) upload {
	name := f.Name
	if name == "" {
		name = "cantieri.txt"
	}
	title := f.Title
	if title == "" {
		title = name
	}
	return upload{name: name, title: title, data: f.Data}
}

// uploadFile shares a file into channel (and thread) with the three-step upload (the old
// files.upload is gone). The steps are made one by one, rather than with UploadFileContext,
// so that each is limited, counted and retried on its own.
func (c *Client) uploadFile(ctx context.Context, channel, threadTS string, u upload) error {
	var up *slack.GetUploadURLExternalResponse
	err := c.do(ctx, "files.getUploadURLExternal", true, func(ctx context.Context) error {
		var err error
		up, err = c.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{
			FileName: u.name, FileSize: len(u.data), AltTxt: fit(u.alt, 1000),
		})
		return err
	})
	if err != nil {
		return err
	}
	err = c.do(ctx, "files.upload", false, func(ctx context.Context) error {
		return c.api.UploadToURL(ctx, slack.UploadToURLParameters{
			UploadURL: up.UploadURL, Reader: bytes.NewReader(u.data), Filename: u.name,
		})
	})
	if err != nil {
		return err
	}
	return c.do(ctx, "files.completeUploadExternal", true, func(ctx context.Context) error {
		_, err := c.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
			Files: []slack.FileSummary{{ID: up.FileID, Title: u.title}}, Channel: channel, ThreadTimestamp: threadTS,
		})
		return err
	})
}

// publishHome sets userID's App Home tab to view.
func (c *Client) publishHome(ctx context.Context, userID string, view slack.HomeTabViewRequest) error {
	return c.do(ctx, "views.publish", true, func(ctx context.Context) error {
		_, err := c.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
		return err
	})
}

// postResponseURL answers through a response_url: ephemeral (only the user sees it) unless
// the reply is public, never replacing the message the user clicked. Slack's Web API limiter
// does not apply to response_url, so the call is not paced, only counted.
func (c *Client) postResponseURL(ctx context.Context, responseURL string, msg message, public bool) error {
	kind := slack.ResponseTypeEphemeral
	if public {
		kind = slack.ResponseTypeInChannel
	}
	wm := &slack.WebhookMessage{
		Text:            msg.text,
		Blocks:          &slack.Blocks{BlockSet: msg.blocks},
		ResponseType:    kind,
		ReplaceOriginal: false,
	}
	return c.do(ctx, "response_url", false, func(ctx context.Context) error {
		err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, c.http, wm)
		// A response_url lets anyone post to the conversation for 30 minutes: keep it out
		// of errors, and so out of the logs.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			return fmt.Errorf("post to response_url: %s: %w", ue.Op, ue.Err)
		}
		return err
	})
}

// PostMessageWorkspaceKey is the limiter key of chat.postMessage's workspace-wide allowance
// (internal/redis gives it its limit).
const PostMessageWorkspaceKey = "chat.postMessage.workspace"
