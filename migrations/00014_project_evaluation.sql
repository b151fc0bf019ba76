-- +goose Up
-- Evaluation of projects: the external evaluators a coordinator invites (people outside the
-- team, asked to answer the external close survey when the project reaches concluso), and the
-- final value of each indicator, recorded at the close and shown against its target.

-- One row per evaluator of a project. The id is the invitation's own: someone removed and
-- asked again gets a new row, so the message telling them is keyed (and re-checked before it
-- is sent) by the row, not by the person. Nothing here says whether or what they answered: that
-- lives, apart, in survey_invitations.
CREATE TABLE project_evaluators (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    employee_id bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    invited_by  bigint REFERENCES employees (id) ON DELETE SET NULL,
    invited_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, employee_id)
);
CREATE INDEX project_evaluators_employee_idx ON project_evaluators (employee_id);

-- A measurement marked final is the indicator's value at the close; at most one per indicator.
ALTER TABLE indicator_measurements ADD COLUMN final boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX indicator_measurements_one_final ON indicator_measurements (indicator_id) WHERE final;

-- +goose Down
DROP INDEX indicator_measurements_one_final;
ALTER TABLE indicator_measurements DROP COLUMN final;
DROP TABLE project_evaluators;
