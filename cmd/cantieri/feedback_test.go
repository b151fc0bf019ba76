package main

import (
	"context"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

// The real wiring gives the console (and serve, built by the same newCore) the survey command.
func TestConsoleHasTheFeedbackCommand(t *testing.T) {
	t.Parallel()
	_, prefix := redistest.New(t)
	vars := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": redistest.URL(), "REDIS_PREFIX": prefix}
	e, out, errb := testEnv(vars, "valuta\nfeedback 7\n")
	if code := e.run(context.Background(), []string{"console", "--as", "mario"}); code != 0 {
		t.Fatalf("code %d, stderr %s", code, errb)
	}
	for _, want := range []string{"Non hai questionari in attesa di risposta.", "Non trovo un questionario n. 7 a cui tu sia invitato."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}
