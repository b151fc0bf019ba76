package slack

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/comune-prato/cantieri/bot"
)

// This file is the dispatcher shared by HTTP and Socket Mode: it turns a slash command, an
// interaction or an event callback into a core request ("plan", pure and quick), then
// de-duplicates it and runs it in the background ("accept"), and finally delivers the answer
// where the request came from ("deliver").

// Endpoint labels, for metrics and logs.
const (
	endpointCommands     = "commands"
	endpointEvents       = "events"
	endpointInteractions = "interactions"
	endpointSocketMode   = "socket_mode"
)

// triggerTTL is how long Slack honours a trigger_id; views.open is abandoned after it.
const triggerTTL = 3 * time.Second

// verdict is what became of a delivery.
type verdict int

const (
	// verdictAcked: the delivery was taken on (or answered in the ack itself).
	verdictAcked verdict = iota
	// verdictDuplicate: the same delivery was seen before; nothing is done.
	verdictDuplicate
	// verdictIgnored: not for us (another bot, an edit, an event we do not handle).
	verdictIgnored
	// verdictBadRequest: malformed.
	verdictBadRequest
	// verdictUnavailable: Redis could not say whether it is a duplicate, so the command is not
	// run; the user is told the service is temporarily unavailable.
	verdictUnavailable
	// verdictClosing: this replica is shutting down; HTTP answers 503 so that Slack retries
	// (events) or the user tries again (commands), reaching another replica.
	verdictClosing
)

// outcome is the metrics label for v.
func (v verdict) outcome() string {
	switch v {
	case verdictAcked:
		return "acked"
	case verdictDuplicate:
		return "duplicate"
	case verdictIgnored:
		return "ignored"
	case verdictBadRequest:
		return "bad_request"
	default:
		return "unavailable"
	}
}

// target says where a request's answer goes.
type target struct {
	// responseURL answers in place (ephemeral or in channel): slash commands and buttons.
	responseURL string
	// channel (and threadTS) receive a chat.postMessage when there is no response_url: a
	// mention's thread, a DM.
	channel  string
	threadTS string
	// origin is the channel the request came from, where a public image is shared.
	origin string
	// triggerID, when set, lets a form open as a modal (for 3 s).
	triggerID string
	// user is the last resort: a direct message. A reply's file always goes to the user's DM.
	user string
	// home publishes the reply as user's App Home view instead of posting it.
	home bool
}

// incoming is a planned request: the core request, where to answer, and its dedup keys.
type incoming struct {
	endpoint string
	keys     []string
	eventID  string
	req      bot.Request
	tgt      target
	// files were sent with the command (a DM with an attachment); run downloads them into
	// req.Attachments after the ack.
	files []eventFile
}

// homeCommand is the command text the App Home runs (the core's start page).
const homeCommand = "home"

// planCommand turns a slash command into a request.
func (t *Transport) planCommand(endpoint string, cmd slack.SlashCommand, keys []string) (*incoming, verdict) {
	if cmd.UserID == "" {
		return nil, verdictBadRequest
	}
	return &incoming{
		endpoint: endpoint,
		keys:     keys,
		req: bot.Request{
			ID:      bot.NewRequestID(),
			From:    bot.Identity{Transport: bot.TransportSlack, ExternalID: cmd.UserID, DisplayName: cmd.UserName},
			Source:  bot.SourceSlashCommand,
			Text:    strings.TrimSpace(unescapeSlack(cmd.Text)),
			Channel: cmd.ChannelID,
		},
		tgt: target{
			responseURL: cmd.ResponseURL,
			origin:      cmd.ChannelID,
			triggerID:   cmd.TriggerID,
			user:        cmd.UserID,
		},
	}, verdictAcked
}

