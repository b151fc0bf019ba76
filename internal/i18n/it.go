package i18n

// it is the Italian catalogue, the default. Placeholders are {name}; keep them in step with en.
var it = map[string]string{
	"error.too_long":         "Il testo è troppo lungo (massimo {max} caratteri). Accorcialo e riprova.",
	"error.kv_empty_key":     "Nell'argomento «{arg}» manca il nome del campo prima di «=». Scrivi per esempio `nome=\"Maria Rossi\"`.",
	"error.kv_bad_key":       "«{key}» non è un nome di campo valido: usa solo lettere, cifre e trattini, per esempio `competenze=gis`.",
	"error.kv_duplicate":     "Il campo «{key}» compare due volte: indicalo una volta sola.",
	"error.unbalanced_quote": "Manca una virgoletta di chiusura ({quote}). Racchiudi i valori con spazi tra virgolette, per esempio `unita=\"Servizio Urbanistica\"`.",
	"error.unavailable":      "Il servizio è temporaneamente non disponibile. Riprova tra qualche minuto: nessun dato è andato perso.",
	"error.internal":         "Qualcosa è andato storto dalla nostra parte. Se il problema continua, comunica al supporto il codice `{id}`.",
	"error.inactive":         "Il tuo profilo è disattivato. Rivolgiti all'ufficio del personale per riattivarlo.",
	"error.unknown_command":  "Non conosco il comando «{command}».",
	"error.did_you_mean":     "Forse intendevi «{command}»?",
	"error.see_help":         "Scrivi `aiuto` per l'elenco dei comandi.",
	"error.forbidden":        "Il comando «{command}» è riservato al ruolo {role}. Se pensi di averne bisogno, chiedi a un amministratore.",

	"role.dipendente":   "dipendente",
	"role.coordinatore": "coordinatore",
	"role.dirigente":    "dirigente",
	"role.admin":        "amministratore",

	"locale.it": "italiano",
	"locale.en": "inglese",

	"help.button":        "Aiuto",
	"help.summary":       "Mostra i comandi disponibili, o come si usa un comando.",
	"help.usage":         "`aiuto` elenca i comandi; `aiuto COMANDO` spiega un comando con esempi.",
	"help.title":         "Cantieri: lavorare per progetti tra uffici diversi",
	"help.intro":         "Scrivi `/cantieri COMANDO`, menzionami o scrivimi in privato. Ecco cosa posso fare:",
	"help.more":          "Per i dettagli di un comando: `aiuto COMANDO`. I comandi accettano anche i nomi in inglese.",
	"help.examples":      "Esempi",
	"help.requires_role": "Richiede il ruolo {role}.",

	"form.save":     "Salva",
	"form.cancel":   "Annulla",
	"form.required": "Questo campo è obbligatorio.",

	"console.welcome":         "Cantieri — console. Sei collegato come «{handle}». Scrivi un comando (per esempio `aiuto`), oppure `esci` per uscire.",
	"console.choices":         "Scegli un numero per continuare:",
	"console.choice_range":    "Scegli un numero da 1 a {max}, oppure scrivi un comando.",
	"console.no_choices":      "Non ci sono scelte da fare adesso: scrivi un comando (per esempio `aiuto`).",
	"console.form_start":      "{title}: rispondi campo per campo. Invio lascia il valore attuale; `-` lo svuota; `annulla` interrompe.",
	"console.form_cancel":     "Modulo annullato: nessuna modifica.",
	"console.current":         "attuale",
	"console.options":         "valori possibili",
	"console.image_saved":     "Immagine salvata in {path}",
	"console.file_saved":      "File salvato in {path}",
	"console.file_failed":     "Non riesco a scrivere il file in {path}: controlla i permessi della cartella.",
	"console.switched":        "Ora sei «{handle}».",
	"console.channel_created": "[canale #{name} creato — in Slack: conversations.create]",
	"console.channel_invited": "[{channel}: invitati {users}]",
	"console.channel_pinned":  "[{channel}: scheda del progetto fissata]",
	"console.bye":             "Arrivederci.",

	"slack.truncated": "Risposta abbreviata: {n} parti non mostrate.",
}
