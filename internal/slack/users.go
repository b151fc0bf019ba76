package slack

import (
	"context"
	"sync"
	"time"
)

// How long what users.info said about someone is trusted. People rarely change language or
// name; a failed lookup is retried sooner so that a Slack hiccup does not stick for an hour.
const (
	userTTL           = time.Hour
	userFailTTL       = 5 * time.Minute
	userLookupTimeout = 2 * time.Second
	maxCachedUsers    = 10_000
)

// userInfo is what the core gets as hints about a Slack user: the language of their Slack
// client and a display name for the employee row created on first contact.
type userInfo struct {
	locale string
	name   string
}

type userEntry struct {
	info    userInfo
	expires time.Time
}

// userCache remembers users.info answers in process. It is consulted only after the ack.
type userCache struct {
	client *Client
	now    func() time.Time
	mu     sync.Mutex
	m      map[string]userEntry
}

func newUserCache(c *Client, now func() time.Time) *userCache {
	return &userCache{client: c, now: now, m: map[string]userEntry{}}
}

// cached returns what is known about id without calling Slack.
func (c *userCache) cached(id string) (userInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || c.now().After(e.expires) {
		return userInfo{}, false
	}
	return e.info, true
}

// get returns what is known about id, asking users.info (briefly) on a miss. A failed lookup
// yields empty hints: the core then falls back to the employee's own or the default language.
func (c *userCache) get(ctx context.Context, id string) userInfo {
	if id == "" {
		return userInfo{}
	}
	if info, ok := c.cached(id); ok {
		return info
	}
	ctx, cancel := context.WithTimeout(ctx, userLookupTimeout)
	defer cancel()
	u, err := c.client.userInfo(ctx, id)
	var (
		info userInfo
		ttl  = userFailTTL
	)
	if err == nil && u != nil {
		info = userInfo{locale: u.Locale, name: u.Profile.DisplayName}
		if info.name == "" {
			info.name = u.RealName
		}
		ttl = userTTL
	} else {
		c.client.log.Debug("users.info failed; no locale hint", "user", id, "err", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedUsers {
		// A crude bound: a municipality has a few thousand people, so this rarely happens.
		clear(c.m)
	}
	c.m[id] = userEntry{info: info, expires: c.now().Add(ttl)}
	return info
}
