package jobs_test

import (
	"errors"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/cronspec"
	"github.com/comune-prato/cantieri/internal/jobs"
)

// The parsing itself is tested in internal/cronspec; this checks that the jobs names still
// lead there, for the callers that use them.
func TestParseCronIsCronspec(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	var s *jobs.CronSchedule
	s, err = jobs.ParseCron(" 0 9 * * 1 ", loc)
	if err != nil {
		t.Fatal(err)
	}
	var _ *cronspec.Schedule = s // the same type, not a copy
	if got, want := s.Next(time.Date(2026, 3, 27, 12, 0, 0, 0, loc)), time.Date(2026, 3, 30, 9, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("Next = %v, want %v", got, want)
	}
	if s.String() != "0 9 * * 1" || s.Location() != loc {
		t.Errorf("String, Location = %q, %v", s.String(), s.Location())
	}
	for _, spec := range []string{"tomorrow at nine", "@every 10s", "0 9 * * * *"} {
		_, err := jobs.ParseCron(spec, loc)
		if !errors.Is(err, jobs.ErrInvalidCron) || !errors.Is(err, cronspec.ErrInvalidCron) {
			t.Errorf("ParseCron(%q) error %v, want one wrapping ErrInvalidCron", spec, err)
		}
	}
}
