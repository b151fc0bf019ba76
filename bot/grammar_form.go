package bot

import "strconv"

// formFields derives a form's inputs from declared fields: the same declaration gives the
// parser, the help, the Slack modal and the console's prompts. values prefill the inputs by
// canonical key; hints are catalogue keys filled with hintArgs (name/value pairs).
func formFields(c *Call, fields []Param, values map[string]string, hintArgs ...any) []FormField {
	out := make([]FormField, 0, len(fields))
	for _, f := range fields {
		ff := FormField{
			Name:      f.Name.IT,
			Label:     c.T(f.Label),
			Kind:      FieldText,
			Value:     values[f.Name.IT],
			Required:  f.Required || f.FormRequired,
			MaxLength: f.MaxLen,
		}
		if f.Label == "" {
			ff.Label = f.Name.In(c.Locale)
		}
		if f.Hint != "" {
			ff.Hint = c.T(f.Hint, hintArgs...)
		}
		switch {
		case f.Kind == KindInt && f.Max-f.Min < 10:
			// A short scale (scores 1–5) is a choice, not a number to type.
			ff.Kind = FieldSelect
			for n := f.Min; n <= f.Max; n++ {
				ff.Options = append(ff.Options, Option{Value: strconv.Itoa(n), Label: strconv.Itoa(n)})
			}
		case f.Kind == KindInt:
			ff.Kind = FieldNumber
		case f.Kind == KindChoice:
			ff.Kind = FieldSelect
			for _, v := range f.Values {
				label := v.In(c.Locale)
				if f.ValueLabel != "" {
					label = c.T(f.ValueLabel + v.IT)
				}
				ff.Options = append(ff.Options, Option{Value: v.IT, Label: label})
			}
		case f.Kind == KindBool:
			ff.Kind = FieldSelect
			ff.Options = []Option{{Value: "sì", Label: c.T("form.yes")}, {Value: "no", Label: c.T("form.no")}}
		case f.Multiline:
			ff.Kind = FieldTextArea
		}
		out = append(out, ff)
	}
	return out
}

// subForm is a form whose inputs are sub's fields and whose submission runs submit.
func subForm(c *Call, id, title, submitLabel, submit string, s *Sub, values map[string]string, hintArgs ...any) *Form {
	return &Form{ID: id, Title: title, SubmitLabel: submitLabel, Submit: submit, Fields: formFields(c, s.Fields, values, hintArgs...)}
}