// planInteraction turns a click on one of our buttons, or the submission of one of our
// modals, into a request. For a submission with required fields left blank it returns the
// "errors" response that keeps the modal open, and no request.
func (t *Transport) planInteraction(endpoint string, cb *slack.InteractionCallback, keys []string) (ack any, in *incoming, v verdict) {
	if cb.User.ID == "" {
		return nil, nil, verdictBadRequest
	}
	from := bot.Identity{Transport: bot.TransportSlack, ExternalID: cb.User.ID, DisplayName: cb.User.Name}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, a := range cb.ActionCallback.BlockActions {
			if !strings.HasPrefix(a.ActionID, actionPrefix) || a.Value == "" {
				continue
			}
			channel := cb.Channel.ID
			if channel == "" {
				channel = cb.Container.ChannelID
			}
			// A button in the Home tab has no response_url: its answer goes by DM, except
			// "home" itself, which refreshes the tab.
			fromHome := cb.View.Type == slack.VTHomeTab
			return nil, &incoming{
				endpoint: endpoint,
				keys:     keys,
				req: bot.Request{
					ID: bot.NewRequestID(), From: from, Source: bot.SourceInteraction,
					Text: a.Value, Channel: channel,
				},
				tgt: target{
					responseURL: cb.ResponseURL,
					threadTS:    cb.Container.ThreadTs,
					origin:      channel,
					triggerID:   cb.TriggerID,
					user:        cb.User.ID,
					home:        fromHome && t.isHomeCommand(a.Value),
				},
			}, verdictAcked
		}
		return nil, nil, verdictIgnored
	case slack.InteractionTypeViewSubmission:
		if !strings.HasPrefix(cb.View.CallbackID, callbackPrefix) {
			return nil, nil, verdictIgnored
		}
		meta, err := decodeFormMeta(cb.View.PrivateMetadata)
		if err != nil {
			t.log.Warn("form submission without usable metadata", "endpoint", endpoint, "user", cb.User.ID, "err", err)
			return nil, nil, verdictBadRequest
		}
		values := formValues(cb.View.State)
		if errs := formErrors(values, meta.Required, meta.Locale); len(errs) > 0 {
			return slack.NewErrorsViewSubmissionResponse(errs), nil, verdictAcked
		}
		tgt := target{responseURL: meta.ResponseURL, origin: meta.Channel, user: cb.User.ID}
		if meta.Thread != "" {
			tgt.channel, tgt.threadTS = meta.Channel, meta.Thread
		}
		return nil, &incoming{
			endpoint: endpoint,
			keys:     keys,
			req: bot.Request{
				ID: bot.NewRequestID(), From: from, Source: bot.SourceForm,
				Text: meta.Submit, Values: values, Channel: meta.Channel,
			},
			tgt: tgt,
		}, verdictAcked
	default:
		return nil, nil, verdictIgnored
	}
}

// eventCallback is the part of an Events API payload the bot reads. It is decoded here rather
// than with slackevents, which refuses inner event types it does not know.
type eventCallback struct {
	Type      string     `json:"type"`
	Challenge string     `json:"challenge"`
	EventID   string     `json:"event_id"`
	Event     innerEvent `json:"event"`
}

type innerEvent struct {
	Type        string      `json:"type"`
	Subtype     string      `json:"subtype"`
	User        string      `json:"user"`
	BotID       string      `json:"bot_id"`
	Text        string      `json:"text"`
	Channel     string      `json:"channel"`
	ChannelType string      `json:"channel_type"`
	TS          string      `json:"ts"`
	ThreadTS    string      `json:"thread_ts"`
	Tab         string      `json:"tab"`
	Files       []eventFile `json:"files"`
}

// subtypeFileShare is the subtype of a message that carries files: the one subtype that is a
// command (a CSV sent to the bot with "admin importa dipendenti").
const subtypeFileShare = "file_share"

