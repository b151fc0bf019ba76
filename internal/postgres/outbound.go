package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
)

// Outbound keeps the idempotency records of durable jobs (tables outbound_messages and
// scheduled_runs). River runs every job at least once; these records are what make a job's
// side effects happen once in practice: a retried post finds its message, a duplicated or
// retried firing of a schedule finds its run.
type Outbound struct {
	pool *pgxpool.Pool
}

// NewOutbound returns an Outbound on pool.
func NewOutbound(pool *pgxpool.Pool) *Outbound { return &Outbound{pool: pool} }

// OutboundTS returns the id (Slack's ts) of the message posted under the idempotency key, and
// whether there is one. A missing key is not an error: it is the normal case before posting.
func (o *Outbound) OutboundTS(ctx context.Context, key string) (ts string, found bool, err error) {
	err = o.pool.QueryRow(ctx, `SELECT ts FROM outbound_messages WHERE idempotency_key = $1`, key).Scan(&ts)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, wrap("outbound: look up "+key, err)
	}
	return ts, true, nil
}

// RecordOutbound records that the message for key was posted to channel as ts. Recording a key
// again keeps the first record: the first post is the one that reached the user, and a second
// record can only come from a duplicate that slipped through.
func (o *Outbound) RecordOutbound(ctx context.Context, key, channel, ts string) error {
	return recordOutbound(ctx, o.pool, key, channel, ts)
}

// RecordOutboundTx is RecordOutbound inside tx, for work that records a message together with
// other writes (for example inside RunOnce).
func (o *Outbound) RecordOutboundTx(ctx context.Context, tx pgx.Tx, key, channel, ts string) error {
	return recordOutbound(ctx, tx, key, channel, ts)
}

// outboundDB is what a pool and a transaction have in common for statements without results.
type outboundDB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func recordOutbound(ctx context.Context, db outboundDB, key, channel, ts string) error {
	_, err := db.Exec(ctx, `INSERT INTO outbound_messages (idempotency_key, channel, ts)
		VALUES ($1, $2, $3) ON CONFLICT (idempotency_key) DO NOTHING`, key, recordedChannel(channel), ts)
	return wrap("outbound: record "+key, err)
}

// sharedChannel matches a Slack channel id (public C…, private G…): a conversation of many,
// not a person's address.
var sharedChannel = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)

// recordedChannel is what the record keeps of where a message went: a shared channel's id, and
// nothing for a person's or a group's address (a Slack user id, a DM, a console handle, a
// group of people). Idempotency needs only the key and Slack's ts, and nothing reads the
// channel back; an address kept here would be a person's chat id outliving their erasure —
// and a post that was already on its way when they erased (it passed its "still due?" check
// just before) records after the erasure has run, so only not writing it keeps it out.
func recordedChannel(channel string) string {
	if sharedChannel.MatchString(channel) {
		return channel
	}
	return ""
}

// RunOnce runs fn at most once per (schedule, fireAt), inside one transaction that also records
// the run in scheduled_runs. It reports whether fn ran (and committed). When the run is already
// recorded it returns false without calling fn. When fn fails the transaction is rolled back,
// record included, so that a retry runs the firing again from scratch.
//
// The claim is an INSERT … ON CONFLICT DO NOTHING: a second worker on the same firing waits on
// the first one's row lock and, once the first commits, finds the row and skips; if the first
// rolls back, the second runs. fn should do the firing's database work (and insert follow-up
// jobs, e.g. with river's InsertTx) in tx, and leave slow side effects such as posting to Slack
// to those jobs, because the row lock is held until fn returns.
func (o *Outbound) RunOnce(ctx context.Context, schedule string, fireAt time.Time, fn func(ctx context.Context, tx pgx.Tx) error) (ran bool, err error) {
	op := fmt.Sprintf("scheduled run %s at %s", schedule, fireAt.UTC().Format(time.RFC3339))
	tx, err := o.pool.Begin(ctx)
	if err != nil {
		return false, wrap(op+": begin", err)
	}
	defer func() {
		// Without cancel: a cancelled ctx must still release the connection's transaction.
		// After Commit this is a no-op.
		_ = tx.Rollback(context.WithoutCancel(ctx))
	}()
	tag, err := tx.Exec(ctx, `INSERT INTO scheduled_runs (schedule, fire_at) VALUES ($1, $2)
		ON CONFLICT (schedule, fire_at) DO NOTHING`, schedule, fireAt)
	if err != nil {
		return false, wrap(op+": claim", err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	if err := fn(ctx, tx); err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, wrap(op+": commit", err)
	}
	return true, nil
}

// ScheduledRuns returns the recorded fire times of schedule, oldest first (in UTC). It serves
// "last run" displays and tests.
func (o *Outbound) ScheduledRuns(ctx context.Context, schedule string) ([]time.Time, error) {
	rows, err := o.pool.Query(ctx, `SELECT fire_at FROM scheduled_runs WHERE schedule = $1 ORDER BY fire_at`, schedule)
	if err != nil {
		return nil, wrap("scheduled runs of "+schedule, err)
	}
	times, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (time.Time, error) {
		var t time.Time
		err := r.Scan(&t)
		return t.UTC(), err
	})
	return times, wrap("scheduled runs of "+schedule, err)
}

