package i18n

// enProjectsStore holds the English messages for what the system of record refuses when a
// project is written: unknown references, out-of-range values, concurrent changes.
var enProjectsStore = map[string]string{
	"project.error.title":                  "A project needs a title of at most 200 characters.",
	"project.error.description_too_long":   "The description is too long: at most {max} characters.",
	"project.error.funding_too_long":       "The funding source is too long: at most {max} characters.",
	"project.error.no_objective":           "A project must serve at least one strategic objective: give the code of at least one, for example `objectives=DUP-1.2`.",
	"project.error.unknown_objective":      "The objective «{code}» is not in the strategic objectives catalogue: please check the code.",
	"project.error.unknown_unit":           "The unit «{code}» does not exist: please check the code in the organisation.",
	"project.error.unknown_skill":          "The skill «{code}» is not in the catalogue: please check the code.",
	"project.error.unknown_coordinator":    "The coordinator given is not an active employee.",
	"project.error.duplicate_skill":        "The skill «{code}» appears more than once: give it once, with its level and number of people.",
	"project.error.bad_level":              "Level «{value}» is not valid for «{code}»: use 1 (basic), 2 (intermediate) or 3 (expert).",
	"project.error.bad_count":              "Number of people «{value}» is not valid for «{code}»: give from 1 to {max} people.",
	"project.error.bad_team_size":          "Team size «{value}» is not valid: give from {min} to {max} people.",
	"project.error.team_too_small":         "A team of {size} people is too small: one of the required skills alone asks for {needed} people.",
	"project.error.bad_budget":             "The budget cannot be negative.",
	"project.error.dates":                  "The planned end cannot come before the planned start: please check the dates.",
	"project.error.phase_changed":          "Someone else changed the project's phase in the meantime: it is now «{phase}». Open the card again and retry.",
	"project.error.note_too_long":          "The note is too long: at most {max} characters.",
	"project.error.no_answers":             "The robustness check has no answers: answer at least one question.",
	"project.error.bad_score":              "Score «{value}» is not valid for the question «{question}»: use a number from 1 to 5.",
	"project.error.justification_too_long": "The justification for the question «{question}» is too long: at most {max} characters.",
	"project.error.duplicate_indicator":    "The project already has an indicator called «{name}»: choose another name.",
	"project.error.indicator_kind":         "Indicator type «{value}» is not valid: choose `output` or `outcome`.",
	"project.error.indicator_name":         "An indicator needs a name of at most {max} characters.",
	"project.error.indicator_unit":         "The indicator's unit of measure is too long: at most {max} characters.",
	"project.error.indicator_direction":    "Direction «{value}» is not valid: choose `up` (should grow) or `down` (should fall).",
	"project.error.indicator_target":       "The target does not match the direction: if the indicator should grow the target goes above the baseline, if it should fall, below it.",
}

func init() { merge(en, enProjectsStore) }
