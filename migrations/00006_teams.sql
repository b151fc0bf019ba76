-- +goose Up
-- Teams: who has already worked or met with whom (read by team formation and, later, written by
-- confirmed teams and exchange meetings), and the members of each project's team (capacity: an
-- employee's active projects are the team_members rows of projects not concluso/annullato).

CREATE TABLE collaboration_edges (
    employee_a bigint      NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    employee_b bigint      NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    first_seen timestamptz NOT NULL DEFAULT now(),
    source     text        NOT NULL CHECK (source IN ('project', 'meeting', 'import')),
    PRIMARY KEY (employee_a, employee_b),
    CHECK (employee_a < employee_b)
);
CREATE INDEX collaboration_edges_b_idx ON collaboration_edges (employee_b);

CREATE TABLE team_members (
    project_id  bigint      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    employee_id bigint      NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    joined_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, employee_id)
);
CREATE INDEX team_members_employee_idx ON team_members (employee_id);

-- +goose Down
DROP TABLE team_members;
DROP TABLE collaboration_edges;
