package bot

import (
	"strconv"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// ReminderReply is the message that reminds a coordinator, in their language, with a button
// to the project card.
func ReminderReply(r Reminder) Reply {
	locale := i18n.Normalize(r.Locale)
	if locale == "" {
		locale = i18n.Default
	}
	id := strconv.FormatInt(r.ProjectID, 10)
	date := r.Since.Format("02/01/2006")
	if locale == i18n.EN {
		date = r.Since.Format("2 January 2006")
	}
	var text string
	switch r.Condition {
	case "indicator_stale":
		text = i18n.T(locale, "reminder.indicator_stale", "project", r.Title, "id", id, "indicator", r.Indicator, "since", date)
	default:
		text = i18n.T(locale, "reminder.end_passed", "project", r.Title, "id", id, "since", date)
	}
	return Reply{
		Text:    text,
		Locale:  locale,
		Choices: []Choice{{Label: i18n.T(locale, "reminder.open_project"), Command: "progetto " + id, Style: StylePrimary}},
	}
}
