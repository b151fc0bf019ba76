package i18n

// itProjectsStore holds the Italian messages for what the system of record refuses when a
// project is written: unknown references, out-of-range values, concurrent changes.
var itProjectsStore = map[string]string{
	"project.error.title":                  "Il titolo del progetto è obbligatorio e può avere al massimo 200 caratteri.",
	"project.error.description_too_long":   "La descrizione è troppo lunga: massimo {max} caratteri.",
	"project.error.funding_too_long":       "La fonte di finanziamento è troppo lunga: massimo {max} caratteri.",
	"project.error.no_objective":           "Un progetto deve servire almeno un obiettivo strategico: indica il codice di almeno un obiettivo, per esempio `obiettivi=DUP-1.2`.",
	"project.error.unknown_objective":      "L'obiettivo «{code}» non è nel catalogo degli obiettivi strategici: controlla il codice.",
	"project.error.unknown_unit":           "L'unità «{code}» non esiste: controlla il codice nell'anagrafica.",
	"project.error.unknown_skill":          "La competenza «{code}» non è nel catalogo: controlla il codice.",
	"project.error.unknown_coordinator":    "Il coordinatore indicato non è tra i dipendenti attivi.",
	"project.error.duplicate_skill":        "La competenza «{code}» compare più volte: indicala una volta sola, con livello e numero di persone.",
	"project.error.bad_level":              "Livello «{value}» non valido per «{code}»: usa 1 (base), 2 (intermedio) o 3 (esperto).",
	"project.error.bad_count":              "Numero di persone «{value}» non valido per «{code}»: indica da 1 a {max} persone.",
	"project.error.bad_team_size":          "Dimensione del gruppo «{value}» non valida: indica da {min} a {max} persone.",
	"project.error.team_too_small":         "Un gruppo di {size} persone è troppo piccolo: una delle competenze richieste chiede da sola {needed} persone.",
	"project.error.bad_budget":             "Il budget non può essere negativo.",
	"project.error.dates":                  "La fine prevista non può precedere l'inizio previsto: controlla le date.",
	"project.error.phase_changed":          "Nel frattempo qualcun altro ha cambiato la fase del progetto: ora è «{phase}». Riapri la scheda e riprova.",
	"project.error.note_too_long":          "La nota è troppo lunga: massimo {max} caratteri.",
	"project.error.no_answers":             "La verifica di robustezza non ha risposte: rispondi ad almeno una domanda.",
	"project.error.bad_score":              "Punteggio «{value}» non valido per la domanda «{question}»: usa un numero da 1 a 5.",
	"project.error.justification_too_long": "La motivazione della domanda «{question}» è troppo lunga: massimo {max} caratteri.",
	"project.error.duplicate_indicator":    "Il progetto ha già un indicatore chiamato «{name}»: scegli un altro nome.",
	"project.error.indicator_kind":         "Tipo di indicatore «{value}» non valido: scegli `output` oppure `outcome`.",
	"project.error.indicator_name":         "Il nome dell'indicatore è obbligatorio e può avere al massimo {max} caratteri.",
	"project.error.indicator_unit":         "L'unità di misura dell'indicatore è troppo lunga: massimo {max} caratteri.",
	"project.error.indicator_direction":    "Direzione «{value}» non valida: scegli `up` (deve crescere) oppure `down` (deve diminuire).",
	"project.error.indicator_target":       "Il valore obiettivo non è coerente con la direzione: se l'indicatore deve crescere il target va sopra il valore di partenza, se deve diminuire va sotto.",
}

func init() { merge(it, itProjectsStore) }
