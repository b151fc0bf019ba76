-- +goose Up
-- Idempotency records for durable jobs. River runs a job at least once; these tables make the
-- side effects happen at most once.

-- One row per message the bot has posted for a job, keyed by the job's idempotency key:
-- a retried job finds its row and does not post again.
CREATE TABLE outbound_messages (
    idempotency_key text        PRIMARY KEY CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    channel         text        NOT NULL,
    ts              text        NOT NULL,
    sent_at         timestamptz NOT NULL DEFAULT now()
);

-- One row per completed firing of a cron schedule, written in the same transaction as the
-- firing's own database work: a retried or duplicated job finds the row and does nothing.
CREATE TABLE scheduled_runs (
    schedule     text        NOT NULL,
    fire_at      timestamptz NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schedule, fire_at)
);

-- +goose Down
DROP TABLE scheduled_runs;
DROP TABLE outbound_messages;
