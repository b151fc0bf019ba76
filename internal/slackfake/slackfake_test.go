package slackfake_test

import (
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/internal/slackfake"
)

// TestOnlyTestsImportTheFake guards that the fake stays test support: no package of the
// module's production code (the binary's dependencies) imports it, and it needs no slack-go.
func TestOnlyTestsImportTheFake(t *testing.T) {
	t.Parallel()
	const self = "github.com/comune-prato/cantieri/internal/slackfake"
	out, err := exec.Command("go", "list", "github.com/comune-prato/cantieri/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	args := []string{"list", "-deps"}
	for _, p := range strings.Fields(string(out)) {
		if p != self {
			args = append(args, p)
		}
	}
	if out, err = exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == self {
			t.Errorf("production code depends on %s", dep)
		}
	}
	out, err = exec.Command("go", "list", "-deps", "github.com/comune-prato/cantieri/internal/slackfake").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "github.com/slack-go/") {
		t.Error("the fake depends on slack-go")
	}
}

func call(t *testing.T, f *slackfake.Server, method, contentType, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(f.APIURL()+method, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const form = "application/x-www-form-urlencoded"

// The fake reads form and JSON parameters, rate-limits the calls it was told to, records every
// call and keeps accepted posts with their blocks' strings.
func TestRecordsLimitsAndPosts(t *testing.T) {
	t.Parallel()
	f := slackfake.New(t)
	f.RateLimit("chat.postMessage", 2)
	blocks := `[{"type":"section","text":{"type":"mrkdwn","text":"ciao"}}]`
	for i := 0; i < 3; i++ {
		code, _ := call(t, f, "chat.postMessage", form, url.Values{"channel": {"C1"}, "text": {"t"}, "blocks": {blocks}}.Encode())
		if want := map[bool]int{true: http.StatusTooManyRequests, false: http.StatusOK}[i == 1]; code != want {
			t.Errorf("post %d: status %d, want %d", i+1, code, want)
		}
	}
	posts := f.Posts("C1")
	if len(posts) != 2 || posts[0].TS != "1700000000.000001" || posts[1].TS != "1700000000.000003" {
		t.Fatalf("posts %+v, want calls 1 and 3", posts)
	}
	if posts[0].Text != "t\nciao\nmrkdwn\nsection" {
		t.Errorf("post text %q", posts[0].Text)
	}
	if got := f.Limited(); !reflect.DeepEqual(got, map[string]int{"chat.postMessage": 1}) {
		t.Errorf("limited %v", got)
	}
	if got := f.Counts()["chat.postMessage"]; got != 3 {
		t.Errorf("%d calls counted, want 3", got)
	}

	if _, body := call(t, f, "views.publish", "application/json; charset=utf-8", `{"user_id":"U1","view":{"type":"home"}}`); !strings.Contains(body, `"ok":true`) {
		t.Errorf("views.publish: %s", body)
	}
	c := f.CallsTo("views.publish")[0]
	if c.Params.Get("user_id") != "U1" || c.Params.Get("view") != `{"type":"home"}` || c.JSON(t)["user_id"] != "U1" {
		t.Errorf("JSON call read as %v", c.Params)
	}
	if _, body := call(t, f, "no.such", form, ""); !strings.Contains(body, "unknown_method") {
		t.Errorf("an unknown method answered %s", body)
	}
}

// Group conversations get one stable id per set of users; a single user's is their DM.
func TestConversationsOpen(t *testing.T) {
	t.Parallel()
	f := slackfake.New(t)
	for _, users := range []string{"U2,U1", "U3", "U1,U2", "U4,U3"} {
		call(t, f, "conversations.open", form, url.Values{"users": {users}}.Encode())
	}
	if got := f.Conversations(); !reflect.DeepEqual(got, map[string]string{"U1,U2": "G1", "U3,U4": "G2"}) {
		t.Errorf("conversations %v", got)
	}
	if _, body := call(t, f, "conversations.open", form, "users=U3"); !strings.Contains(body, `"id":"DU3"`) {
		t.Errorf("DM: %s", body)
	}
}

// Posts to a response_url are recorded under their id, and Response waits for them.
func TestResponseURL(t *testing.T) {
	t.Parallel()
	f := slackfake.New(t)
	go func() {
		resp, err := http.Post(f.ResponseURL("7"), "application/json", strings.NewReader(`{"text":"fatto"}`))
		if err == nil {
			resp.Body.Close()
		}
	}()
	if got := f.Response(t, "7", slackfake.DefaultTimeout); got != `{"text":"fatto"}` {
		t.Errorf("response %q", got)
	}
}
