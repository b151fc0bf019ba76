package i18n

// itImport holds the Italian messages of the CSV import (`admin importa`, `cantieri import`):
// the summary, and one sentence per rejection reason ("import.error.<code>", with {line},
// {field} and {value}).
var itImport = map[string]string{
	"import.kind.sites":      "Sedi",
	"import.kind.units":      "Unità organizzative",
	"import.kind.skills":     "Competenze",
	"import.kind.objectives": "Obiettivi strategici",
	"import.kind.employees":  "Dipendenti",

	"import.summary":       "Importazione completata: {kind}. Righe lette: {rows}; nuove: {inserted}; aggiornate: {updated}; invariate: {unchanged}.",
	"import.failed":        "Importazione annullata, nessuna modifica: {kind}, righe con errori: {count}. Correggi il file e importalo di nuovo.",
	"import.errors_title":  "Da correggere",
	"import.more_errors":   "…e altri {count} errori non mostrati.",
	"import.unavailable":   "L'importazione da CSV non è disponibile in questa installazione. Chiedi all'amministratore di sistema di usare `cantieri import`.",
	"import.kind_required": "Indica cosa importare: `admin importa sedi`, `unita`, `competenze`, `obiettivi` o `dipendenti`, con il file CSV allegato. Conviene importare in quest'ordine.",
	"import.bad_kind":      "Non so importare «{kind}». Scegli tra sedi, unita, competenze, obiettivi e dipendenti.",
	"import.no_file":       "Manca il file CSV. Allega il file al messaggio `admin importa {kind}`, oppure incolla il contenuto del file nelle righe sotto il comando (la prima riga è l'intestazione con i nomi delle colonne).",

	"import.error.empty_file":         "Il file è vuoto: serve almeno la riga di intestazione con i nomi delle colonne.",
	"import.error.bad_csv":            "riga {line}: il testo non si legge come CSV (forse una virgoletta non chiusa o di troppo).",
	"import.error.unknown_column":     "riga {line}: la colonna «{field}» non è prevista in questo file.",
	"import.error.duplicate_column":   "riga {line}: la colonna «{field}» compare due volte nell'intestazione.",
	"import.error.missing_column":     "riga {line}: manca la colonna obbligatoria «{field}».",
	"import.error.too_many_fields":    "riga {line}: ci sono più valori che colonne nell'intestazione (per esempio «{value}»).",
	"import.error.missing_value":      "riga {line}: il campo «{field}» è obbligatorio.",
	"import.error.too_long":           "riga {line}: il campo «{field}» è troppo lungo («{value}»).",
	"import.error.bad_code":           "riga {line}: il codice «{value}» non è valido: usa lettere senza accenti, cifre, «-», «_» o «.», al massimo 40 caratteri, senza spazi.",
	"import.error.duplicate_code":     "riga {line}: il codice «{value}» compare già in una riga precedente del file.",
	"import.error.unknown_site":       "riga {line}: sede «{value}» sconosciuta (campo «{field}»).",
	"import.error.self_adjacent":      "riga {line}: la sede «{value}» non può essere adiacente a se stessa.",
	"import.error.unknown_parent":     "riga {line}: il codice padre «{value}» non è nel file né tra quelli già importati.",
	"import.error.cycle":              "riga {line}: «{value}» finirebbe sotto se stesso: la gerarchia avrebbe un ciclo.",
	"import.error.bad_email":          "riga {line}: l'indirizzo e-mail «{value}» non è valido.",
	"import.error.duplicate_email":    "riga {line}: l'e-mail «{value}» compare già in una riga precedente del file.",
	"import.error.unknown_unit":       "riga {line}: unità «{value}» sconosciuta.",
	"import.error.bad_level":          "riga {line}: livello non valido in «{value}»: usa 1 (base), 2 (intermedio) o 3 (esperto), per esempio `gis:3`.",
	"import.error.unknown_skill":      "riga {line}: competenza «{value}» sconosciuta: non è nel catalogo delle competenze.",
	"import.error.duplicate_skill":    "riga {line}: la competenza «{value}» compare due volte nella stessa riga.",
	"import.error.too_many_values":    "riga {line}: troppi valori nel campo «{field}» ({value}): al massimo {max}.",
	"import.error.bad_capacity":       "riga {line}: capacità «{value}» non valida: indica un numero intero da {min} a {max}.",
	"import.error.bad_locale":         "riga {line}: lingua «{value}» non valida: usa `it`, `en` oppure lascia vuoto.",
	"import.error.bad_timezone":       "riga {line}: fuso orario «{value}» sconosciuto: usa un nome come `Europe/Rome`, oppure lascia vuoto.",
	"import.error.bad_bool":           "riga {line}: valore «{value}» non valido nel campo «{field}»: usa sì o no (anche true/false, 1/0).",
	"import.error.bad_handle":         "riga {line}: handle «{value}» non valido: niente spazi, al massimo 64 caratteri.",
	"import.error.duplicate_handle":   "riga {line}: l'handle «{value}» è già di un'altra persona (in questo file o già registrata).",
	"import.error.bad_slack_id":       "riga {line}: l'ID Slack «{value}» non è valido: ha la forma `U012AB3CD`.",
	"import.error.duplicate_slack_id": "riga {line}: l'ID Slack «{value}» è già di un'altra persona (in questo file o già registrata).",
}

func init() { merge(it, itImport) }
