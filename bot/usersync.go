package bot

// SlackUser is one member of the Slack workspace as the user sync sees it (users.list). It is
// declared in the core, rather than in the Slack transport, so that the store that applies the
// sync (internal/postgres) and the transport that lists the users (internal/slack) share it
// without importing each other.
type SlackUser struct {
	// ID is the Slack user id (U… or W…), the employee's external id for TransportSlack.
	ID string
	// Name is the profile's display name, else the real name.
	Name string
	// Email is the profile's e-mail (needs the users:read.email scope); it matches the user to
	// an employee imported by HR.
	Email string
	// Timezone is Slack's tz, e.g. "Europe/Rome".
	Timezone string
	// Locale is the Slack client's locale, e.g. "it-IT".
	Locale string
	// Deleted is true for a deactivated account: the employee becomes inactive.
	Deleted bool
}

// UserSyncReport counts what one user sync changed. A row is counted once in Created,
// Linked or Merged at most, and may also be counted in Updated and Deactivated.
type UserSyncReport struct {
	// Seen is the number of people (bots excluded) Slack listed.
	Seen int
	// Created employees had no row yet: neither the Slack identity nor the e-mail was known.
	Created int
	// Linked employees were imported rows that the Slack identity was attached to, by e-mail.
	Linked int
	// Updated employees had a field changed (name, e-mail, time zone, Slack locale).
	Updated int
	// Deactivated employees went from active to inactive because Slack deactivated them.
	Deactivated int
	// Merged employees absorbed the row created at first contact for the same person.
	Merged int
	// Conflicts are Slack users left alone because their e-mail belongs to an employee who
	// already has another Slack identity (for example a person with a new account).
	Conflicts int
	// ConflictIDs lists the first few of those Slack user ids, for the log and an admin.
	ConflictIDs []string
}
