package i18n

// enSlack holds the English messages the Slack transport writes itself: about files sent with
// a command.
var enSlack = map[string]string{
	"slack.file_too_large":  "The file «{name}» is over the {max} MB limit: I did not read it, and the command was not run.",
	"slack.file_not_text":   "The file «{name}» is not a text file (a CSV, for example): I did not read it, and the command was not run.",
	"slack.file_unreadable": "I cannot read the file «{name}»: try again shortly, or upload it again. The command was not run.",
}

func init() { merge(en, enSlack) }
