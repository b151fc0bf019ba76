package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comune-prato/cantieri/bot"
)

// KindPostMessage is the River kind of PostArgs.
const KindPostMessage = "post_message"

// DefaultPostAttempts is how many times a post is tried. River's backoff (attempt⁴ seconds)
// spreads twelve attempts over about half a day: a Slack outage is ridden out, and a message
// that could not be delivered by then is stale enough to drop.
const DefaultPostAttempts = 12

// maxKeyLength matches the CHECK on outbound_messages.idempotency_key.
const maxKeyLength = 200

// ErrNoPoster is the error of a post job worked by a Runner that has no Poster. The job is
// retried, so a replica with a Poster can still deliver it.
var ErrNoPoster = errors.New("jobs: no Poster configured: cannot post")

// PostArgs are the args of a post_message job: post Reply to Channel, once per Key.
type PostArgs struct {
	// Key is the idempotency key (1-200 characters): the same key is posted at most once.
	// Derive it from what the message is about, e.g. "round:42:group:3" or
	// "reminder:7:2026-03-30:U123", never from time.Now.
	Key string `json:"key" river:"unique"`
	// Channel is a channel id, or a user id for a direct message.
	Channel string `json:"channel"`
	// Reply is the message, unless StoredText.
	Reply bot.Reply `json:"reply,omitzero"`
	// StoredText says the message's text is kept under Key by the Runner's TextStore (see
	// Outbox.KeepTextsIn), not in these args.
	StoredText bool `json:"stored_text,omitempty"`
	// Ref names what the message is about: the worker asks Config.Due whether it is still
	// due right before posting, so that a retry hours later, or a job rescued after a crash,
	// does not send an invitation already answered or a message to someone since erased.
	Ref bot.NoticeRef `json:"ref,omitzero"`
}

// Kind implements river.JobArgs.
func (PostArgs) Kind() string { return KindPostMessage }

// postOrderWait is how long a post waits for an earlier one to the same conversation.
const postOrderWait = 500 * time.Millisecond

// InsertOpts implements river.JobArgsWithInsertOpts: unique by Key (only; see its
// river:"unique" tag) while the job exists, so enqueueing the same post twice inserts one job;
// in the queue of the transport that can deliver to Channel.
func (a PostArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueFor(a.Channel),
		MaxAttempts: DefaultPostAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// QueueFor returns the queue of the transport that delivers to address: QueueConsole for a
// console address, or a group of console addresses only; QueueSlack for anything else (a
// Slack user or channel id, a group with at least one Slack user).
func QueueFor(address string) string {
	if strings.HasPrefix(address, bot.ConsoleAddressPrefix) {
		return QueueConsole
	}
	if list, ok := strings.CutPrefix(address, bot.GroupAddressPrefix); ok && list != "" {
		for a := range strings.SplitSeq(list, ",") {
			if !strings.HasPrefix(a, bot.ConsoleAddressPrefix) {
				return QueueSlack
			}
		}
		return QueueConsole
	}
	return QueueSlack
}

func (a PostArgs) validate() error {
	switch {
	case a.Key == "" || len(a.Key) > maxKeyLength:
		return fmt.Errorf("jobs: post key must be 1-%d bytes, got %d", maxKeyLength, len(a.Key))
	case a.Channel == "":
		return errors.New("jobs: post without a channel")
	}
	return nil
}

// EnqueuePost inserts a post job. A job already queued or done under the same key is not
// inserted again: the result's UniqueSkippedAsDuplicate says so.
func EnqueuePost(ctx context.Context, client *river.Client[pgx.Tx], args PostArgs) (*rivertype.JobInsertResult, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	res, err := client.Insert(ctx, args, nil)
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueue post %s: %w", args.Key, err)
	}
	return res, nil
}

// EnqueuePostTx is EnqueuePost inside tx, so that the post is enqueued if and only if the
// business writes that call for it commit (Firing.Tx in a schedule's Run, for instance).
func EnqueuePostTx(ctx context.Context, client *river.Client[pgx.Tx], tx pgx.Tx, args PostArgs) (*rivertype.JobInsertResult, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	res, err := client.InsertTx(ctx, tx, args, nil)
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueue post %s: %w", args.Key, err)
	}
	return res, nil
}

