-- +goose Up
-- Projects by design: the project itself (completing the table opportunities already read),
-- its objectives (appropriateness), involved units, phase history, versioned robustness
-- assessments, indicators with dated measurements, and the record of reminders sent.

ALTER TABLE projects
    ADD COLUMN description    text    NOT NULL DEFAULT '' CHECK (length(description) <= 3000),
    ADD COLUMN coordinator_id bigint  REFERENCES employees (id) ON DELETE SET NULL,
    ADD COLUMN team_size      integer NOT NULL DEFAULT 3 CHECK (team_size BETWEEN 1 AND 30),
    ADD COLUMN budget_cents   bigint  NOT NULL DEFAULT 0 CHECK (budget_cents >= 0),
    ADD COLUMN funding_source text    NOT NULL DEFAULT '' CHECK (length(funding_source) <= 200),
    ADD COLUMN planned_start  date,
    ADD COLUMN planned_end    date,
    ADD COLUMN updated_at     timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT projects_dates_ordered CHECK (planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start);
CREATE INDEX projects_coordinator_idx ON projects (coordinator_id);
CREATE INDEX projects_phase_idx ON projects (phase);

-- Appropriateness: every project serves at least one strategic objective (enforced by the
-- command, which writes project and objectives in one transaction).
CREATE TABLE project_objectives (
    project_id   bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    objective_id bigint NOT NULL REFERENCES objectives (id) ON DELETE RESTRICT,
    PRIMARY KEY (project_id, objective_id)
);
CREATE INDEX project_objectives_objective_idx ON project_objectives (objective_id);

CREATE TABLE project_units (
    project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    unit_id    bigint NOT NULL REFERENCES org_units (id) ON DELETE RESTRICT,
    PRIMARY KEY (project_id, unit_id)
);
CREATE INDEX project_units_unit_idx ON project_units (unit_id);

-- Every phase transition: who, when, from, to, note; an admin override keeps its reason.
CREATE TABLE project_phase_history (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    from_phase      text,
    to_phase        text NOT NULL,
    actor_id        bigint REFERENCES employees (id) ON DELETE SET NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    override_reason text CHECK (length(override_reason) BETWEEN 1 AND 500)
);
CREATE INDEX project_phase_history_project_idx ON project_phase_history (project_id, at);

-- Robustness assessments are versioned: a project can be re-assessed, and the card shows the
-- trend. Answers reference the question codes of internal/projectdesign.
CREATE TABLE robustness_assessments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  bigint  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version >= 1),
    assessor_id bigint  REFERENCES employees (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, version)
);
CREATE TABLE robustness_answers (
    assessment_id bigint   NOT NULL REFERENCES robustness_assessments (id) ON DELETE CASCADE,
    question      text     NOT NULL CHECK (question ~ '^[a-z]+\.[a-z_]+$'),
    score         smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
    justification text     NOT NULL DEFAULT '' CHECK (length(justification) <= 500),
    PRIMARY KEY (assessment_id, question)
);

CREATE TABLE indicators (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id bigint  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind       text    NOT NULL CHECK (kind IN ('output', 'outcome')),
    name       text    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    unit       text    NOT NULL DEFAULT '' CHECK (length(unit) <= 40),
    baseline   double precision NOT NULL,
    target     double precision NOT NULL,
    direction  text    NOT NULL CHECK (direction IN ('up', 'down')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, name),
    CHECK (direction = 'up' AND target > baseline OR direction = 'down' AND target < baseline)
);
CREATE TABLE indicator_measurements (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id bigint NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    measured_on  date   NOT NULL,
    value        double precision NOT NULL,
    recorded_by  bigint REFERENCES employees (id) ON DELETE SET NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 300),
    UNIQUE (indicator_id, measured_on)
);

-- One reminder per condition per period: the key (e.g. "end_passed:2026-W48",
-- "stale:12:2026-11") is written in the same transaction that enqueues the message, so a
-- second replica or a retried firing finds it and sends nothing.
CREATE TABLE project_reminders (
    project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    condition  text   NOT NULL CHECK (condition IN ('end_passed', 'indicator_stale')),
    period_key text   NOT NULL CHECK (length(period_key) BETWEEN 1 AND 80),
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, condition, period_key)
);

-- +goose Down
DROP TABLE project_reminders;
DROP TABLE indicator_measurements;
DROP TABLE indicators;
DROP TABLE robustness_answers;
DROP TABLE robustness_assessments;
DROP TABLE project_phase_history;
DROP TABLE project_units;
DROP TABLE project_objectives;
DROP INDEX projects_phase_idx;
DROP INDEX projects_coordinator_idx;
ALTER TABLE projects
    DROP CONSTRAINT projects_dates_ordered,
    DROP COLUMN updated_at, DROP COLUMN planned_end, DROP COLUMN planned_start,
    DROP COLUMN funding_source, DROP COLUMN budget_cents, DROP COLUMN team_size,
    DROP COLUMN coordinator_id, DROP COLUMN description;
