package bot

import (
	"context"
	"time"
)

// Employee is a member of staff as the bot knows them. Issue-by-issue the organisation model
// grows (units, sites, skill levels); for now the unit is free text and skills a list.
type Employee struct {
	ID int64
	// Transport and ExternalID identify the employee in a chat: a Slack user id, or a console
	// handle.
	Transport   string
	ExternalID  string
	DisplayName string
	Unit        string
	Skills      []string
	// Locale is the employee's chosen language ("it", "en") or "" to follow Slack/BOT_LOCALE.
	Locale    string
	Roles     []Role
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ProfileUpdate lists the profile fields to change; nil means "leave as it is".
type ProfileUpdate struct {
	DisplayName *string
	Unit        *string
	Skills      *[]string
	Locale      *string
}

// Store is what the core needs from the system of record. Implementations wrap
// ErrUnavailable when the database cannot be reached and ErrNotFound for missing rows.
type Store interface {
	// EnsureEmployee returns the employee for id, creating the row on first contact.
	EnsureEmployee(ctx context.Context, id Identity) (Employee, error)
	// UpdateProfile changes the given fields in one transaction and returns the new row.
	UpdateProfile(ctx context.Context, employeeID int64, u ProfileUpdate) (Employee, error)
}
