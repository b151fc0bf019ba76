-- +goose Up
-- Team invitations: a confirmed proposal invites one person per slot; a decline, an expiry or the
-- coordinator's swap gives the slot a new invitation, so the live invitation of a slot is its
-- latest one. The team is formed when every slot's live invitation is accepted: team_members
-- and collaboration_edges are written then, in the same transaction.
CREATE TABLE team_invitations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  bigint      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    slot        int         NOT NULL CHECK (slot BETWEEN 1 AND 15),
    employee_id bigint      NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    status      text        NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'cancelled')),
    -- The invitee's optional reason for declining (erased with the person's data).
    reason      text        NOT NULL DEFAULT '' CHECK (length(reason) <= 300),
    invited_by  bigint      REFERENCES employees (id) ON DELETE SET NULL,
    invited_at  timestamptz NOT NULL DEFAULT now(),
    answered_at timestamptz,
    -- One invitation per person and project: who declined is not asked again.
    UNIQUE (project_id, employee_id)
);
-- At most one live (pending or accepted) invitation per slot.
CREATE UNIQUE INDEX team_invitations_live_slot_idx ON team_invitations (project_id, slot)
    WHERE status IN ('pending', 'accepted');
CREATE INDEX team_invitations_pending_idx ON team_invitations (invited_at) WHERE status = 'pending';
CREATE INDEX team_invitations_employee_idx ON team_invitations (employee_id);

ALTER TABLE projects
    ADD COLUMN team_channel_wanted boolean     NOT NULL DEFAULT false,
    ADD COLUMN team_channel        text        CHECK (length(team_channel) <= 64),
    ADD COLUMN team_formed_at      timestamptz;

-- +goose Down
ALTER TABLE projects DROP COLUMN team_formed_at, DROP COLUMN team_channel, DROP COLUMN team_channel_wanted;
DROP TABLE team_invitations;
