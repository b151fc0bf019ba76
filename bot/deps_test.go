package bot_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCoreImportsNoInfrastructure guards the dependency direction of the architecture: the core
// (and what it imports) never depends on Slack, PostgreSQL or Redis client packages.
func TestCoreImportsNoInfrastructure(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "github.com/comune-prato/cantieri/bot").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/slack-go/", "github.com/jackc/", "github.com/redis/", "github.com/riverqueue/"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("bot depends on %s", dep)
			}
		}
	}
}