// planEvent turns a mention of the bot, a direct message to it (with files, if any), or the
// opening of its Home tab into a request answered in place (the thread, the DM, the Home
// view). Everything else is ignored: other events, messages with another subtype (edits,
// deletions, joins, bot messages), messages from any bot including this one.
func (t *Transport) planEvent(endpoint string, env eventCallback, keys []string) (*incoming, verdict) {
	if env.Type != "event_callback" {
		return nil, verdictIgnored
	}
	ev := env.Event
	if ev.Type == "app_home_opened" {
		return t.planHome(endpoint, env, keys)
	}
	if ev.Subtype != "" && (ev.Subtype != subtypeFileShare || ev.Type != "message") {
		return nil, verdictIgnored
	}
	if ev.BotID != "" || ev.User == "" || ev.User == t.botUserID || ev.Channel == "" {
		return nil, verdictIgnored
	}
	in := &incoming{
		endpoint: endpoint,
		keys:     keys,
		eventID:  env.EventID,
		req: bot.Request{
			ID:      bot.NewRequestID(),
			From:    bot.Identity{Transport: bot.TransportSlack, ExternalID: ev.User},
			Text:    strings.TrimSpace(unescapeSlack(t.mention.ReplaceAllString(ev.Text, " "))),
			Channel: ev.Channel,
		},
		tgt: target{channel: ev.Channel, origin: ev.Channel, user: ev.User, threadTS: ev.ThreadTS},
	}
	switch ev.Type {
	case "app_mention":
		// A mention inside a DM also arrives as a message.im event, which answers it.
		if strings.HasPrefix(ev.Channel, "D") {
			return nil, verdictIgnored
		}
		in.req.Source = bot.SourceMention
		if in.tgt.threadTS == "" {
			in.tgt.threadTS = ev.TS
		}
	case "message":
		if ev.ChannelType != "im" {
			return nil, verdictIgnored
		}
		in.req.Source = bot.SourceDirectMessage
		if ev.Subtype == subtypeFileShare {
			in.files = ev.Files
		}
	default:
		return nil, verdictIgnored
	}
	return in, verdictAcked
}

// planHome turns the opening of the bot's Home tab into the "home" command, whose reply is
// published as the user's Home view. Every opening has its own event_id, so the view is fresh
// each time; a redelivery of the same opening is de-duplicated like any event.
func (t *Transport) planHome(endpoint string, env eventCallback, keys []string) (*incoming, verdict) {
	ev := env.Event
	if ev.Tab != "home" || ev.User == "" || ev.User == t.botUserID {
		return nil, verdictIgnored
	}
	return &incoming{
		endpoint: endpoint,
		keys:     keys,
		eventID:  env.EventID,
		req: bot.Request{
			ID:     bot.NewRequestID(),
			From:   bot.Identity{Transport: bot.TransportSlack, ExternalID: ev.User},
			Source: bot.SourceHome,
			Text:   homeCommand,
		},
		tgt: target{user: ev.User, home: true},
	}, verdictAcked
}

// isHomeCommand reports whether text runs the same command as the Home tab (its name or an
// alias), so that a Home button that leads back home refreshes the tab.
func (t *Transport) isHomeCommand(text string) bool {
	home := t.bot.Lookup(homeCommand)
	return home != nil && t.bot.Lookup(commandWord(text)) == home
}

// accept de-duplicates a planned request and starts it in the background. It never waits for
// the core: the caller acknowledges Slack right after.
func (t *Transport) accept(ctx context.Context, in *incoming) verdict {
	log := t.requestLog(in)
	if t.isClosing() {
		t.forget(ctx, log, in.keys)
		log.Info("shutting down; delivery left for another replica")
		return verdictClosing
	}
	first, err := t.firstSeen(ctx, in.keys)
	if err != nil {
		// Without dedup a retry could run the command twice: tell the user instead.
		log.Warn("dedup unavailable; answering 'temporarily unavailable'", "err", err)
		t.spawn(log, func(ctx context.Context) {
			req := in.req
			t.fillHints(ctx, &req, true)
			t.deliver(ctx, log, req, in.tgt, t.bot.Unavailable(req.From.Locale))
		})
		return verdictUnavailable
	}
	if !first {
		log.Info("duplicate delivery ignored")
		return verdictDuplicate
	}
	if !t.spawn(log, func(ctx context.Context) { t.run(ctx, log, in) }) {
		t.forget(ctx, log, in.keys)
		return verdictClosing
	}
	return verdictAcked
}

