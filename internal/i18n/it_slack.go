package i18n

// itSlack holds the Italian messages the Slack transport writes itself: about files sent with
// a command.
var itSlack = map[string]string{
	"slack.file_too_large":  "Il file «{name}» supera il limite di {max} MB: non l'ho letto e il comando non è stato eseguito.",
	"slack.file_not_text":   "Il file «{name}» non è un file di testo (per esempio un CSV): non l'ho letto e il comando non è stato eseguito.",
	"slack.file_unreadable": "Non riesco a leggere il file «{name}»: riprova tra poco, o caricalo di nuovo. Il comando non è stato eseguito.",
}

func init() { merge(it, itSlack) }
