package slack

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/slackfake"
)

func TestUserCacheAsksSlackOncePerUser(t *testing.T) {
	t.Parallel()
	api := slackfake.New(t)
	api.SetHook(func(w http.ResponseWriter, method string, n int) bool {
		if method == "users.info" && n == 1 {
			_, _ = io.WriteString(w, `{"ok":true,"user":{"id":"U1","real_name":"Mario Rossi","locale":"en-US","profile":{"display_name":"mario"}}}`)
			return true
		}
		if method == "users.info" {
			_, _ = io.WriteString(w, `{"ok":false,"error":"user_not_found"}`)
			return true
		}
		return false
	})
	c, _ := newTestClient(t, api, nil)
	cache := newUserCache(c, func() time.Time { return fixedNow })
	if _, ok := cache.cached("U1"); ok {
		t.Fatal("empty cache hit")
	}
	for range 3 {
		if info := cache.get(context.Background(), "U1"); info.locale != "en-US" || info.name != "mario" {
			t.Fatalf("info %+v", info)
		}
	}
	if n := len(api.CallsTo("users.info")); n != 1 {
		t.Fatalf("users.info called %d times, want 1", n)
	}
	// A failed lookup gives no hints, and is remembered too (for a shorter while).
	if info := cache.get(context.Background(), "U404"); info != (userInfo{}) {
		t.Fatalf("failed lookup gave %+v", info)
	}
	cache.get(context.Background(), "U404")
	if n := len(api.CallsTo("users.info")); n != 2 {
		t.Fatalf("users.info called %d times, want 2", n)
	}
}
