-- +goose Up
-- Exchange meetings: programmes of recurring rounds that group people across departments,
-- their participants (with pauses and "never with" wishes), and each round's groups and
-- answers. The pairing engine reads the history from here; follow-up steps (nudge, "did you
-- meet?", re-ask) are claimed from meeting_rounds by marking them done in the transaction that
-- enqueues their messages, so that each is sent once whatever the number of replicas.

CREATE TABLE meeting_programmes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             text        NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    -- A coordinator who leaves the organisation does not take the programme with them.
    coordinator_id   bigint      REFERENCES employees (id) ON DELETE SET NULL,
    -- A robfig/cron expression read in timezone; every_n_weeks keeps one week in N.
    cron             text        NOT NULL CHECK (length(cron) BETWEEN 1 AND 100),
    every_n_weeks    integer     NOT NULL DEFAULT 1 CHECK (every_n_weeks BETWEEN 1 AND 52),
    timezone         text        NOT NULL DEFAULT 'Europe/Rome' CHECK (length(timezone) BETWEEN 1 AND 64),
    group_size       integer     NOT NULL CHECK (group_size BETWEEN 2 AND 4),
    -- When set, only that channel's members may join.
    audience_channel text        CHECK (length(audience_channel) BETWEEN 1 AND 64),
    meeting_minutes  integer     NOT NULL DEFAULT 30 CHECK (meeting_minutes BETWEEN 10 AND 240),
    format           text        NOT NULL DEFAULT 'misto' CHECK (format IN ('in_presenza', 'online', 'misto')),
    -- Conversation starters in rotation order; empty means the defaults of the caller's language.
    starters         text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(starters) <= 30),
    followup_days    integer     NOT NULL DEFAULT 5 CHECK (followup_days BETWEEN 1 AND 30),
    -- M, the rounds within which people should not meet again; 0 is "as many as feasible".
    lookback         integer     NOT NULL DEFAULT 0 CHECK (lookback >= 0),
    active           boolean     NOT NULL DEFAULT true,
    next_round_at    timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
-- The scheduler asks every minute which active programmes are due.
CREATE INDEX meeting_programmes_due_idx ON meeting_programmes (next_round_at) WHERE active;
CREATE INDEX meeting_programmes_coordinator_idx ON meeting_programmes (coordinator_id);

-- Enrolments. Leaving keeps the row (left_at) so that re-joining is an update and the
-- history stays readable; paused_rounds is the person's own "pause N", consumed one round at
-- a time; auto_paused is set after three rounds in a row without any answer and lasts until
-- the person joins again.
CREATE TABLE meeting_participants (
    programme_id  bigint      NOT NULL REFERENCES meeting_programmes (id) ON DELETE CASCADE,
    employee_id   bigint      NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    joined_at     timestamptz NOT NULL DEFAULT now(),
    left_at       timestamptz,
    paused_rounds integer     NOT NULL DEFAULT 0 CHECK (paused_rounds >= 0),
    auto_paused   boolean     NOT NULL DEFAULT false,
    missed_in_row integer     NOT NULL DEFAULT 0 CHECK (missed_in_row >= 0),
    PRIMARY KEY (programme_id, employee_id)
);
-- "My programmes" and the privacy export/erasure go by person.
CREATE INDEX meeting_participants_employee_idx ON meeting_participants (employee_id);

-- "Never group me with": private, read only by the pairing (either direction counts).
CREATE TABLE meeting_never_with (
    employee_id bigint      NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    other_id    bigint      NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (employee_id, other_id),
    CHECK (employee_id <> other_id)
);
-- Erasure deletes the rows naming the person on either side.
CREATE INDEX meeting_never_with_other_idx ON meeting_never_with (other_id);

-- One row per round. (programme_id, scheduled_for) makes recording a round idempotent: a
-- second replica, or a retried firing, finds the round and stores nothing. Each follow-up
-- step has its due time and its done time; a step is claimed by setting the done time.
CREATE TABLE meeting_rounds (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id     bigint      NOT NULL REFERENCES meeting_programmes (id) ON DELETE CASCADE,
    number           integer     NOT NULL CHECK (number >= 1),
    scheduled_for    timestamptz NOT NULL,
    manual           boolean     NOT NULL DEFAULT false,
    -- pairing.LeftOut and pairing.Report as JSON: read back for statistics, never queried into.
    left_out         jsonb       NOT NULL DEFAULT '[]',
    report           jsonb       NOT NULL DEFAULT '{}',
    nudge_at         timestamptz NOT NULL,
    nudged_at        timestamptz,
    followup_at      timestamptz NOT NULL,
    followup_sent_at timestamptz,
    reask_at         timestamptz NOT NULL,
    reasked_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (programme_id, scheduled_for),
    UNIQUE (programme_id, number)
);
-- The follow-up sweep looks only at steps not yet done: these stay small however many rounds
-- accumulate.
CREATE INDEX meeting_rounds_nudge_due_idx ON meeting_rounds (nudge_at) WHERE nudged_at IS NULL;
CREATE INDEX meeting_rounds_followup_due_idx ON meeting_rounds (followup_at) WHERE followup_sent_at IS NULL;
CREATE INDEX meeting_rounds_reask_due_idx ON meeting_rounds (reask_at) WHERE reasked_at IS NULL;

CREATE TABLE meeting_groups (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id    bigint      NOT NULL REFERENCES meeting_rounds (id) ON DELETE CASCADE,
    number      integer     NOT NULL CHECK (number >= 1),
    starter     text        NOT NULL DEFAULT '' CHECK (length(starter) <= 1000),
    -- The proposed meeting time, if the core proposed one.
    slot        timestamptz,
    -- When a member said the group fixed its meeting: no nudge after that.
    arranged_at timestamptz,
    UNIQUE (round_id, number)
);

-- Who was grouped where in a round, and their answer to "did you meet?" (NULL: none yet).
-- Rows stay when a person erases their data (the employee row stays too, anonymous), so that
-- participation rates keep their denominators.
CREATE TABLE meeting_participation (
    round_id    bigint      NOT NULL REFERENCES meeting_rounds (id) ON DELETE CASCADE,
    employee_id bigint      NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    group_id    bigint      NOT NULL REFERENCES meeting_groups (id) ON DELETE CASCADE,
    answer      text        CHECK (answer IN ('met', 'not_yet', 'not_met')),
    answered_at timestamptz,
    PRIMARY KEY (round_id, employee_id)
);
CREATE INDEX meeting_participation_group_idx ON meeting_participation (group_id);
-- Export by person, and the merge of a first-contact row.
CREATE INDEX meeting_participation_employee_idx ON meeting_participation (employee_id);

-- +goose Down
DROP TABLE meeting_participation;
DROP TABLE meeting_groups;
DROP TABLE meeting_rounds;
DROP TABLE meeting_never_with;
DROP TABLE meeting_participants;
DROP TABLE meeting_programmes;
