package i18n

// en is the English catalogue. Keep its keys and placeholders in step with it.
var en = map[string]string{
	"error.too_long":         "The text is too long (at most {max} characters). Shorten it and try again.",
	"error.kv_empty_key":     "The argument «{arg}» has no field name before «=». Write for example `name=\"Maria Rossi\"`.",
	"error.kv_bad_key":       "«{key}» is not a valid field name: use only letters, digits and dashes, for example `skills=gis`.",
	"error.kv_duplicate":     "The field «{key}» appears twice: give it once.",
	"error.unbalanced_quote": "A closing quote ({quote}) is missing. Put values with spaces in double quotes, for example `unit=\"Planning Office\"`.",
	"error.unavailable":      "The service is temporarily unavailable. Please try again in a few minutes: no data was lost.",
	"error.internal":         "Something went wrong on our side. If it keeps happening, give support the code `{id}`.",
	"error.inactive":         "Your profile is deactivated. Ask the HR office to reactivate it.",
	"error.unknown_command":  "I don't know the command «{command}».",
	"error.did_you_mean":     "Did you mean «{command}»?",
	"error.see_help":         "Type `help` for the list of commands.",
	"error.forbidden":        "The command «{command}» is for the {role} role. If you think you need it, ask an administrator.",

	"role.dipendente":   "employee",
	"role.coordinatore": "coordinator",
	"role.dirigente":    "manager",
	"role.admin":        "administrator",

	"locale.it": "Italian",
	"locale.en": "English",

	"help.button":        "Help",
	"help.summary":       "Shows the available commands, or how to use one.",
	"help.usage":         "`help` lists the commands; `help COMMAND` explains one with examples.",
	"help.title":         "Cantieri: working by project across offices",
	"help.intro":         "Type `/cantieri COMMAND`, mention me or send me a direct message. Here is what I can do:",
	"help.more":          "For the details of a command: `help COMMAND`. Commands accept their Italian names too.",
	"help.examples":      "Examples",
	"help.requires_role": "Requires the {role} role.",

	"form.save":     "Save",
	"form.cancel":   "Cancel",
	"form.required": "This field is required.",

	"console.welcome":         "Cantieri — console. You are signed in as «{handle}». Type a command (for example `help`), or `exit` to leave.",
	"console.choices":         "Pick a number to continue:",
	"console.choice_range":    "Pick a number from 1 to {max}, or type a command.",
	"console.no_choices":      "There is nothing to pick now: type a command (for example `help`).",
	"console.form_start":      "{title}: answer field by field. Enter keeps the current value; `-` clears it; `cancel` stops.",
	"console.form_cancel":     "Form cancelled: nothing changed.",
	"console.current":         "current",
	"console.options":         "possible values",
	"console.image_saved":     "Picture saved to {path}",
	"console.file_saved":      "File saved to {path}",
	"console.file_failed":     "I can't write the file to {path}: check the folder's permissions.",
	"console.switched":        "You are now “{handle}”.",
	"console.channel_created": "[channel #{name} created — in Slack: conversations.create]",
	"console.channel_invited": "[{channel}: invited {users}]",
	"console.channel_pinned":  "[{channel}: project card pinned]",
	"console.bye":             "Goodbye.",

	"slack.truncated": "Reply shortened: {n} parts not shown.",
}
