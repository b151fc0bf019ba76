package postgres_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// loadAnswers fills a fresh database with n released answer rows of the monthly pulse, by COPY:
// twelve monthly instances, ten departments (a fifth of the answers without one), five Likert
// rows per response and a comment on one response in ten. The rows are generated as COPY asks
// for them, never held together.
func loadAnswers(tb testing.TB, n int) *postgres.SurveyStore {
	tb.Helper()
	ctx := context.Background()
	pool := pgtest.NewPool(tb)
	store, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: 5, Keys: []string{testSurveyKey}})
	if err != nil {
		tb.Fatal(err)
	}
	depts := make([]int64, 10)
	for i := range depts {
		if err := pool.QueryRow(ctx, `INSERT INTO org_units (code, name, type_label) VALUES ($1, $2, 'Settore') RETURNING id`,
			fmt.Sprintf("S%02d", i), fmt.Sprintf("Settore %d", i)).Scan(&depts[i]); err != nil {
			tb.Fatal(err)
		}
	}
	var instances, versions [12]int64
	for m := range instances {
		inst, err := store.CreateInstance(ctx, postgres.InstanceSpec{Template: "polso", Subject: fmt.Sprintf("pulse:2026-%02d", m+1)})
		if err != nil {
			tb.Fatal(err)
		}
		instances[m], versions[m] = inst.ID, inst.VersionID
	}
	likert := []string{"collaborazione", "conflitto", "obiettivi", "possibilita", "carico"}
	rng := rand.New(rand.NewPCG(1, 2))
	var (
		written  int
		resp     int
		question int
		row      = make([]any, 8)
		uuid     pgtype.UUID
		dept     *int64
		day      time.Time
		month    int
		comment  bool
	)
	newResponse := func() {
		resp++
		for i := range 16 {
			uuid.Bytes[i] = byte(rng.Uint32())
		}
		uuid.Valid = true
		month = rng.IntN(12)
		day = time.Date(2026, time.Month(month+1), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		dept = nil
		if rng.IntN(5) > 0 {
			dept = &depts[rng.IntN(len(depts))]
		}
		comment = rng.IntN(10) == 0
		question = 0
	}
	newResponse()
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if written == n {
			return nil, nil
		}
		if question == len(likert) && !comment || question > len(likert) {
			newResponse()
		}
		row[0], row[1], row[2], row[4], row[5] = uuid, instances[month], versions[month], dept, day
		if question < len(likert) {
			row[3], row[6], row[7] = likert[question], int16(1+rng.IntN(5)), nil
		} else {
			row[3], row[6], row[7] = "commento", nil, fmt.Sprintf("commento numero %d sul mese", resp)
		}
		question++
		written++
		return row, nil
	})
	copied, err := pool.CopyFrom(ctx, pgx.Identifier{"survey_answers"},
		[]string{"response", "instance_id", "version_id", "question", "department_id", "released_on", "value_int", "value_text"}, src)
	if err != nil || int(copied) != n {
		tb.Fatalf("copy: %d rows, %v", copied, err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE survey_answers`); err != nil {
		tb.Fatal(err)
	}
	return store
}

// heapObjects is the Go heap in use by objects, live or not yet swept (HeapAlloc).
const heapObjects = "/memory/classes/heap/objects:bytes"

func readHeap() uint64 {
	s := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// heapPeak samples the heap every millisecond until stopped and returns the highest value.
func heapPeak() (stop func() uint64) {
	var (
		peak uint64
		wg   sync.WaitGroup
		done = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, readHeap())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return max(peak, readHeap())
	}
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// exportMeasured exports every answer of 2026 as CSV into a counter and returns the rows, the
// bytes, the heap before (after a collection) and the peak during the export.
func exportMeasured(tb testing.TB, store *postgres.SurveyStore) (rows int, size int64, base, peak uint64) {
	tb.Helper()
	var out countingWriter
	w, err := bot.NewAnswerCSV(io.Writer(&out))
	if err != nil {
		tb.Fatal(err)
	}
	runtime.GC()
	base = readHeap()
	stop := heapPeak()
	rows, err = store.ExportAnswers(context.Background(), bot.AnswerExport{
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}, w.Write)
	if err == nil {
		err = w.Flush()
	}
	peak = stop()
	if err != nil {
		tb.Fatal(err)
	}
	return rows, out.n, base, peak
}

// TestExportAnswersStreamsInFlatMemory exports 200,000 rows: the heap may grow by a few
// buffers and the garbage of the rows between two collections, never with the rows — held
// together they would take tens of MB. BenchmarkExportAnswers shows the same at 1 and 10 million.
func TestExportAnswersStreamsInFlatMemory(t *testing.T) {
	const n = 200_000
	store := loadAnswers(t, n)
	rows, size, base, peak := exportMeasured(t, store)
	if rows != n {
		t.Fatalf("exported %d rows, want %d", rows, n)
	}
	grew := int64(peak) - int64(base)
	t.Logf("%d rows, %.1f MB of CSV; heap %.1f MB before, peak %.1f MB (+%.1f MB)", rows, float64(size)/1e6,
		float64(base)/(1<<20), float64(peak)/(1<<20), float64(grew)/(1<<20))
	if limit := int64(8 << 20); grew > limit {
		t.Fatalf("the heap grew by %.1f MB exporting %d rows (%.1f MB of CSV): more than %d MB, the rows are being held",
			float64(grew)/(1<<20), rows, float64(size)/1e6, limit>>20)
	}
}

// BenchmarkExportAnswers loads 1 and 10 million answer rows by COPY into a fresh database and
// exports them as CSV (the sort is PostgreSQL's), reporting rows/s and the peak Go heap during
// the export: flat memory means the peak does not grow from 1 M to 10 M rows.
//
//	go test -run '^$' -bench ExportAnswers -benchtime=1x -timeout 60m ./internal/postgres/
func BenchmarkExportAnswers(b *testing.B) {
	for _, n := range []int{1_000_000, 10_000_000} {
		b.Run(fmt.Sprintf("rows=%dM", n/1_000_000), func(b *testing.B) {
			start := time.Now()
			store := loadAnswers(b, n)
			b.Logf("loaded %d rows by COPY in %s", n, time.Since(start).Round(time.Second))
			b.ResetTimer()
			var (
				rows       int
				size       int64
				base, peak uint64
			)
			for range b.N {
				rows, size, base, peak = exportMeasured(b, store)
			}
			b.StopTimer()
			if rows != n {
				b.Fatalf("exported %d rows, want %d", rows, n)
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(base)/(1<<20), "base-heap-MB")
			b.ReportMetric(float64(size)/1e6, "csv-MB")
		})
	}
}
