package i18n

var itReminders = map[string]string{
	"reminder.end_passed":      "Promemoria: la fine prevista del progetto «{project}» ({id}) era il {since}, ma il progetto non è ancora in monitoraggio. Aggiorna la fase (`progetto {id} fase monitoraggio`) o le date (`progetto {id} modifica`).",
	"reminder.indicator_stale": "Promemoria: l'indicatore «{indicator}» del progetto «{project}» ({id}) non ha misurazioni dal {since}. Registrane una con `progetto {id} indicatori`.",
	"reminder.open_project":    "Apri il progetto",
}

func init() { merge(it, itReminders) }
