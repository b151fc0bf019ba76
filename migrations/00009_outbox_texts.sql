-- +goose Up
-- The text of messages waiting to be sent. A post job's River args carry only the message's key,
-- address and reference (what it is about): River's table, which keeps finished jobs for a day
-- and failed ones longer, holds no one's words, and erasing a person deletes the pending
-- messages to them (people: the employees the message is for). A row is deleted once its
-- message is posted; housekeeping prunes any left behind.
CREATE TABLE outbox_texts (
    idempotency_key text        PRIMARY KEY CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    reply           jsonb       NOT NULL,
    people          bigint[]    NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_texts_people_idx ON outbox_texts USING gin (people);

-- +goose Down
DROP TABLE outbox_texts;
