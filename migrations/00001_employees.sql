-- +goose Up
-- Employees as the chat knows them. The organisation model (units, sites, skill catalogue)
-- replaces unit_label and skills in a later migration; constraints live here, not only in Go.
CREATE TABLE employees (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transport    text        NOT NULL CHECK (transport IN ('slack', 'console')),
    external_id  text        NOT NULL CHECK (length(external_id) BETWEEN 1 AND 64),
    display_name text        NOT NULL DEFAULT '' CHECK (length(display_name) <= 80),
    unit_label   text        NOT NULL DEFAULT '' CHECK (length(unit_label) <= 120),
    skills       text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(skills) <= 30),
    locale       text        CHECK (locale IN ('it', 'en')),
    active       boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (transport, external_id)
);

CREATE TABLE employee_roles (
    employee_id bigint      NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    role        text        NOT NULL CHECK (role IN ('dipendente', 'coordinatore', 'dirigente', 'admin')),
    granted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (employee_id, role)
);

-- +goose Down
DROP TABLE employee_roles;
DROP TABLE employees;
