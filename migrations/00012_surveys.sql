-- +goose Up
-- Evaluation feedback: versioned survey templates, their instances (one survey sent to one
-- audience about one subject), who was invited and has answered, and the answers — stored so
-- that no answer can be linked to the person who gave it, even by someone who can read every
-- table (the threat model is in README.md, "Threat model for feedback"; the reasoning in
-- internal/postgres/surveys.go). In short: invitations and answers share no column but the
-- instance; answers carry no person, no sequential id and no time finer than the day; an answer
-- waits sealed (encrypted with a key the database does not hold) in survey_pending until the
-- instance has at least k of them, then a separate transaction releases the batch, shuffled.

-- A template is a key (what HR calls it); its content lives in versions. Editing makes a new
-- version, so an answer always points to exactly the questions it answered.
CREATE TABLE survey_templates (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key        text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9_.-]{0,39}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE survey_versions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    template_id bigint NOT NULL REFERENCES survey_templates (id) ON DELETE RESTRICT,
    version     int NOT NULL CHECK (version >= 1),
    purpose     text NOT NULL CHECK (purpose IN ('meeting', 'milestone', 'close-internal', 'close-external', 'pulse', 'other')),
    title_it    text NOT NULL CHECK (length(title_it) BETWEEN 1 AND 300),
    title_en    text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 300),
    -- digest of the content (survey.Template.Digest): an unchanged re-import adds no version.
    digest      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (template_id, version)
);

CREATE TABLE survey_questions (
    version_id bigint NOT NULL REFERENCES survey_versions (id) ON DELETE RESTRICT,
    key        text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9_.-]{0,39}$'),
    position   smallint NOT NULL CHECK (position >= 1),
    kind       text NOT NULL CHECK (kind IN ('likert', 'yesno', 'choice', 'text')),
    required   boolean NOT NULL,
    text_it    text NOT NULL CHECK (length(text_it) BETWEEN 1 AND 1000),
    text_en    text NOT NULL CHECK (length(text_en) BETWEEN 1 AND 1000),
    -- a Likert scale's labelled ends
    low_it     text, low_en text, high_it text, high_en text,
    -- a choice question's options: [{"key": …, "text": {"it": …, "en": …}}, …]
    options    jsonb NOT NULL DEFAULT '[]',
    max_length int CHECK (max_length BETWEEN 1 AND 4000),
    PRIMARY KEY (version_id, key),
    UNIQUE (version_id, position),
    CHECK ((kind = 'likert') = (low_it IS NOT NULL AND high_it IS NOT NULL)),
    CHECK ((kind = 'text') = (max_length IS NOT NULL))
);

-- One survey sent to one audience about one subject ('pulse:2026-05', 'project:3:close-internal',
-- …): the subject is unique, so a trigger that fires twice creates it once.
CREATE TABLE survey_instances (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version_id      bigint NOT NULL REFERENCES survey_versions (id) ON DELETE RESTRICT,
    subject         text NOT NULL UNIQUE CHECK (length(subject) BETWEEN 1 AND 200),
    -- k for this instance, fixed at creation: when a batch may be released, which departments
    -- may be kept.
    min_respondents smallint NOT NULL CHECK (min_respondents >= 3),
    opened_on       date NOT NULL DEFAULT current_date,
    closes_at       timestamptz,
    closed_on       date,
    -- answers never released because the instance closed with fewer than k in all
    discarded       int NOT NULL DEFAULT 0
);

-- Who was invited and whether they answered, to stop reminders and second answers: nothing
-- about what they answered, and no time (not even the day) of the answer. department_id is
-- the invitee's department at invitation, for the department rule.
CREATE TABLE survey_invitations (
    instance_id   bigint NOT NULL REFERENCES survey_instances (id) ON DELETE CASCADE,
    employee_id   bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    department_id bigint REFERENCES org_units (id) ON DELETE SET NULL,
    answered      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (instance_id, employee_id)
);
CREATE INDEX survey_invitations_employee_idx ON survey_invitations (employee_id);

-- Answers waiting for their batch: sealed (AES-256-GCM under SURVEY_KEY, all of one instance
-- padded to one length), with no id, no person and no time. Written in the transaction that
-- marks the invitation answered (so its xmin names the person — which is why it is sealed);
-- deleted by the release.
CREATE TABLE survey_pending (
    instance_id bigint NOT NULL REFERENCES survey_instances (id) ON DELETE CASCADE,
    sealed      bytea NOT NULL
);
CREATE INDEX survey_pending_instance_idx ON survey_pending (instance_id);

-- Released answers, one row per question answered. response is a random UUID grouping one
-- person's answers to one instance (never a sequence); released_on is the day of the batch,
-- not of the answer; department_id only where the department rule allows it.
CREATE TABLE survey_answers (
    response      uuid NOT NULL,
    instance_id   bigint NOT NULL REFERENCES survey_instances (id) ON DELETE CASCADE,
    version_id    bigint NOT NULL,
    question      text NOT NULL,
    department_id bigint REFERENCES org_units (id) ON DELETE SET NULL,
    released_on   date NOT NULL,
    value_int     smallint,
    value_text    text CHECK (length(value_text) <= 4000),
    PRIMARY KEY (response, question),
    FOREIGN KEY (version_id, question) REFERENCES survey_questions (version_id, key) ON DELETE RESTRICT
);
CREATE INDEX survey_answers_instance_idx ON survey_answers (instance_id);

-- +goose Down
DROP TABLE survey_answers;
DROP TABLE survey_pending;
DROP TABLE survey_invitations;
DROP TABLE survey_instances;
DROP TABLE survey_questions;
DROP TABLE survey_versions;
DROP TABLE survey_templates;
