package i18n

// enRobustness holds the English texts of the robustness check: the three dimensions, the
// default questions with a hint on what 1 and 5 mean, and the validation errors of
// internal/projectdesign. Keys and placeholders mirror itRobustness.
var enRobustness = map[string]string{
	"robustness.dim.organizzativa":  "Organisational and procedural feasibility",
	"robustness.dim.economica":      "Economic and financial feasibility",
	"robustness.dim.costi_benefici": "Cost/benefit balance",

	"robustness.q.org.staff":           "Do the offices involved have enough staff and skills to carry out the project?",
	"robustness.q.org.staff.hint":      "1 = essential people or skills are missing; 5 = staff and skills available and already assigned to the project.",
	"robustness.q.org.procedures":      "Are authorisations, permits and procurement steps identified, with realistic timing?",
	"robustness.q.org.procedures.hint": "1 = not yet identified; 5 = all identified, with a realistic schedule checked with the offices in charge.",
	"robustness.q.org.roles":           "Are roles and responsibilities across the offices involved agreed?",
	"robustness.q.org.roles.hint":      "1 = no agreement between the offices; 5 = roles written down and shared by every manager involved.",
	"robustness.q.org.risks":           "Are risks and dependencies (other offices, bodies, suppliers, external deadlines) known?",
	"robustness.q.org.risks.hint":      "1 = not yet analysed; 5 = listed, each with an owner and a countermeasure.",

	"robustness.q.eco.funding":            "Is the funding secured (allocated or committed) rather than hoped for?",
	"robustness.q.eco.funding.hint":       "1 = funding only assumed; 5 = fully allocated in the budget or committed.",
	"robustness.q.eco.estimate":           "Is the cost estimate detailed, with a contingency for the unexpected?",
	"robustness.q.eco.estimate.hint":      "1 = a single lump sum with no detail; 5 = item-by-item estimate with a contingency.",
	"robustness.q.eco.running_costs":      "Are the running and maintenance costs after the project covered?",
	"robustness.q.eco.running_costs.hint": "1 = not considered; 5 = estimated and covered in the following years' budgets.",
	"robustness.q.eco.cofunding":          "Is there co-funding or revenue (grants, partners, fees) that lowers the cost to the council?",
	"robustness.q.eco.cofunding.hint":     "1 = none identified; 5 = co-funding or revenue confirmed in writing.",

	"robustness.q.cb.benefits":        "Are the expected benefits for citizens measurable?",
	"robustness.q.cb.benefits.hint":   "1 = benefits described in words only; 5 = benefits with indicators, baselines and targets.",
	"robustness.q.cb.proportion":      "Are the benefits proportionate to the total cost (money, staff time, running)?",
	"robustness.q.cb.proportion.hint": "1 = cost clearly out of proportion to the benefits; 5 = benefits well above the cost.",
	"robustness.q.cb.reach":           "Who benefits: does the project reach many people, or those who need it most?",
	"robustness.q.cb.reach.hint":      "1 = few beneficiaries, no attention to equity; 5 = wide reach, or the most vulnerable groups deliberately reached.",
	"robustness.q.cb.lasting":         "Does the project leave lasting value, or can it be replicated in other services or places?",
	"robustness.q.cb.lasting.hint":    "1 = a one-off effect; 5 = results that last and a model that can be re-proposed elsewhere.",

	"robustness.error.unknown_question": "The question «{question}» is not part of the robustness check.",
	"robustness.error.duplicate":        "The question «{question}» has more than one answer: keep only one.",
	"robustness.error.bad_score":        "The score of question «{question}» must be a whole number from 1 to 5.",
	"robustness.error.too_long":         "The justification of question «{question}» is too long: at most {max} characters.",
}

func init() { merge(en, enRobustness) }
