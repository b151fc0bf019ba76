package demo

// Names for the demo staff. Weights are rough relative frequencies: Italian surnames common
// nationwide, surnames typical of Prato and the Florentine plain, the surnames of the families
// who came from the South in the textile years, and, in a smaller share, the communities that
// live in Prato today (Chinese, Albanian, Romanian, Moroccan, Pakistani). Given names are those
// of people born between the 1960s and the 1990s.

type weighted struct {
	name string
	w    int
}

// origin is one naming tradition: its share of the staff and its names.
type origin struct {
	share        int
	family       []weighted
	male, female []weighted
}

var origins = []origin{
	{
		share: 930,
		family: []weighted{
			// common nationwide
			{"Rossi", 30}, {"Bianchi", 14}, {"Ferrari", 8}, {"Russo", 9}, {"Esposito", 9}, {"Romano", 7},
			{"Colombo", 5}, {"Ricci", 10}, {"Marino", 6}, {"Greco", 6}, {"Bruno", 6}, {"Gallo", 5},
			{"Conti", 7}, {"De Luca", 6}, {"Mancini", 9}, {"Costa", 5}, {"Giordano", 5}, {"Rizzo", 5},
			{"Lombardi", 8}, {"Lombardo", 5}, {"Moretti", 7}, {"Barbieri", 6}, {"Fontana", 4},
			{"Santoro", 5}, {"Mariani", 6}, {"Rinaldi", 5}, {"Caruso", 5}, {"Ferrara", 4}, {"Galli", 6},
			{"Martini", 9}, {"Leone", 4}, {"Longo", 4}, {"Gentile", 4}, {"Martinelli", 6}, {"Vitale", 4},
			{"Serra", 4}, {"Coppola", 4}, {"D'Angelo", 4}, {"Marchetti", 7}, {"Bruni", 7},
			{"Pellegrini", 4}, {"Amato", 4}, {"Fabbri", 5}, {"Sarti", 5}, {"Franchi", 6}, {"Nardi", 5},
			{"Paoli", 5}, {"Bertini", 6}, {"Giusti", 5}, {"Salvi", 4},
			// Prato and the Florentine plain
			{"Giannini", 14}, {"Bardazzi", 14}, {"Pacini", 12}, {"Cecchi", 14}, {"Parenti", 6},
			{"Bellandi", 8}, {"Nesti", 8}, {"Mazzoni", 8}, {"Bini", 8}, {"Lastrucci", 6}, {"Gori", 9},
			{"Fantappiè", 3}, {"Magni", 6}, {"Santini", 7}, {"Vannucchi", 5}, {"Lucchesi", 6},
			{"Tempestini", 4}, {"Cappelli", 6}, {"Bartolini", 7}, {"Lunardi", 5}, {"Chiti", 6},
			{"Ciampolini", 4}, {"Risaliti", 4}, {"Banchelli", 4}, {"Meucci", 6}, {"Frilli", 3},
			{"Bessi", 4}, {"Biagini", 7}, {"Niccolai", 6}, {"Nincheri", 3}, {"Guarducci", 4},
			{"Betti", 6}, {"Innocenti", 8}, {"Bettazzi", 4}, {"Calamai", 5}, {"Parigi", 4}, {"Lenzi", 7},
			{"Baldi", 7}, {"Mati", 4}, {"Bresci", 4}, {"Vestri", 4}, {"Coppini", 4}, {"Becagli", 4},
			{"Mannini", 5}, {"Petracchi", 4}, {"Fiaschi", 4}, {"Cocchi", 5}, {"Guasti", 4}, {"Tesi", 5},
			{"Fioravanti", 3}, {"Settesoldi", 3}, {"Bonacchi", 5}, {"Rindi", 3}, {"Ballerini", 5},
			{"Landini", 5}, {"Bagnoli", 4}, {"Vannini", 5}, {"Querci", 3}, {"Sanesi", 3},
			// families from the South
			{"Lo Bianco", 2}, {"La Rosa", 2}, {"Di Stefano", 3}, {"Ruggiero", 3}, {"Sorrentino", 3},
			{"Messina", 3}, {"Palumbo", 3}, {"Cannizzaro", 2}, {"Iovine", 2}, {"De Simone", 2},
		},
		male: []weighted{
			{"Marco", 10}, {"Andrea", 10}, {"Luca", 9}, {"Alessandro", 8}, {"Francesco", 8}, {"Matteo", 6},
			{"Lorenzo", 5}, {"Simone", 7}, {"Stefano", 9}, {"Massimo", 7}, {"Paolo", 8}, {"Roberto", 7},
			{"Giovanni", 6}, {"Giuseppe", 6}, {"Davide", 6}, {"Fabio", 6}, {"Riccardo", 5}, {"Filippo", 5},
			{"Leonardo", 3}, {"Tommaso", 3}, {"Niccolò", 3}, {"Jacopo", 3}, {"Federico", 5}, {"Claudio", 5},
			{"Maurizio", 5}, {"Alberto", 4}, {"Daniele", 6}, {"Enrico", 4}, {"Gabriele", 4}, {"Michele", 5},
			{"Mario", 4}, {"Piero", 3}, {"Gianni", 3}, {"Sandro", 3}, {"Fabrizio", 5}, {"Emanuele", 4},
			{"Antonio", 6}, {"Salvatore", 3}, {"Gian Luca", 2}, {"Duccio", 1}, {"Lapo", 1},
		},
		female: []weighted{
			{"Giulia", 8}, {"Francesca", 10}, {"Chiara", 8}, {"Sara", 8}, {"Elena", 7}, {"Laura", 8},
			{"Valentina", 8}, {"Silvia", 8}, {"Martina", 5}, {"Alessandra", 7}, {"Federica", 6},
			{"Elisa", 7}, {"Simona", 6}, {"Barbara", 6}, {"Paola", 7}, {"Monica", 6}, {"Cristina", 6},
			{"Roberta", 5}, {"Serena", 5}, {"Caterina", 4}, {"Benedetta", 3}, {"Irene", 5}, {"Beatrice", 3},
			{"Arianna", 4}, {"Lucia", 4}, {"Anna", 6}, {"Maria", 4}, {"Manuela", 4}, {"Daniela", 5},
			{"Sonia", 3}, {"Ilaria", 5}, {"Costanza", 2}, {"Marta", 4}, {"Veronica", 4}, {"Eleonora", 4},
			{"Anna Maria", 2}, {"Giovanna", 3}, {"Patrizia", 4}, {"Antonella", 4}, {"Stefania", 5},
			{"Tiziana", 3}, {"Lisa", 3},
		},
	},
	{
		share:  25,
		family: []weighted{{"Hu", 4}, {"Chen", 4}, {"Wang", 3}, {"Zhou", 3}, {"Lin", 3}, {"Zheng", 2}, {"Xu", 2}, {"Ye", 1}},
		male:   []weighted{{"Wei", 3}, {"Lei", 2}, {"Jun", 2}, {"Xiaoming", 2}, {"Hao", 2}, {"Jian", 1}},
		female: []weighted{{"Jing", 3}, {"Mei", 2}, {"Yan", 2}, {"Ling", 2}, {"Fang", 2}, {"Hui", 1}, {"Xiaoli", 1}},
	},
	{
		share:  15,
		family: []weighted{{"Hoxha", 3}, {"Shehu", 2}, {"Gjoka", 2}, {"Marku", 2}, {"Leka", 1}},
		male:   []weighted{{"Arben", 2}, {"Erion", 2}, {"Ardit", 1}, {"Blerim", 1}},
		female: []weighted{{"Elira", 2}, {"Klodiana", 1}, {"Ermira", 1}, {"Anisa", 2}},
	},
	{
		share:  12,
		family: []weighted{{"Popescu", 3}, {"Ionescu", 2}, {"Dumitru", 2}, {"Stan", 1}},
		male:   []weighted{{"Andrei", 2}, {"Mihai", 2}, {"Florin", 1}, {"Bogdan", 1}},
		female: []weighted{{"Ioana", 2}, {"Andreea", 2}, {"Alina", 1}, {"Roxana", 1}},
	},
	{
		share:  10,
		family: []weighted{{"El Amrani", 2}, {"Benali", 2}, {"Haddad", 1}, {"Bouzid", 1}},
		male:   []weighted{{"Youssef", 2}, {"Karim", 2}, {"Omar", 1}},
		female: []weighted{{"Fatima", 2}, {"Samira", 1}, {"Nadia", 2}, {"Amina", 1}},
	},
	{
		share:  8,
		family: []weighted{{"Khan", 2}, {"Ahmed", 2}, {"Iqbal", 1}},
		male:   []weighted{{"Imran", 2}, {"Bilal", 1}, {"Usman", 1}},
		female: []weighted{{"Ayesha", 2}, {"Sana", 1}, {"Hira", 1}},
	},
}