// postWorker works post_message jobs.
type postWorker struct {
	river.WorkerDefaults[PostArgs]
	r *Runner
}

// Timeout bounds one attempt: a post is a few Slack calls. Kept below RescueAfter, so that a
// job still running when River would rescue it has been cancelled already.
func (w *postWorker) Timeout(*river.Job[PostArgs]) time.Duration { return PostTimeout }

// Work posts unless the key's message is already recorded, then records it. River may run it
// more than once (a retry, a rescued job); the record makes the post happen once. A crash
// between Slack's answer and the record (or a timeout after Slack took the message) leaves no
// record: the message carries its key in Slack's message metadata, and a later attempt looks
// for it in the conversation before posting (Runner.deliver).
func (w *postWorker) Work(ctx context.Context, job *river.Job[PostArgs]) error {
	a := job.Args
	log := w.r.log.With("kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "key", a.Key)
	fail := func(err error) error {
		w.r.count(job.Kind, OutcomeError)
		log.ErrorContext(ctx, "jobs: post failed", "err", err)
		return err
	}
	ts, found, err := w.r.store.OutboundTS(ctx, a.Key)
	if err != nil {
		return fail(fmt.Errorf("jobs: post %s: %w", a.Key, err))
	}
	if found {
		w.forget(ctx, a, log)
		w.r.count(job.Kind, OutcomeSkipped)
		log.InfoContext(ctx, "jobs: already posted; skipped", "ts", ts)
		return nil
	}
	if w.r.poster == nil {
		return fail(fmt.Errorf("jobs: post %s: %w", a.Key, ErrNoPoster))
	}
	if !a.Ref.IsZero() && w.r.due != nil {
		due, err := w.r.due.MessageDue(ctx, a.Ref)
		if err != nil {
			return fail(fmt.Errorf("jobs: post %s: is it still due: %w", a.Key, err))
		}
		if !due {
			// Not an error: the facts changed since the message was enqueued (an answered
			// or withdrawn invitation, a stopped round, an erased person).
			w.forget(ctx, a, log)
			w.r.count(job.Kind, OutcomeSkipped)
			log.InfoContext(ctx, "jobs: message no longer due; not sent", "ref_kind", a.Ref.Kind, "ref_id", a.Ref.ID)
			return nil
		}
	}
	if order, ok := w.r.store.(OrderStore); ok {
		earlier, err := order.EarlierPostPending(ctx, a.Channel, job.ID)
		if err != nil {
			return fail(fmt.Errorf("jobs: post %s: earlier messages: %w", a.Key, err))
		}
		if earlier {
			// Snoozing does not count as an attempt; the earlier job has a lower id, so
			// waits never form a cycle.
			return river.JobSnooze(postOrderWait)
		}
	}
	if a.StoredText {
		texts, ok := w.r.store.(TextStore)
		if !ok {
			return fail(fmt.Errorf("jobs: post %s: its text is stored, and Config.Outbound keeps no texts", a.Key))
		}
		reply, found, err := texts.LoadText(ctx, a.Key)
		if err != nil {
			return fail(fmt.Errorf("jobs: post %s: %w", a.Key, err))
		}
		if !found {
			// Erased with its recipient (or pruned): nothing left to send.
			w.r.count(job.Kind, OutcomeSkipped)
			log.InfoContext(ctx, "jobs: the message's text is gone (erased); not sent")
			return nil
		}
		a.Reply = reply
	}
	ts, already, err := w.r.deliver(ctx, job.JobRow, a.Channel, a.Key, a.Reply)
	if errors.Is(err, bot.ErrUnreachable) {
		// A console-only person and a Slack replica: no retry can deliver it. The person
		// sees the same thing with a command (invito, incontri).
		w.forget(ctx, a, log)
		w.r.count(job.Kind, OutcomeSkipped)
		log.WarnContext(ctx, "jobs: address not reachable by this transport; message dropped", "err", err)
		return nil
	}
	if err != nil {
		return fail(fmt.Errorf("jobs: post %s: %w", a.Key, err))
	}
	if already {
		// An earlier attempt posted it and died before recording it (a crash, a timeout
		// after Slack's answer): record it now, and do not post it twice.
		if err := w.record(ctx, a, ts); err != nil {
			log.ErrorContext(ctx, "jobs: could not record a message found in Slack's history", "ts", ts, "err", err)
		}
		w.forget(ctx, a, log)
		w.r.count(job.Kind, OutcomeSkipped)
		log.InfoContext(ctx, "jobs: an earlier attempt had posted it; not posted again", "ts", ts)
		return nil
	}
	if err := w.record(ctx, a, ts); err != nil {
		// The message is out. Failing now would make River post it again, which is worse than
		// a missing record (that only matters if the same key is enqueued again later).
		log.ErrorContext(ctx, "jobs: posted but could not record the message; a new job with this key would post again",
			"ts", ts, "err", err)
	}
	w.forget(ctx, a, log)
	w.r.count(job.Kind, OutcomeOK)
	log.InfoContext(ctx, "jobs: posted", "ts", ts)
	return nil
}

// forget deletes the stored text of a message that needs it no more (posted, or no longer
// due). A failure only leaves the text to the housekeeping prune.
func (w *postWorker) forget(ctx context.Context, a PostArgs, log *slog.Logger) {
	texts, ok := w.r.store.(TextStore)
	if !a.StoredText || !ok {
		return
	}
	if err := texts.DeleteText(context.WithoutCancel(ctx), a.Key); err != nil {
		log.WarnContext(ctx, "jobs: could not delete a sent message's text; housekeeping will", "err", err)
	}
}

// record stores the posted message, retrying briefly over a database hiccup. It does not
// inherit ctx's cancellation: a shutdown right after posting must not lose the record.
func (w *postWorker) record(ctx context.Context, a PostArgs, ts string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var err error
	for attempt, backoff := 0, 100*time.Millisecond; attempt < 4; attempt, backoff = attempt+1, backoff*3 {
		if err = w.r.store.RecordOutbound(ctx, a.Key, a.Channel, ts); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(backoff):
		}
	}
	return err
}

