package demo

// The static part of the demo council: sites, the organisation chart, the skills catalogue and
// the objectives tree. It reads like the Comune di Prato (about 190,000 inhabitants, a textile
// district, a large Chinese community), but the addresses of minor offices, the unit sizes and
// the chart itself are illustrative, not the Comune's official organisation.

// siteDef is a building; adjacent lists earlier sites only, so that each pair is declared once
// and never refers forward in sites.csv.
type siteDef struct {
	code, name, address string
	adjacent            []string
}

var siteDefs = []siteDef{
	{"palazzo-comunale", "Palazzo Comunale", "Piazza del Comune 2, Prato", nil},
	{"palazzo-pretorio", "Museo di Palazzo Pretorio", "Piazza del Comune, Prato", []string{"palazzo-comunale"}},
	{"banci-buonamici", "Palazzo Banci Buonamici", "Via Ricasoli 25, Prato", []string{"palazzo-comunale"}},
	{"iat-buonamici", "Ufficio turistico IAT", "Piazza Buonamici 7, Prato", []string{"banci-buonamici"}},
	{"anagrafe-cairoli", "Uffici demografici", "Via Cairoli 25, Prato", []string{"palazzo-comunale"}},
	{"via-roma", "Uffici di via Roma", "Via Roma 101, Prato", nil},
	{"mercatale", "Uffici di piazza Mercatale", "Piazza Mercatale 31, Prato", nil},
	{"lazzerini", "Biblioteca Lazzerini", "Via Puccetti 3, Prato", []string{"mercatale"}},
	{"officina-giovani", "Officina Giovani", "Piazza dei Macelli 4, Prato", nil},
	{"vittorio-veneto", "Uffici tecnici di viale Vittorio Veneto", "Viale Vittorio Veneto 9, Prato", nil},
	{"comando-pm", "Comando Polizia Municipale", "Via Paronese 110, Prato", nil},
	{"cantiere-paronese", "Cantiere comunale e autoparco", "Via Paronese 96, Prato", []string{"comando-pm"}},
	{"circ-nord", "Sede decentrata Nord", "Via Bologna 356, Prato", nil},
	{"circ-est", "Sede decentrata Est", "Via Lambruschini 5, Prato", nil},
	{"circ-sud", "Sede decentrata Sud", "Viale Montegrappa 92, Prato", nil},
	{"circ-ovest", "Sede decentrata Ovest", "Via Pistoiese 471, Prato", nil},
}

// The organisation chart. A unit without a site sits where its parent sits. size is the
// relative headcount of a Servizio or Ufficio (people in a council of about 1,200); female is
// the share of women hired there (0: the council's average), because a nursery and a road
// maintenance crew do not look alike.
type areaDef struct {
	name, site string
	interests  []string
	settori    []settoreDef
}

type settoreDef struct {
	name, site string
	// core are the skills most of the Settore's staff share.
	core    []string
	servizi []servizioDef
}

type servizioDef struct {
	name, site string
	size       int
	female     float64
	// skills are the Servizio's own speciality, more likely and at higher levels than core.
	skills []string
	uffici []ufficioDef
}

type ufficioDef struct {
	name, site string
	size       int
	skills     []string
}

// defaultFemale is the share of women among the staff when a unit does not say otherwise
// (Italian local government employs somewhat more women than men).
const defaultFemale = 0.58

