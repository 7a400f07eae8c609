package xapisim

import (
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// TestSessionsAreCollected follows db_gc_util.ml: a session idle longer
// than the timeout is destroyed, and past the limit of sessions per
// originator the least recently used go. Every call keeps last_active
// current.
func TestSessionsAreCollected(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1, MaxSessionsPerOriginator: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		before := c.call("session.get_last_active", c.session).(time.Time)
		// Age the session by a day, as if unused since.
		edit(s, func(d *db) { get[sessionRecord](d, refOf(c.session)).LastActive = before.Add(-25 * time.Hour) })
		c.fails([]string{"SESSION_INVALID", c.session}, "pool.get_all")

		c.login(s)
		first := c.session
		equal(t, "last_active kept current", !c.call("session.get_last_active", first).(time.Time).Before(before), true)
		second := newClient(t, s.URL(), c.proto).login(s)
		third := newClient(t, s.URL(), c.proto).login(s)
		// The third of one originator pushes out the least recently used.
		c.fails([]string{"SESSION_INVALID", first}, "pool.get_all")
		second.call("pool.get_all")
		third.call("pool.get_all")
		other := newClient(t, s.URL(), c.proto)
		if r := other.raw("session.login_with_password", s.Username(), s.Password(), "1.0", "another"); r.Failure != nil {
			t.Fatal(r.Failure)
		}
		second.call("pool.get_all")
	})
}

func refOf(s string) xenapi.Ref { return xenapi.Ref(s) }
