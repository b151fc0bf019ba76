package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/comune-prato/cantieri/bot"
)

// Outbox enqueues the jobs that a store change calls for inside the change's transaction (it
// implements postgres.Outbox). It has its own insert-only River client, so that the store can
// be built before the Runner that works the jobs (the console needs the core to exist first).
type Outbox struct {
	client *river.Client[pgx.Tx]
	// channelQueue is the queue of team_channel jobs: whichever transport creates project
	// channels in this deployment.
	channelQueue string
	// texts, when set, keeps the notices' texts in a table of their own instead of the jobs'
	// args (see KeepTextsIn).
	texts TextStore
}

// TextStore keeps the text of messages waiting to be posted out of River's job args
// (internal/postgres.Outbound implements it, with the table outbox_texts).
type TextStore interface {
	// SaveTextsTx keeps each notice's reply under its key in tx, with the employees its Ref
	// names (People and About: erasing any of them deletes it). A key kept already keeps its
	// first text.
	SaveTextsTx(ctx context.Context, tx pgx.Tx, notices []bot.Notice) error
	// LoadText returns the text kept under key; none means posted already, or erased.
	LoadText(ctx context.Context, key string) (bot.Reply, bool, error)
	// DeleteText forgets the text under key once it is posted.
	DeleteText(ctx context.Context, key string) error
}

// OrderStore tells a post whether an earlier message to the same conversation is still to be
// sent (internal/postgres.Outbound implements it over River's own table). Posts are worked by
// several workers at once; waiting for the earlier ones keeps one person's notices in the order
// they were enqueued ("Mario accepted" before "the team is complete").
type OrderStore interface {
	EarlierPostPending(ctx context.Context, channel string, jobID int64) (bool, error)
}

// KeepTextsIn makes the Outbox keep notices' texts in ts rather than in the post jobs' args:
// River keeps finished jobs for a day and failed ones longer, and erasing a person must leave
// no words of theirs, or to them, behind (the store deletes their pending texts). The
// Runner's Config.Outbound must implement TextStore too, to read them back. Call it before use.
func (o *Outbox) KeepTextsIn(ts TextStore) { o.texts = ts }

// NewOutbox returns an Outbox inserting into pool's River tables.
func NewOutbox(pool *pgxpool.Pool) (*Outbox, error) {
	if pool == nil {
		return nil, errors.New("jobs: nil pool")
	}
	// No queues and no workers: an insert-only client, which never fetches jobs.
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("jobs: outbox client: %w", err)
	}
	return &Outbox{client: client, channelQueue: QueueSlack}, nil
}

// ChannelsOnConsole makes the console, not Slack, create project channels: for a deployment
// without Slack, where the console is the only transport (make demo). Call it before use.
func (o *Outbox) ChannelsOnConsole() { o.channelQueue = QueueConsole }

// postBatch is how many post jobs PostTx inserts per statement. A fan-out to every employee
// (the monthly pulse: tens of thousands) then costs two round trips per thousand messages
// instead of two per message (BenchmarkOutboxPostTx); a batch's parameters stay far below
// PostgreSQL's limits.
const postBatch = 1000

// PostTx enqueues one post job per notice in tx; a key already queued or posted is skipped
// (and so is a key repeated in notices: the first one counts).
func (o *Outbox) PostTx(ctx context.Context, tx pgx.Tx, notices []bot.Notice) error {
	seen := make(map[string]bool, len(notices))
	batch := make([]bot.Notice, 0, min(len(notices), postBatch))
	for _, n := range notices {
		if seen[n.Key] {
			// River inserts a batch in one INSERT … ON CONFLICT DO UPDATE, which may not meet
			// the same unique key twice; enqueued one by one, the second was a duplicate.
			continue
		}
		seen[n.Key] = true
		batch = append(batch, n)
		if len(batch) == postBatch {
			if err := o.postBatchTx(ctx, tx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return o.postBatchTx(ctx, tx, batch)
}

// postBatchTx enqueues notices (distinct keys) with one insert, and keeps the texts of the
// jobs that are new with another.
func (o *Outbox) postBatchTx(ctx context.Context, tx pgx.Tx, notices []bot.Notice) error {
	if len(notices) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(notices))
	for i, n := range notices {
		args := PostArgs{Key: n.Key, Channel: n.Channel, Reply: n.Reply, Ref: n.Ref}
		if o.texts != nil {
			args.Reply, args.StoredText = bot.Reply{}, true
		}
		if err := args.validate(); err != nil {
			return err
		}
		params[i] = river.InsertManyParams{Args: args}
	}
	res, err := o.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return fmt.Errorf("jobs: enqueue %d posts (the first %s): %w", len(notices), notices[0].Key, err)
	}
	if o.texts == nil {
		return nil
	}
	// The text goes with a new job only: a key already queued or posted keeps its own. Same
	// transaction, so no worker sees the job before its text. River returns the rows in no
	// promised order: they are matched to the notices by key.
	fresh := make(map[string]bool, len(res))
	for _, r := range res {
		if r.UniqueSkippedAsDuplicate {
			continue
		}
		var a PostArgs
		if err := json.Unmarshal(r.Job.EncodedArgs, &a); err != nil {
			return fmt.Errorf("jobs: read back post job %d: %w", r.Job.ID, err)
		}
		fresh[a.Key] = true
	}
	keep := make([]bot.Notice, 0, len(fresh))
	for _, n := range notices {
		if fresh[n.Key] {
			keep = append(keep, n)
		}
	}
	return o.texts.SaveTextsTx(ctx, tx, keep)
}

// TeamChannelTx enqueues the creation of a formed team's channel in tx.
func (o *Outbox) TeamChannelTx(ctx context.Context, tx pgx.Tx, projectID int64) error {
	if _, err := o.client.InsertTx(ctx, tx, TeamChannelArgs{ProjectID: projectID}, &river.InsertOpts{Queue: o.channelQueue}); err != nil {
		return fmt.Errorf("jobs: enqueue team channel of project %d: %w", projectID, err)
	}
	return nil
}