// KeyedPoster is a Poster that labels a message with its idempotency key and can find a message
// so labelled again: the Slack client, with message metadata and conversations.history. With
// one, a retry whose earlier attempt may have reached the chat looks before posting again.
type KeyedPoster interface {
	bot.Poster
	// PostKeyed posts r to channel labelled with key.
	PostKeyed(ctx context.Context, channel, key string, r bot.Reply) (string, error)
	// FindPosted returns the ts of a message labelled key posted to channel since since.
	FindPosted(ctx context.Context, channel, key string, since time.Time) (ts string, found bool, err error)
}

// historySkew widens the history search back in time, for the clocks of the database (where
// the job's creation time comes from) and of Slack (the messages' ts) not to agree.
const historySkew = time.Minute

// deliver posts reply to channel under key, once. On an attempt after the first, an earlier
// attempt may have posted and died before recording it (River marks a rescued job's retry as
// attempt 2): with a KeyedPoster, the conversation's history since the job's creation (which
// precedes its first attempt) is searched for the key first, and a message found is returned
// with already set instead of being posted again.
func (r *Runner) deliver(ctx context.Context, job *rivertype.JobRow, channel, key string, reply bot.Reply) (ts string, already bool, err error) {
	kp, keyed := r.poster.(KeyedPoster)
	if !keyed {
		ts, err = r.poster.Post(ctx, channel, reply)
		return ts, false, err
	}
	if job.Attempt > 1 {
		ts, found, err := kp.FindPosted(ctx, channel, key, job.CreatedAt.Add(-historySkew))
		if err != nil {
			return "", false, fmt.Errorf("look for an earlier attempt's message: %w", err)
		}
		if found {
			return ts, true, nil
		}
	}
	ts, err = kp.PostKeyed(ctx, channel, key, reply)
	return ts, false, err
}
