-- +goose Up
-- Delivering surveys: what an instance is about (for the messages that ask and remind: a
-- programme's or a project's id and name, never a person), and per invitation the day it was
-- made and how many reminders were sent (at most two, then silence). Invitations stay apart from
-- answers: a day of invitation says nothing about any answer, which carry no time finer than
-- the day of their batch's release.
ALTER TABLE survey_instances ADD COLUMN about jsonb NOT NULL DEFAULT '{}';
ALTER TABLE survey_invitations
    ADD COLUMN invited_on date NOT NULL DEFAULT current_date,
    ADD COLUMN reminders smallint NOT NULL DEFAULT 0 CHECK (reminders BETWEEN 0 AND 2);

-- +goose Down
ALTER TABLE survey_invitations DROP COLUMN reminders, DROP COLUMN invited_on;
ALTER TABLE survey_instances DROP COLUMN about;
