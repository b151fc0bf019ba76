package i18n

var enReminders = map[string]string{
	"reminder.end_passed":      "Reminder: the planned end of the project «{project}» ({id}) was {since}, but the project is not in monitoring yet. Update the phase (`project {id} phase monitoraggio`) or the dates (`project {id} edit`).",
	"reminder.indicator_stale": "Reminder: the indicator «{indicator}» of the project «{project}» ({id}) has had no measurement since {since}. Record one with `project {id} indicators`.",
	"reminder.open_project":    "Open the project",
}

func init() { merge(en, enReminders) }
