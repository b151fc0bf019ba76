package i18n

// itRobustness holds the Italian texts of the robustness check ("robustezza progettuale" in the
// seed): the three dimensions, the default questions with a hint on what 1 and 5 mean, and the
// validation errors of internal/projectdesign. The questions are written for a municipality's
// staff and are defaults: the question set itself lives in projectdesign.Questions.
var itRobustness = map[string]string{
	"robustness.dim.organizzativa":  "Fattibilità organizzativo-procedurale",
	"robustness.dim.economica":      "Fattibilità economico-finanziaria",
	"robustness.dim.costi_benefici": "Equilibrio tra costi e benefici",

	"robustness.q.org.staff":           "Gli uffici coinvolti hanno personale e competenze sufficienti per realizzare il progetto?",
	"robustness.q.org.staff.hint":      "1 = mancano persone o competenze essenziali; 5 = personale e competenze disponibili e già assegnati al progetto.",
	"robustness.q.org.procedures":      "Autorizzazioni, permessi e passaggi di affidamento o gara sono individuati, con tempi realistici?",
	"robustness.q.org.procedures.hint": "1 = non ancora individuati; 5 = tutti individuati, con un cronoprogramma realistico e verificato con gli uffici competenti.",
	"robustness.q.org.roles":           "Ruoli e responsabilità tra gli uffici coinvolti sono concordati?",
	"robustness.q.org.roles.hint":      "1 = nessun accordo tra gli uffici; 5 = ruoli scritti e condivisi da tutti i dirigenti coinvolti.",
	"robustness.q.org.risks":           "Rischi e dipendenze (altri uffici, enti, fornitori, scadenze esterne) sono conosciuti?",
	"robustness.q.org.risks.hint":      "1 = non ancora analizzati; 5 = elencati, ciascuno con un responsabile e una contromisura.",

	"robustness.q.eco.funding":            "Le risorse sono assicurate (stanziate o impegnate) e non solo sperate?",
	"robustness.q.eco.funding.hint":       "1 = finanziamento solo ipotizzato; 5 = interamente stanziato in bilancio o impegnato.",
	"robustness.q.eco.estimate":           "La stima dei costi è dettagliata e prevede un margine per gli imprevisti?",
	"robustness.q.eco.estimate.hint":      "1 = una cifra complessiva senza dettaglio; 5 = stima voce per voce con un margine per gli imprevisti.",
	"robustness.q.eco.running_costs":      "I costi di gestione e manutenzione dopo la fine del progetto sono coperti?",
	"robustness.q.eco.running_costs.hint": "1 = non considerati; 5 = stimati e coperti nei bilanci degli anni successivi.",
	"robustness.q.eco.cofunding":          "Ci sono cofinanziamenti o entrate (bandi, partner, tariffe) che riducono il costo per l'Ente?",
	"robustness.q.eco.cofunding.hint":     "1 = nessuno individuato; 5 = cofinanziamenti o entrate confermati per iscritto.",

	"robustness.q.cb.benefits":        "I benefici attesi per i cittadini sono misurabili?",
	"robustness.q.cb.benefits.hint":   "1 = benefici descritti solo a parole; 5 = benefici con indicatori, valori di partenza e obiettivi.",
	"robustness.q.cb.proportion":      "I benefici sono proporzionati al costo complessivo (risorse economiche, tempo del personale, gestione)?",
	"robustness.q.cb.proportion.hint": "1 = costo chiaramente sproporzionato rispetto ai benefici; 5 = benefici ampiamente superiori al costo.",
	"robustness.q.cb.reach":           "Chi ne beneficia: il progetto raggiunge molte persone, o chi ne ha più bisogno?",
	"robustness.q.cb.reach.hint":      "1 = pochi beneficiari, senza attenzione all'equità; 5 = platea ampia o gruppi più fragili raggiunti in modo mirato.",
	"robustness.q.cb.lasting":         "Il progetto lascia un valore duraturo o è replicabile in altri servizi o contesti?",
	"robustness.q.cb.lasting.hint":    "1 = effetto una tantum; 5 = risultati che durano nel tempo e modello riproponibile altrove.",

	"robustness.error.unknown_question": "La domanda «{question}» non fa parte del controllo di robustezza.",
	"robustness.error.duplicate":        "La domanda «{question}» ha più di una risposta: tienine una sola.",
	"robustness.error.bad_score":        "Il punteggio della domanda «{question}» deve essere un numero intero da 1 a 5.",
	"robustness.error.too_long":         "La motivazione della domanda «{question}» è troppo lunga: massimo {max} caratteri.",
}

func init() { merge(it, itRobustness) }
