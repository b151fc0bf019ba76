-- +goose Up
-- The suppression list of erased people: a one-way hash of each chat identity that was
-- erased, so that the Slack user sync does not re-create the person from Slack's directory.
-- It holds no name and no id in the clear. The person may still come back by writing to the
-- bot: first contact removes their entry.
CREATE TABLE erased_identities (
    transport text        NOT NULL CHECK (transport IN ('slack', 'console')),
    id_hash   bytea       NOT NULL CHECK (length(id_hash) = 32),
    erased_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (transport, id_hash)
);

-- +goose Down
DROP TABLE erased_identities;
