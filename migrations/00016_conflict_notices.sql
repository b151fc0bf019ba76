-- +goose Up
-- The private notice to a department's dirigenti when its conflict index (from the monthly
-- pulse) worsened by SURVEY_CONFLICT_MARGIN points over two months: one row per department and
-- pulse month, claimed in the transaction that enqueues the messages, so that two replicas, a
-- retried firing or the next day's check send it once. It records only that the notice went
-- out and to how many people: no figure (they are recomputed from the answers) and no person.
CREATE TABLE conflict_notices (
    department_id bigint NOT NULL REFERENCES org_units (id) ON DELETE CASCADE,
    month         text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    recipients    int NOT NULL CHECK (recipients >= 1),
    sent_on       date NOT NULL DEFAULT current_date,
    PRIMARY KEY (department_id, month)
);

-- +goose Down
DROP TABLE conflict_notices;
