package survey

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
)

// DefaultFiles holds the shipped default templates, one YAML file each, in the format of
// docs/surveys.md. The store installs each one whose key is not in the database yet (at every
// start, after the migrations): HR's later versions are never overwritten.
//
//go:embed defaults/*.yaml
var DefaultFiles embed.FS

// Defaults parses the shipped templates, in file-name order.
func Defaults() ([]Template, error) {
	names, err := fs.Glob(DefaultFiles, "defaults/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("survey defaults: %w", err)
	}
	slices.Sort(names)
	var out []Template
	for _, name := range names {
		data, err := DefaultFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("survey defaults: %w", err)
		}
		ts, problems := Parse(data)
		if len(problems) > 0 {
			p := problems[0]
			return nil, fmt.Errorf("survey defaults: %s line %d %s: %s %s", name, p.Line, p.Field, p.Code, p.Value)
		}
		out = append(out, ts...)
	}
	return out, nil
}
