-- +goose Up
-- The organisation model: sites with contiguity, org units as a tree, a skills catalogue,
-- strategic objectives, employees linked to a unit and to their chat identities, managers'
-- units, and an audit log of administrative changes. Constraints live here, not only in Go.

CREATE TABLE sites (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code    text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'),
    name    text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address text NOT NULL DEFAULT '' CHECK (length(address) <= 300)
);

-- Declared adjacency between two sites (stored once, smaller id first). Units at the same site
-- are contiguous without a row here.
CREATE TABLE site_adjacency (
    site_a bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    site_b bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    PRIMARY KEY (site_a, site_b),
    CHECK (site_a < site_b)
);

CREATE TABLE org_units (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Area, Settore, Servizio, Ufficio…: free labels; one of them is "the department" level.
    type_label text NOT NULL CHECK (length(type_label) BETWEEN 1 AND 40),
    parent_id  bigint REFERENCES org_units (id) ON DELETE RESTRICT,
    site_id    bigint REFERENCES sites (id) ON DELETE SET NULL,
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX org_units_parent_idx ON org_units (parent_id);

-- The tree must stay a tree: refuse a parent that is the unit itself or one of its descendants.
-- +goose StatementBegin
CREATE FUNCTION org_units_no_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    IF EXISTS (
        WITH RECURSIVE up(id, parent_id) AS (
            SELECT id, parent_id FROM org_units WHERE id = NEW.parent_id
            UNION
            SELECT u.id, u.parent_id FROM org_units u JOIN up ON u.id = up.parent_id
        )
        SELECT 1 FROM up WHERE id = NEW.id
    ) THEN
        RAISE EXCEPTION 'org unit % would be its own ancestor', NEW.code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'org_units_no_cycle';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER org_units_no_cycle AFTER INSERT OR UPDATE OF parent_id ON org_units
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION org_units_no_cycle();

CREATE TABLE skills (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code     text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    name_it  text NOT NULL CHECK (length(name_it) BETWEEN 1 AND 120),
    name_en  text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 120),
    category text NOT NULL DEFAULT '' CHECK (length(category) <= 60)
);

CREATE TABLE objectives (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code      text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'),
    title     text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    parent_id bigint REFERENCES objectives (id) ON DELETE RESTRICT,
    CHECK (parent_id IS DISTINCT FROM id)
);

-- Chat identities: an employee may have a Slack user id and a console handle.
CREATE TABLE employee_identities (
    transport   text   NOT NULL CHECK (transport IN ('slack', 'console')),
    external_id text   NOT NULL CHECK (length(external_id) BETWEEN 1 AND 64),
    employee_id bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    PRIMARY KEY (transport, external_id),
    UNIQUE (employee_id, transport)
);
INSERT INTO employee_identities (transport, external_id, employee_id)
    SELECT transport, external_id, id FROM employees;

-- Free-text unit and skills were placeholders until this model; they are not carried over.
ALTER TABLE employees
    DROP COLUMN transport,
    DROP COLUMN external_id,
    DROP COLUMN unit_label,
    DROP COLUMN skills,
    ADD COLUMN email      text CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    ADD COLUMN unit_id    bigint REFERENCES org_units (id) ON DELETE SET NULL,
    ADD COLUMN capacity   integer NOT NULL DEFAULT 2 CHECK (capacity >= 0 AND capacity <= 20),
    ADD COLUMN timezone   text CHECK (length(timezone) <= 64),
    -- Slack's locale for the user, kept by the user sync; "locale" stays the user's own choice.
    ADD COLUMN slack_locale text CHECK (length(slack_locale) <= 20),
    ADD COLUMN interests  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(interests) <= 30),
    ADD COLUMN erased_at  timestamptz;
CREATE UNIQUE INDEX employees_email_key ON employees (lower(email));
CREATE INDEX employees_unit_idx ON employees (unit_id);

CREATE TABLE employee_skills (
    employee_id bigint   NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    skill_id    bigint   NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    level       smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
    PRIMARY KEY (employee_id, skill_id)
);
CREATE INDEX employee_skills_skill_idx ON employee_skills (skill_id, level);

-- The units a dirigente heads (their summaries cover these and the units below).
CREATE TABLE manager_units (
    employee_id bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    unit_id     bigint NOT NULL REFERENCES org_units (id) ON DELETE CASCADE,
    PRIMARY KEY (employee_id, unit_id)
);

-- Who changed what, when. The actor is kept as an id (NULL for the system or the CLI), so that
-- erasing a person's data leaves the log's shape but not their name.
CREATE TABLE audit_log (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    actor_id bigint REFERENCES employees (id) ON DELETE SET NULL,
    action   text NOT NULL CHECK (length(action) BETWEEN 1 AND 60),
    subject  text NOT NULL DEFAULT '',
    details  jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- Projects, as far as "opportunities" need them now: the projects capability completes them.
CREATE TABLE projects (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    phase      text NOT NULL DEFAULT 'ideazione' CHECK (phase IN
               ('ideazione', 'progettazione', 'realizzazione', 'monitoraggio', 'concluso', 'sospeso', 'annullato')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE project_skills (
    project_id bigint   NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    skill_id   bigint   NOT NULL REFERENCES skills (id) ON DELETE RESTRICT,
    min_level  smallint NOT NULL CHECK (min_level BETWEEN 1 AND 3),
    count      integer  NOT NULL CHECK (count >= 1),
    PRIMARY KEY (project_id, skill_id)
);

-- +goose Down
DROP TABLE project_skills;
DROP TABLE projects;
DROP TABLE audit_log;
DROP TABLE manager_units;
DROP TABLE employee_skills;
DROP INDEX employees_unit_idx;
DROP INDEX employees_email_key;
ALTER TABLE employees
    DROP COLUMN erased_at, DROP COLUMN interests, DROP COLUMN slack_locale, DROP COLUMN timezone, DROP COLUMN capacity,
    DROP COLUMN unit_id, DROP COLUMN email,
    ADD COLUMN transport text, ADD COLUMN external_id text,
    ADD COLUMN unit_label text NOT NULL DEFAULT '', ADD COLUMN skills text[] NOT NULL DEFAULT '{}';
UPDATE employees e SET transport = i.transport, external_id = i.external_id
    FROM employee_identities i WHERE i.employee_id = e.id;
DROP TABLE employee_identities;
DROP TABLE objectives;
DROP TABLE skills;
DROP TRIGGER org_units_no_cycle ON org_units;
DROP FUNCTION org_units_no_cycle();
DROP TABLE org_units;
DROP TABLE site_adjacency;
DROP TABLE sites;
