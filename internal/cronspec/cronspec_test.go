package cronspec_test

import (
	"errors"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/cronspec"
)

func rome(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// A 09:00 Europe/Rome daily schedule fires at 09:00 local on both sides of the 2026 changes
// (29 March, clocks go forward; 25 October, clocks go back), so the UTC gap between firings is
// 23 h and 25 h on those days.
func TestCronKeepsLocalTimeAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	loc := rome(t)
	s, err := cronspec.Parse("0 9 * * *", loc)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		after   time.Time
		wantUTC []time.Time
	}{
		{
			name:  "March: CET to CEST",
			after: time.Date(2026, 3, 27, 12, 0, 0, 0, loc),
			wantUTC: []time.Time{
				time.Date(2026, 3, 28, 8, 0, 0, 0, time.UTC), // 09:00 CET (+01:00)
				time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC), // 09:00 CEST (+02:00), the day of the change
				time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC),
			},
		},
		{
			name:  "October: CEST to CET",
			after: time.Date(2026, 10, 23, 12, 0, 0, 0, loc),
			wantUTC: []time.Time{
				time.Date(2026, 10, 24, 7, 0, 0, 0, time.UTC), // 09:00 CEST
				time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC), // 09:00 CET, the day of the change
				time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC),
			},
		},
		{
			// The instant given may be in any zone: the schedule reads it in its own.
			name:  "the day of the change, asked in UTC just before the firing",
			after: time.Date(2026, 3, 29, 6, 59, 59, 0, time.UTC),
			wantUTC: []time.Time{
				time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.NextN(tt.after, len(tt.wantUTC))
			if len(got) != len(tt.wantUTC) {
				t.Fatalf("NextN = %v, want %d firings", got, len(tt.wantUTC))
			}
			for i, g := range got {
				if !g.Equal(tt.wantUTC[i]) {
					t.Errorf("firing %d = %v (%v UTC), want %v UTC", i, g, g.UTC(), tt.wantUTC[i])
				}
				if h, m := g.Hour(), g.Minute(); h != 9 || m != 0 || g.Location() != loc {
					t.Errorf("firing %d = %v, want 09:00 Europe/Rome", i, g)
				}
			}
		})
	}
	// The adapter River sees gives the same answer as NextN, one step at a time.
	if n := s.Next(time.Date(2026, 10, 24, 9, 0, 0, 0, loc)); !n.Equal(time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("Next after 24 October 09:00 = %v", n)
	}
}

func TestCronWeekdaysAndDescriptors(t *testing.T) {
	t.Parallel()
	loc := rome(t)
	from := time.Date(2026, 3, 27, 12, 0, 0, 0, loc) // a Friday
	tests := []struct {
		spec string
		want time.Time
	}{
		{"0 9 * * 1", time.Date(2026, 3, 30, 9, 0, 0, 0, loc)},              // next Monday, after the change
		{"30 8 * * 1-5", time.Date(2026, 3, 30, 8, 30, 0, 0, loc)},          // next working day
		{"@daily", time.Date(2026, 3, 28, 0, 0, 0, 0, loc)},                 // local midnight
		{"@monthly", time.Date(2026, 4, 1, 0, 0, 0, 0, loc)},                // first of the month
		{"@every 2h", time.Date(2026, 3, 27, 14, 0, 0, 0, loc)},             // a fixed interval
		{"CRON_TZ=UTC 0 9 * * *", time.Date(2026, 3, 28, 10, 0, 0, 0, loc)}, // 09:00 UTC = 10:00 CET
	}
	for _, tt := range tests {
		s, err := cronspec.Parse(tt.spec, loc)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.spec, err)
			continue
		}
		if got := s.Next(from); !got.Equal(tt.want) {
			t.Errorf("Parse(%q).Next(%v) = %v, want %v", tt.spec, from, got, tt.want)
		}
		if s.String() != tt.spec {
			t.Errorf("String() = %q, want %q", s.String(), tt.spec)
		}
	}
}

func TestParseRejectsBadExpressions(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{
		"",
		"tomorrow at nine",
		"* * * *",                        // four fields
		"61 * * * *",                     // minute out of range
		"0 9 * * 8",                      // day of week out of range
		"0 9 * * * *",                    // six fields need seconds, which are off by default
		"@every 10s",                     // more often than once a minute
		"@fortnightly",                   // no such descriptor
		"0 0 30 2 *",                     // 30 February: never fires
		"CRON_TZ=Nowhere/Land 0 9 * * *", // unknown zone
	} {
		s, err := cronspec.Parse(spec, time.UTC)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want an error", spec, s)
			continue
		}
		if !errors.Is(err, cronspec.ErrInvalidCron) {
			t.Errorf("Parse(%q) error %v does not wrap ErrInvalidCron", spec, err)
		}
	}
}

func TestParseNilLocationIsUTC(t *testing.T) {
	t.Parallel()
	s, err := cronspec.Parse("0 9 * * *", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Next = %v, want %v", got, want)
	}
}

// A sub-minute schedule is refused by Parse with an error a caller can single out, and accepted
// by ParseWithSeconds, which also reads a leading seconds field.
func TestSubMinuteAndSeconds(t *testing.T) {
	t.Parallel()
	_, err := cronspec.Parse("@every 10s", time.UTC)
	if !errors.Is(err, cronspec.ErrInvalidCron) || !errors.Is(err, cronspec.ErrSubMinute) {
		t.Fatalf("Parse(@every 10s) error %v, want ErrInvalidCron and ErrSubMinute", err)
	}
	if _, err := cronspec.Parse("*/5 * * * *", time.UTC); errors.Is(err, cronspec.ErrSubMinute) || err != nil {
		t.Fatalf("Parse(*/5 * * * *) = %v, want no error", err)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		spec string
		want time.Time
	}{
		{"*/5 * * * * *", from.Add(5 * time.Second)}, // six fields: seconds first
		{"@every 10s", from.Add(10 * time.Second)},
		{"0 9 * * *", from.Add(9 * time.Hour)}, // five fields still mean minutes first
	}
	for _, tt := range tests {
		s, err := cronspec.ParseWithSeconds(tt.spec, nil)
		if err != nil {
			t.Errorf("ParseWithSeconds(%q): %v", tt.spec, err)
			continue
		}
		if got := s.Next(from); !got.Equal(tt.want) {
			t.Errorf("ParseWithSeconds(%q).Next = %v, want %v", tt.spec, got, tt.want)
		}
		if s.Location() != time.UTC {
			t.Errorf("ParseWithSeconds(%q).Location() = %v, want UTC", tt.spec, s.Location())
		}
	}
	if _, err := cronspec.ParseWithSeconds("61 * * * * *", time.UTC); !errors.Is(err, cronspec.ErrInvalidCron) {
		t.Errorf("ParseWithSeconds(61 * * * * *) error %v, want ErrInvalidCron", err)
	}
}

func TestNextNStopsWhenTheScheduleEnds(t *testing.T) {
	t.Parallel()
	s, err := cronspec.Parse("0 9 * * *", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.NextN(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 0); len(got) != 0 {
		t.Errorf("NextN(_, 0) = %v, want none", got)
	}
	if got := s.NextN(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), -1); len(got) != 0 {
		t.Errorf("NextN(_, -1) = %v, want none", got)
	}
}