var areaDefs = []areaDef{
	{
		name: "Area Servizi alla Persona", site: "via-roma",
		interests: []string{"educazione all'aperto", "intercultura", "invecchiamento attivo", "sport di base", "pari opportunità", "progettazione partecipata"},
		settori: []settoreDef{
			{
				name: "Settore Servizi Sociali", site: "via-roma",
				core: []string{"sociale", "mediazione-conflitti", "inclusione", "relazioni-pubblico", "atti-amministrativi"},
				servizi: []servizioDef{
					{name: "Servizio Minori e Famiglie", size: 30, female: 0.85, skills: []string{"sociale", "educazione"}},
					{name: "Servizio Anziani e Non Autosufficienza", size: 25, female: 0.8, skills: []string{"sociale"}},
					{name: "Servizio Disabilità e Inclusione", size: 20, female: 0.75, skills: []string{"inclusione", "sociale"}},
					{name: "Servizio Contrasto alla Povertà e Politiche Abitative", size: 10, skills: []string{"politiche-abitative", "sociale"},
						uffici: []ufficioDef{
							{name: "Ufficio Emergenza Abitativa", size: 6, skills: []string{"politiche-abitative", "mediazione-conflitti"}},
							{name: "Ufficio Contributi Affitto", size: 6, skills: []string{"politiche-abitative", "atti-amministrativi"}},
						}},
					{name: "Servizio Immigrazione e Cittadinanza", site: "mercatale", size: 12, skills: []string{"intercultura", "lingua-cinese"}},
				},
			},
			{
				name: "Settore Pubblica Istruzione", site: "mercatale",
				core: []string{"educazione", "atti-amministrativi", "relazioni-pubblico"},
				servizi: []servizioDef{
					{name: "Servizio Nidi e Scuole dell'Infanzia", size: 140, female: 0.95, skills: []string{"educazione", "inclusione", "intercultura"}},
					{name: "Servizio Diritto allo Studio e Trasporto Scolastico", size: 15, skills: []string{"servizi-digitali", "relazioni-pubblico"}},
					{name: "Servizio Refezione Scolastica", size: 25, female: 0.7, skills: []string{"appalti", "sicurezza-lavoro"}},
					{name: "Servizio Progetti Educativi e Rapporti con le Scuole", size: 12, female: 0.75, skills: []string{"educazione", "facilitazione"}},
				},
			},
			{
				name: "Settore Politiche Giovanili e Sport", site: "officina-giovani",
				core: []string{"facilitazione", "eventi", "comunicazione", "social-media"},
				servizi: []servizioDef{
					{name: "Servizio Politiche Giovanili e Informagiovani", size: 10, skills: []string{"facilitazione", "social-media"}},
					{name: "Servizio Sport e Impianti Sportivi", size: 14, female: 0.4, skills: []string{"patrimonio-immobiliare", "eventi"}},
					{name: "Servizio Pari Opportunità e Tempi della Città", size: 5, female: 0.8, skills: []string{"inclusione", "valutazione-politiche"}},
				},
			},
		},
	},
	{
		name: "Area Territorio e Ambiente", site: "vittorio-veneto",
		interests: []string{"rigenerazione urbana", "mobilità ciclabile", "forestazione urbana", "economia circolare", "cartografia storica", "riqualificazione energetica"},
		settori: []settoreDef{
			{
				name: "Settore Urbanistica", site: "vittorio-veneto",
				core: []string{"urbanistica", "gis", "edilizia", "diritto-amministrativo", "atti-amministrativi"},
				servizi: []servizioDef{
					{name: "Servizio Pianificazione Urbanistica", size: 14, skills: []string{"urbanistica", "gis"},
						uffici: []ufficioDef{
							{name: "Ufficio Piano Operativo", size: 6, skills: []string{"urbanistica", "facilitazione"}},
							{name: "Ufficio Cartografia e SIT", size: 5, skills: []string{"gis", "open-data"}},
						}},
					{name: "Servizio Edilizia Privata", size: 12, skills: []string{"edilizia", "urbanistica"},
						uffici: []ufficioDef{
							{name: "Ufficio Permessi di Costruire", size: 10, skills: []string{"edilizia", "relazioni-pubblico"}},
							{name: "Ufficio Abusi Edilizi", size: 6, skills: []string{"edilizia", "contenzioso"}},
						}},
					{name: "Servizio Rigenerazione Urbana", size: 8, skills: []string{"urbanistica", "fondi-europei", "facilitazione"}},
				},
			},
			{
				name: "Settore Lavori Pubblici", site: "vittorio-veneto",
				core: []string{"lavori-pubblici", "appalti", "sicurezza-lavoro"},
				servizi: []servizioDef{
					{name: "Servizio Progettazione Opere Pubbliche", size: 18, female: 0.4, skills: []string{"lavori-pubblici", "energia"}},
					{name: "Servizio Manutenzione Strade e Infrastrutture", site: "cantiere-paronese", size: 35, female: 0.15, skills: []string{"lavori-pubblici", "sicurezza-lavoro"}},
					{name: "Servizio Edilizia Scolastica e Sportiva", size: 16, female: 0.4, skills: []string{"lavori-pubblici", "energia"}},
					{name: "Servizio Manutenzione Edifici Pubblici", site: "cantiere-paronese", size: 30, female: 0.15, skills: []string{"patrimonio-immobiliare", "sicurezza-lavoro"}},
				},
			},
			{
				name: "Settore Mobilità", site: "vittorio-veneto",
				core: []string{"mobilita", "gis", "analisi-dati"},
				servizi: []servizioDef{
					{name: "Servizio Pianificazione della Mobilità", size: 8, skills: []string{"mobilita", "fondi-europei"}},
					{name: "Servizio Traffico e Segnaletica", size: 14, female: 0.35, skills: []string{"mobilita", "sicurezza-lavoro"}},
					{name: "Servizio Trasporto Pubblico e Sosta", size: 7, skills: []string{"mobilita", "appalti"}},
				},
			},
			{
				name: "Settore Ambiente e Verde", site: "vittorio-veneto",
				core: []string{"ambiente", "energia", "verde-urbano"},
				servizi: []servizioDef{
					{name: "Servizio Tutela Ambientale", size: 10, skills: []string{"ambiente", "analisi-dati"}},
					{name: "Servizio Verde Pubblico", site: "cantiere-paronese", size: 28, female: 0.25, skills: []string{"verde-urbano", "sicurezza-lavoro"}},
					{name: "Servizio Rifiuti ed Economia Circolare", size: 8, skills: []string{"ambiente", "appalti"}},
					{name: "Servizio Energia e Clima", size: 6, skills: []string{"energia", "fondi-europei"}},
				},
			},
		},
	},
	{
		name: "Area Risorse e Bilancio", site: "palazzo-comunale",
		interests: []string{"finanza pubblica", "analisi dei dati", "fondi europei", "semplificazione amministrativa", "welfare aziendale"},
		settori: []settoreDef{
			{
				name: "Settore Bilancio e Finanze", site: "palazzo-comunale",
				core: []string{"bilancio", "controllo-gestione", "atti-amministrativi"},
				servizi: []servizioDef{
					{name: "Servizio Bilancio e Programmazione", size: 10, skills: []string{"bilancio", "analisi-costi-benefici"}},
					{name: "Servizio Contabilità e Pagamenti", size: 14, skills: []string{"bilancio"},
						uffici: []ufficioDef{
							{name: "Ufficio Mandati e Fatture Elettroniche", size: 6, skills: []string{"bilancio", "servizi-digitali"}},
						}},
					{name: "Servizio Controllo di Gestione e Partecipate", size: 6, skills: []string{"controllo-gestione", "analisi-dati"}},
					{name: "Servizio Fondi Europei e PNRR", size: 8, skills: []string{"fondi-europei", "project-management", "analisi-costi-benefici"}},
				},
			},
			{
				name: "Settore Tributi", site: "banci-buonamici",
				core: []string{"tributi", "relazioni-pubblico", "contenzioso"},
				servizi: []servizioDef{
					{name: "Servizio IMU e Tributi Immobiliari", size: 14, skills: []string{"tributi", "gis"}},
					{name: "Servizio TARI", size: 12, skills: []string{"tributi", "servizi-digitali"}},
					{name: "Servizio Riscossione e Contenzioso Tributario", size: 10, skills: []string{"tributi", "contenzioso"}},
				},
			},
			{
				name: "Settore Personale e Organizzazione", site: "banci-buonamici",
				core: []string{"gestione-risorse-umane", "formazione", "diritto-amministrativo"},
				servizi: []servizioDef{
					{name: "Servizio Gestione Giuridica del Personale", size: 12, skills: []string{"gestione-risorse-umane", "privacy-gdpr"}},
					{name: "Servizio Trattamento Economico e Previdenza", size: 10, skills: []string{"bilancio", "gestione-risorse-umane"}},
					{name: "Servizio Formazione e Sviluppo Organizzativo", size: 7, skills: []string{"formazione", "facilitazione", "valutazione-politiche"}},
				},
			},
			{
				name: "Settore Patrimonio", site: "banci-buonamici",
				core: []string{"patrimonio-immobiliare", "diritto-amministrativo", "gis"},
				servizi: []servizioDef{
					{name: "Servizio Gestione del Patrimonio Immobiliare", size: 10, skills: []string{"patrimonio-immobiliare", "bilancio"}},
					{name: "Servizio Espropri e Demanio", size: 5, skills: []string{"patrimonio-immobiliare", "contenzioso"}},
				},
			},
		},
	},
	{
		name: "Area Sviluppo Economico e Cultura", site: "palazzo-pretorio",
		interests: []string{"arte contemporanea", "Museo del Tessuto", "distretto tessile", "moda sostenibile", "promozione della lettura", "turismo lento"},
		settori: []settoreDef{
			{
				name: "Settore Cultura", site: "palazzo-pretorio",
				core: []string{"beni-culturali", "eventi", "comunicazione"},
				servizi: []servizioDef{
					{name: "Servizio Musei", size: 22, skills: []string{"beni-culturali", "lingua-inglese"}},
					{name: "Servizio Biblioteche", site: "lazzerini", size: 22, female: 0.75, skills: []string{"biblioteconomia", "relazioni-pubblico"},
						uffici: []ufficioDef{
							{name: "Ufficio Biblioteche di Quartiere", size: 8, skills: []string{"biblioteconomia", "inclusione"}},
						}},
					{name: "Servizio Spettacolo ed Eventi Culturali", size: 8, skills: []string{"eventi", "social-media"}},
					{name: "Servizio Archivio Storico", size: 5, skills: []string{"archivistica", "beni-culturali"}},
				},
			},
			{
				name: "Settore Turismo e Marketing Territoriale", site: "iat-buonamici",
				core: []string{"turismo", "comunicazione", "lingua-inglese", "eventi"},
				servizi: []servizioDef{
					{name: "Servizio Promozione Turistica e Accoglienza", size: 9, skills: []string{"turismo", "relazioni-pubblico"}},
					{name: "Servizio Marketing Territoriale e Grandi Eventi", size: 6, skills: []string{"eventi", "social-media"}},
				},
			},
			{
				name: "Settore Attività Produttive", site: "banci-buonamici",
				core: []string{"commercio-suap", "diritto-amministrativo", "relazioni-pubblico"},
				servizi: []servizioDef{
					{name: "Servizio SUAP Sportello Unico Attività Produttive", size: 14, skills: []string{"commercio-suap", "servizi-digitali"}},
					{name: "Servizio Commercio e Mercati", size: 10, skills: []string{"commercio-suap", "mediazione-conflitti"}},
					{name: "Servizio Sviluppo Economico e Distretto Tessile", size: 6, skills: []string{"fondi-europei", "analisi-dati", "lingua-cinese"}},
				},
			},
		},
	},
	{
		name: "Area Sicurezza e Polizia Municipale", site: "comando-pm",
		interests: []string{"sicurezza stradale", "educazione alla legalità", "primo soccorso", "gestione delle emergenze", "tutela degli animali"},
		settori: []settoreDef{
			{
				name: "Settore Polizia Municipale", site: "comando-pm",
				core: []string{"polizia-amministrativa", "relazioni-pubblico", "mediazione-conflitti"},
				servizi: []servizioDef{
					{name: "Servizio Comando e Centrale Operativa", size: 30, female: 0.4, skills: []string{"polizia-amministrativa", "protezione-civile"}},
					{name: "Servizio Polizia Stradale e Infortunistica", size: 40, female: 0.3, skills: []string{"polizia-amministrativa", "mobilita"}},
					{name: "Servizio Polizia Edilizia e Ambientale", size: 14, female: 0.35, skills: []string{"edilizia", "ambiente"}},
					{name: "Servizio Polizia Commerciale e Annonaria", size: 14, female: 0.35, skills: []string{"commercio-suap", "lingua-cinese"}},
					{name: "Servizio Polizia di Prossimità", size: 8, female: 0.4, skills: []string{"mediazione-conflitti", "intercultura"},
						uffici: []ufficioDef{
							{name: "Presidio Territoriale Nord", site: "circ-nord", size: 12, skills: []string{"mediazione-conflitti", "polizia-amministrativa"}},
							{name: "Presidio Territoriale Est", site: "circ-est", size: 12, skills: []string{"mediazione-conflitti", "polizia-amministrativa"}},
							{name: "Presidio Territoriale Sud", site: "circ-sud", size: 12, skills: []string{"mediazione-conflitti", "lingua-cinese"}},
							{name: "Presidio Territoriale Ovest", site: "circ-ovest", size: 12, skills: []string{"mediazione-conflitti", "intercultura"}},
						}},
					{name: "Servizio Verbali e Contenzioso", size: 16, skills: []string{"contenzioso", "atti-amministrativi"}},
				},
			},
			{
				name: "Settore Protezione Civile", site: "comando-pm",
				core: []string{"protezione-civile", "gis", "comunicazione"},
				servizi: []servizioDef{
					{name: "Servizio Pianificazione di Emergenza", size: 5, skills: []string{"protezione-civile", "gis"}},
					{name: "Servizio Sala Operativa e Volontariato", size: 7, female: 0.4, skills: []string{"protezione-civile", "facilitazione"}},
				},
			},
		},
	},
	{
		name: "Area Innovazione e Servizi Generali", site: "palazzo-comunale",
		interests: []string{"servizi digitali", "cybersecurity", "open data", "linguaggio chiaro", "comunicazione sui social", "partecipazione civica"},
		settori: []settoreDef{
			{
				name: "Settore Sistemi Informativi e Transizione Digitale", site: "banci-buonamici",
				core: []string{"transizione-digitale", "sicurezza-informatica", "sviluppo-software", "servizi-digitali"},
				servizi: []servizioDef{
					{name: "Servizio Infrastrutture e Sicurezza Informatica", size: 10, female: 0.3, skills: []string{"sicurezza-informatica", "privacy-gdpr"}},
					{name: "Servizio Applicativi e Servizi Digitali", size: 12, female: 0.4, skills: []string{"servizi-digitali", "sviluppo-software"}},
					{name: "Servizio Dati, Statistica e Open Data", size: 6, skills: []string{"open-data", "analisi-dati", "gis"}},
				},
			},
			{
				name: "Settore Gare e Contratti", site: "palazzo-comunale",
				core: []string{"appalti", "diritto-amministrativo", "atti-amministrativi", "anticorruzione-trasparenza"},
				servizi: []servizioDef{
					{name: "Servizio Gare d'Appalto", size: 10, skills: []string{"appalti"}},
					{name: "Servizio Contratti", size: 6, skills: []string{"appalti", "contenzioso"}},
					{name: "Servizio Provveditorato ed Economato", size: 8, skills: []string{"appalti", "bilancio"}},
				},
			},
			{
				name: "Settore Anagrafe e Stato Civile", site: "anagrafe-cairoli",
				core: []string{"anagrafe-stato-civile", "relazioni-pubblico", "servizi-digitali"},
				servizi: []servizioDef{
					{name: "Servizio Anagrafe", size: 12, skills: []string{"anagrafe-stato-civile", "intercultura"},
						uffici: []ufficioDef{
							{name: "Ufficio Carte d'Identità", size: 10, skills: []string{"anagrafe-stato-civile", "servizi-digitali"}},
							{name: "Ufficio Residenze", size: 8, skills: []string{"anagrafe-stato-civile", "lingua-cinese"}},
						}},
					{name: "Servizio Stato Civile", size: 10, skills: []string{"anagrafe-stato-civile", "atti-amministrativi"}},
					{name: "Servizio Elettorale", size: 6, skills: []string{"anagrafe-stato-civile", "archivistica"}},
				},
			},
			{
				name: "Settore Comunicazione e Partecipazione", site: "palazzo-comunale",
				core: []string{"comunicazione", "social-media", "relazioni-pubblico", "facilitazione"},
				servizi: []servizioDef{
					{name: "Servizio URP e Sportelli al Cittadino", size: 14, skills: []string{"relazioni-pubblico", "servizi-digitali"}},
					{name: "Servizio Ufficio Stampa e Social Media", size: 6, skills: []string{"comunicazione", "social-media"}},
					{name: "Servizio Partecipazione e Cittadinanza Attiva", size: 5, skills: []string{"facilitazione", "mediazione-conflitti"}},
				},
			},
			{
				name: "Settore Avvocatura e Affari Generali", site: "palazzo-comunale",
				core: []string{"diritto-amministrativo", "contenzioso", "atti-amministrativi"},
				servizi: []servizioDef{
					{name: "Servizio Avvocatura Civica", size: 8, skills: []string{"contenzioso", "diritto-amministrativo"}},
					{name: "Servizio Segreteria Generale e Organi Istituzionali", size: 12, skills: []string{"atti-amministrativi", "anticorruzione-trasparenza"}},
					{name: "Servizio Protocollo e Archivio", size: 12, skills: []string{"archivistica", "servizi-digitali"}},
					{name: "Servizio Trasparenza, Anticorruzione e Controlli Interni", size: 5, skills: []string{"anticorruzione-trasparenza", "privacy-gdpr"}},
				},
			},
		},
	},
}