// firstSeen reports whether every key is new. The Redis round trip is bounded so that the ack
// stays well under 3 s even when Redis hangs.
func (t *Transport) firstSeen(ctx context.Context, keys []string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, dedupTimeout)
	defer cancel()
	for _, k := range keys {
		first, err := t.dedup.FirstSeen(ctx, "slack:"+k)
		if err != nil {
			return false, fmt.Errorf("dedup %s: %w", k, err)
		}
		if !first {
			return false, nil
		}
	}
	return true, nil
}

// forget releases keys of a delivery this replica did not process, so that a retry can be.
func (t *Transport) forget(ctx context.Context, log *slog.Logger, keys []string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dedupTimeout)
	defer cancel()
	for _, k := range keys {
		if err := t.dedup.Forget(ctx, "slack:"+k); err != nil {
			log.Warn("could not release dedup key", "err", err)
		}
	}
}

// run executes one request through the core and delivers the answer.
func (t *Transport) run(ctx context.Context, log *slog.Logger, in *incoming) {
	req := in.req
	// A trigger_id expires 3 s after the click: no users.info call may delay the modal.
	t.fillHints(ctx, &req, in.tgt.triggerID == "")
	if len(in.files) > 0 {
		atts, refusal := t.attachments(ctx, log, in.files, t.bot.Locale("", req.From.Locale))
		if refusal != nil {
			t.deliver(ctx, log, req, in.tgt, *refusal)
			return
		}
		req.Attachments = atts
	}
	start := t.now()
	reply := t.bot.Handle(ctx, req)
	t.metrics.CommandLatency.WithLabelValues(bot.TransportSlack).Observe(t.now().Sub(start).Seconds())
	t.deliver(ctx, log, req, in.tgt, reply)
}

// fillHints adds the user's Slack locale and name to the request, from the cache or, when
// fetch allows, from users.info. On a miss without fetching, the cache is warmed for next time.
func (t *Transport) fillHints(ctx context.Context, req *bot.Request, fetch bool) {
	id := req.From.ExternalID
	info, ok := t.users.cached(id)
	if !ok {
		if fetch {
			info = t.users.get(ctx, id)
		} else {
			t.spawn(t.log, func(ctx context.Context) { t.users.get(ctx, id) })
		}
	}
	if req.From.Locale == "" {
		req.From.Locale = info.locale
	}
	if info.name != "" {
		req.From.DisplayName = info.name
	}
}