// SaveTextTx keeps the text of a message to be posted under key, in tx (the transaction that
// enqueues its post job), so that the job's args need not carry it. people are the employees
// the message is for or names (bot.NoticeRef's People and About): erasing one of them deletes
// it. Saving a key again keeps the first text,
// as River keeps the first job of a key.
func (o *Outbound) SaveTextTx(ctx context.Context, tx pgx.Tx, key string, reply bot.Reply, people []int64) error {
	return o.SaveTextsTx(ctx, tx, []bot.Notice{{Key: key, Reply: reply, Ref: bot.NoticeRef{People: people}}})
}

// SaveTextsTx keeps the texts of many notices in one statement, each under its key with the
// people its Ref names (People and About), as SaveTextTx does one: a fan-out of thousands (the
// monthly pulse) saves its texts in a round trip per batch instead of one per message.
func (o *Outbound) SaveTextsTx(ctx context.Context, tx pgx.Tx, notices []bot.Notice) error {
	if len(notices) == 0 {
		return nil
	}
	keys := make([]string, len(notices))
	replies := make([]string, len(notices))
	people := make([]string, len(notices))
	for i, n := range notices {
		r, err := json.Marshal(n.Reply)
		if err != nil {
			return fmt.Errorf("outbox: encode the text of %s: %w", n.Key, err)
		}
		ids, err := json.Marshal(append(append([]int64{}, n.Ref.People...), n.Ref.About...))
		if err != nil {
			return fmt.Errorf("outbox: encode the people of %s: %w", n.Key, err)
		}
		keys[i], replies[i], people[i] = n.Key, string(r), string(ids)
	}
	_, err := tx.Exec(ctx, `INSERT INTO outbox_texts (idempotency_key, reply, people)
		SELECT k, r::jsonb, ARRAY(SELECT jsonb_array_elements_text(p::jsonb)::bigint)
		FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, r, p)
		ON CONFLICT (idempotency_key) DO NOTHING`, keys, replies, people)
	if err != nil {
		return wrap(fmt.Sprintf("outbox: save %d texts (the first %s)", len(notices), keys[0]), err)
	}
	return nil
}

// LoadText returns the text kept under key, and whether there is one: none means it was
// posted already or erased with its recipient.
func (o *Outbound) LoadText(ctx context.Context, key string) (bot.Reply, bool, error) {
	var r bot.Reply
	err := o.pool.QueryRow(ctx, `SELECT reply FROM outbox_texts WHERE idempotency_key = $1`, key).Scan(&r)
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Reply{}, false, nil
	}
	if err != nil {
		return bot.Reply{}, false, wrap("outbox: load the text of "+key, err)
	}
	return r, true, nil
}

// DeleteText deletes the text kept under key, once its message is posted.
func (o *Outbound) DeleteText(ctx context.Context, key string) error {
	_, err := o.pool.Exec(ctx, `DELETE FROM outbox_texts WHERE idempotency_key = $1`, key)
	return wrap("outbox: delete the text of "+key, err)
}

// PruneOutboundTx deletes idempotency records of messages posted before cutoff, in tx. Once
// River has long forgotten a job, nothing can retry it, so its record only takes room.
func PruneOutboundTx(ctx context.Context, tx pgx.Tx, cutoff time.Time) (int64, error) {
	tag, err := tx.Exec(ctx, `DELETE FROM outbound_messages WHERE sent_at < $1`, cutoff)
	if err != nil {
		return 0, wrap("prune outbound messages", err)
	}
	// Texts whose job gave up: River stops retrying a post after about half a day, so a week
	// is ample, and personal text is not kept longer than it is needed.
	if _, err := tx.Exec(ctx, `DELETE FROM outbox_texts WHERE created_at < now() - interval '7 days'`); err != nil {
		return 0, wrap("prune outbox texts", err)
	}
	return tag.RowsAffected(), nil
}

// EarlierPostPending reports whether a post to channel enqueued before jobID (a lower id) is
// still to be worked soon: available, running, or due within a minute. A post waiting for a
// retry later than that, or discarded, does not hold the later ones back.
func (o *Outbound) EarlierPostPending(ctx context.Context, channel string, jobID int64) (bool, error) {
	var pending bool
	err := o.pool.QueryRow(ctx, `SELECT EXISTS (
		SELECT 1 FROM river_job
		WHERE kind = 'post_message' AND id < $2 AND args->>'channel' = $1
		  AND (state IN ('available', 'running', 'pending')
		       OR (state IN ('scheduled', 'retryable') AND scheduled_at < now() + interval '1 minute')))`,
		channel, jobID).Scan(&pending)
	if err != nil {
		return false, fmt.Errorf("earlier posts to %s: %w", channel, err)
	}
	return pending, nil
}
