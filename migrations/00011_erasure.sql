-- +goose Up
-- Erasure that erases. Two kinds of rows kept a person's chat address or id in the clear,
-- where erasing them could not reach it: the idempotency records of posted messages (the
-- address a message went to: a Slack user id, a DM, a console handle, a group of people) and
-- the audit rows of the Slack sync (the Slack id in details). The code no longer writes
-- either (outbound_messages keeps a shared channel's id only; the audit names people by
-- employee id); this clears what was written before. Idempotency needs only the key and
-- the ts, which stay.
UPDATE outbound_messages SET channel = '' WHERE channel !~ '^[CG][A-Z0-9]{2,}$';
UPDATE audit_log SET details = details - 'slack_id' WHERE details ? 'slack_id';

-- +goose Down
-- Nothing to undo: the cleared values were personal data that is gone on purpose.
SELECT 1;