// skillDefs is the competence catalogue of a municipality: what a project may ask for.
var skillDefs = []struct{ code, it, en, category string }{
	// giuridico-amministrativo
	{"diritto-amministrativo", "Diritto amministrativo", "Administrative law", "giuridico-amministrativo"},
	{"atti-amministrativi", "Redazione di atti amministrativi", "Drafting administrative acts", "giuridico-amministrativo"},
	{"appalti", "Appalti pubblici e contratti", "Public procurement and contracts", "giuridico-amministrativo"},
	{"privacy-gdpr", "Protezione dei dati personali (GDPR)", "Data protection (GDPR)", "giuridico-amministrativo"},
	{"anticorruzione-trasparenza", "Anticorruzione e trasparenza", "Anti-corruption and transparency", "giuridico-amministrativo"},
	{"contenzioso", "Contenzioso e difesa in giudizio", "Litigation", "giuridico-amministrativo"},
	{"anagrafe-stato-civile", "Anagrafe e stato civile", "Civil registry", "giuridico-amministrativo"},
	{"polizia-amministrativa", "Polizia amministrativa e codice della strada", "Administrative policing and traffic law", "giuridico-amministrativo"},
	{"commercio-suap", "Commercio e sportello unico imprese (SUAP)", "Business licensing (one-stop shop)", "giuridico-amministrativo"},
	// tecnico
	{"urbanistica", "Urbanistica e pianificazione territoriale", "Urban planning", "tecnico"},
	{"edilizia", "Edilizia e titoli abilitativi", "Building control and permits", "tecnico"},
	{"gis", "GIS e cartografia", "GIS and mapping", "tecnico"},
	{"lavori-pubblici", "Progettazione e direzione lavori", "Public works design and supervision", "tecnico"},
	{"mobilita", "Pianificazione della mobilità", "Transport planning", "tecnico"},
	{"ambiente", "Tutela ambientale", "Environmental protection", "tecnico"},
	{"energia", "Efficienza energetica e rinnovabili", "Energy efficiency and renewables", "tecnico"},
	{"verde-urbano", "Gestione del verde urbano", "Urban green management", "tecnico"},
	{"sicurezza-lavoro", "Sicurezza sul lavoro", "Health and safety at work", "tecnico"},
	{"protezione-civile", "Protezione civile e gestione delle emergenze", "Civil protection and emergency management", "tecnico"},
	{"patrimonio-immobiliare", "Gestione del patrimonio immobiliare", "Public property management", "tecnico"},
	// economico-finanziario
	{"bilancio", "Bilancio e contabilità pubblica", "Public budgeting and accounting", "economico-finanziario"},
	{"tributi", "Tributi locali", "Local taxation", "economico-finanziario"},
	{"controllo-gestione", "Controllo di gestione", "Management control", "economico-finanziario"},
	{"fondi-europei", "Fondi europei e PNRR", "EU funds and the recovery plan (PNRR)", "economico-finanziario"},
	{"analisi-costi-benefici", "Analisi costi-benefici", "Cost-benefit analysis", "economico-finanziario"},
	// digitale
	{"transizione-digitale", "Transizione digitale", "Digital transformation", "digitale"},
	{"servizi-digitali", "Servizi digitali (SPID, pagoPA, App IO)", "Digital public services (SPID, pagoPA, IO app)", "digitale"},
	{"open-data", "Open data", "Open data", "digitale"},
	{"analisi-dati", "Analisi dei dati e statistica", "Data analysis and statistics", "digitale"},
	{"sicurezza-informatica", "Sicurezza informatica", "Cybersecurity", "digitale"},
	{"sviluppo-software", "Sviluppo software", "Software development", "digitale"},
	{"competenze-digitali", "Competenze digitali di base", "Basic digital skills", "digitale"},
	// relazionale
	{"comunicazione", "Comunicazione istituzionale", "Institutional communication", "relazionale"},
	{"social-media", "Social media e comunicazione digitale", "Social media", "relazionale"},
	{"relazioni-pubblico", "Relazioni con il pubblico", "Front office and public relations", "relazionale"},
	{"mediazione-conflitti", "Mediazione dei conflitti", "Conflict mediation", "relazionale"},
	{"facilitazione", "Facilitazione e partecipazione", "Facilitation and public participation", "relazionale"},
	{"lavoro-di-gruppo", "Lavoro di gruppo", "Teamwork", "relazionale"},
	{"lingua-inglese", "Lingua inglese", "English", "relazionale"},
	{"lingua-cinese", "Lingua cinese", "Chinese (Mandarin)", "relazionale"},
	// gestionale
	{"project-management", "Project management", "Project management", "gestionale"},
	{"gestione-risorse-umane", "Gestione delle risorse umane", "People management", "gestionale"},
	{"formazione", "Formazione e sviluppo delle competenze", "Training and skills development", "gestionale"},
	{"valutazione-politiche", "Valutazione delle politiche pubbliche", "Public policy evaluation", "gestionale"},
	// sociale
	{"sociale", "Servizio sociale professionale", "Social work", "sociale"},
	{"educazione", "Educazione e servizi per l'infanzia", "Early childhood education", "sociale"},
	{"inclusione", "Inclusione e disabilità", "Inclusion and disability", "sociale"},
	{"intercultura", "Mediazione interculturale", "Intercultural mediation", "sociale"},
	{"politiche-abitative", "Politiche abitative", "Housing policy", "sociale"},
	// culturale
	{"beni-culturali", "Gestione dei beni culturali", "Cultural heritage management", "culturale"},
	{"biblioteconomia", "Biblioteconomia", "Library science", "culturale"},
	{"archivistica", "Archivistica e gestione documentale", "Records management and archives", "culturale"},
	{"eventi", "Organizzazione di eventi", "Event management", "culturale"},
	{"turismo", "Promozione turistica", "Tourism promotion", "culturale"},
}