// deliver sends a reply where the request came from: a form as a modal when a trigger_id
// allows it (else as a button that opens it), a message through the response_url, in the
// thread or the DM, and as a last resort by direct message.
func (t *Transport) deliver(ctx context.Context, log *slog.Logger, req bot.Request, tgt target, r bot.Reply) {
	locale := t.bot.Locale("", req.From.Locale)
	if r.Form != nil && r.Form.Submit == "" {
		log.Error("form without a submit command; showing its text only", "form", r.Form.ID)
		r.Form = nil
	}
	if r.Form != nil {
		if tgt.triggerID != "" {
			err := t.openForm(ctx, tgt, r, locale)
			if err == nil {
				log.Info("form opened", "form", r.Form.ID)
				return
			}
			log.Warn("could not open the form; offering a button instead", "form", r.Form.ID, "err", err)
		}
		r = formFallback(r, req.Text, locale)
	}

	if tgt.home {
		if err := t.client.publishHome(ctx, tgt.user, renderHome(r, locale)); err != nil {
			log.Error("could not publish the Home view", "err", err)
			return
		}
		log.Info("home view published", "error_reply", r.IsError)
		// A picture has no place in the Home view (it would need a public URL); a file is
		// still the user's, so it goes to the DM.
		t.deliverFile(ctx, log, tgt.user, r.File)
		return
	}

	msg := renderMessage(r, locale)
	// Something meant for the reader alone is never shown to the channel, whoever asked for it
	// to be public.
	public := r.Public && !r.Private
	var (
		err                   error
		imgChannel, imgThread string
	)
	switch {
	case tgt.responseURL != "":
		if err = t.client.postResponseURL(ctx, tgt.responseURL, msg, public); err != nil {
			// A response_url lasts 30 minutes and 5 uses; a DM always works.
			log.Warn("response_url failed; answering by direct message", "err", err)
			_, err = t.client.postMessage(ctx, tgt.user, "", msg)
		} else if public {
			imgChannel, imgThread = tgt.origin, tgt.threadTS
		}
	case tgt.channel != "" && r.Private && !isDirect(tgt.channel):
		// Asked in a channel (a mention, a form opened from its thread): answer the asker
		// alone, in place when Slack lets us, else by direct message.
		if err = t.client.postEphemeral(ctx, tgt.channel, tgt.user, tgt.threadTS, msg); err != nil {
			log.Warn("ephemeral answer failed; answering by direct message", "err", err)
			_, err = t.client.postMessage(ctx, tgt.user, "", msg)
		}
	case tgt.channel != "":
		_, err = t.client.postMessage(ctx, tgt.channel, tgt.threadTS, msg)
		imgChannel, imgThread = tgt.channel, tgt.threadTS
	default:
		_, err = t.client.postMessage(ctx, tgt.user, "", msg)
	}
	if err != nil {
		log.Error("could not deliver the answer", "err", err)
		return
	}
	log.Info("answer delivered", "public", public, "private", r.Private, "error_reply", r.IsError)
	t.deliverImage(ctx, log, tgt.user, imgChannel, imgThread, r.Image)
	t.deliverFile(ctx, log, tgt.user, r.File)
}

// deliverImage shares a reply's picture where the answer was shown to others (channel and
// thread), or else, for a private answer, in the user's DM with the bot.
func (t *Transport) deliverImage(ctx context.Context, log *slog.Logger, user, channel, thread string, img *bot.Image) {
	if img == nil || len(img.PNG) == 0 {
		return
	}
	if channel == "" || isUserID(channel) {
		dm, err := t.client.openDM(ctx, user)
		if err != nil {
			log.Error("could not open a DM for the picture", "err", err)
			return
		}
		channel, thread = dm, ""
	}
	if err := t.client.uploadFile(ctx, channel, thread, imageUpload(img)); err != nil {
		log.Error("could not upload the picture", "err", err)
	}
}

// openForm opens r's form as a modal, carrying its routing data in private_metadata.
func (t *Transport) openForm(ctx context.Context, tgt target, r bot.Reply, locale string) error {
	f := r.Form
	meta := formMeta{
		Submit: f.Submit, FormID: f.ID, Channel: tgt.origin, ResponseURL: tgt.responseURL,
		Thread: tgt.threadTS, Locale: locale,
	}
	for _, fld := range f.Fields {
		if fld.Required {
			meta.Required = append(meta.Required, fld.Name)
		}
	}
	enc, err := meta.encode()
	if err != nil {
		return fmt.Errorf("open form %s: %w", f.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, triggerTTL)
	defer cancel()
	if err := t.client.openView(ctx, tgt.triggerID, renderModal(f, r.Text, enc, locale)); err != nil {
		return fmt.Errorf("open form %s: %w", f.ID, err)
	}
	return nil
}

// requestLog is the logger for one request: ids, never the text beyond the command word.
func (t *Transport) requestLog(in *incoming) *slog.Logger {
	log := t.log.With("request_id", in.req.ID, "endpoint", in.endpoint, "user", in.req.From.ExternalID,
		"source", string(in.req.Source), "command", commandWord(in.req.Text))
	if in.eventID != "" {
		log = log.With("event_id", in.eventID)
	}
	return log
}

// commandWord is the first word of a command text, the only part of it that is logged (the
// rest may be personal data or feedback).
func commandWord(text string) string {
	f := strings.Fields(text)
	if len(f) == 0 {
		return ""
	}
	w := strings.ToLower(f[0])
	if utf8.RuneCountInString(w) > 32 {
		w = string([]rune(w)[:32])
	}
	return w
}