// transversal skills are the ones anybody may have picked up whatever their office, at a base
// or intermediate level.
var transversal = []string{
	"competenze-digitali", "lavoro-di-gruppo", "comunicazione", "relazioni-pubblico", "lingua-inglese",
	"project-management", "privacy-gdpr", "analisi-dati", "mediazione-conflitti", "facilitazione",
	"atti-amministrativi",
}

// managerial skills are what a dirigente brings besides the Settore's speciality.
var managerial = []string{"gestione-risorse-umane", "project-management", "diritto-amministrativo", "bilancio", "valutazione-politiche"}

// objectiveDefs is a DUP/PIAO-like tree: five strategic lines (parent "") and the operational
// objectives under them. Parents come before children.
var objectiveDefs = []struct{ code, title, parent string }{
	{"DUP-1", "Prato città sostenibile", ""},
	{"DUP-1.1", "Ridurre le emissioni e adattare la città ai cambiamenti climatici", "DUP-1"},
	{"DUP-1.2", "Mobilità sostenibile: piste ciclabili, trasporto pubblico e zone 30", "DUP-1"},
	{"DUP-1.3", "Forestazione urbana: un albero per ogni abitante", "DUP-1"},
	{"DUP-1.4", "Economia circolare e recupero degli scarti tessili", "DUP-1"},
	{"DUP-2", "Prato città che include", ""},
	{"DUP-2.1", "Sostenere le famiglie e contrastare la povertà", "DUP-2"},
	{"DUP-2.2", "Integrazione e cittadinanza nella città multiculturale", "DUP-2"},
	{"DUP-2.3", "Servizi educativi 0-6 accessibili e di qualità", "DUP-2"},
	{"DUP-3", "Prato città che lavora e crea", ""},
	{"DUP-3.1", "Innovazione d'impresa e rilancio del distretto tessile", "DUP-3"},
	{"DUP-3.2", "Cultura come motore di sviluppo: musei, biblioteche, spettacolo", "DUP-3"},
	{"DUP-3.3", "Attrattività turistica e marketing territoriale", "DUP-3"},
	{"DUP-4", "Prato città sicura e rigenerata", ""},
	{"DUP-4.1", "Rigenerazione urbana del Macrolotto Zero e delle aree dismesse", "DUP-4"},
	{"DUP-4.2", "Sicurezza urbana e polizia di prossimità", "DUP-4"},
	{"DUP-4.3", "Manutenzione e sicurezza di strade, scuole ed edifici pubblici", "DUP-4"},
	{"DUP-5", "Un Comune aperto, digitale ed efficiente", ""},
	{"DUP-5.1", "Transizione digitale dei servizi al cittadino", "DUP-5"},
	{"DUP-5.2", "Trasparenza, open data e partecipazione", "DUP-5"},
	{"DUP-5.3", "Lavorare per progetti tra uffici: Cantieri per il Miglioramento", "DUP-5"},
	{"DUP-5.4", "Benessere organizzativo e sviluppo delle competenze", "DUP-5"},
	{"DUP-5.5", "Attuare i progetti del PNRR e dei fondi europei", "DUP-5"},
}

// generalInterests are free-text interests anybody may list; each Area adds its own.
var generalInterests = []string{
	"fotografia", "escursionismo", "volontariato", "corsa", "lettura", "cucina", "musica",
	"lingue straniere", "formazione continua", "benessere organizzativo", "intelligenza artificiale",
	"design dei servizi pubblici", "innovazione sociale", "storia di Prato", "cinema", "teatro",
	"ciclismo", "sostenibilità", "software libero", "parlare in pubblico",
}
