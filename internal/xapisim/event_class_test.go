package xapisim

import (
	"crypto/md5"
	"encoding/hex"
	"testing"
)

// TestEventInject follows xapi_event.ml's inject: the object counts as
// changed, and the token returned is the one just before, so event.from
// with it returns the change at once. A reference to nothing of the class
// (named as the database names it) is HANDLE_INVALID.
func TestEventInject(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		pif := c.pif("xs-host-1", "eth0")
		token := c.str("event.inject", "PIF", pif)
		batch := c.call("event.from", []any{"pif"}, token, float64(0)).(map[string]any)
		events := eventsOf(batch)
		if len(events) != 1 || events[0]["ref"] != pif || events[0]["operation"] != "mod" {
			t.Fatalf("event.from after inject: %v", events)
		}
		c.fails([]string{"HANDLE_INVALID", "pif", pif}, "event.inject", "pif", pif)
		c.fails([]string{"HANDLE_INVALID", "network", pif}, "event.inject", "network", pif)
	})
}

// TestEventNext follows xapi_event.ml's legacy interface: event.next
// without event.register is SESSION_NOT_REGISTERED (naming the session by
// its track id), then returns the events of the registered classes since
// the registration, and after event.unregister no more of them.
func TestEventNext(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		sum := md5.Sum([]byte(c.session))
		c.fails([]string{"SESSION_NOT_REGISTERED", "trackid=" + hex.EncodeToString(sum[:])}, "event.next")
		before := c.call("event.get_current_id").(int64)
		c.call("event.register", []any{"network"})
		net := c.newNetwork("seen", 1500)
		c.call("network.set_MTU", net, int64(9000))
		events := c.next()
		var ops []any
		for _, e := range events {
			ev := e.(map[string]any)
			equal(t, "class and ref", []any{ev["class"], ev["ref"]}, []any{"network", net})
			ops = append(ops, ev["operation"])
		}
		equal(t, "operations", ops, []any{"add", "mod"})
		if after := c.call("event.get_current_id").(int64); after <= before {
			t.Errorf("event.get_current_id went from %d to %d", before, after)
		}
		c.call("event.unregister", []any{"network"})
		c.call("event.register", []any{"pif"})
		c.call("network.destroy", net)
		c.call("PIF.plug", c.pif("xs-host-1", "eth1"))
		for _, e := range c.next() {
			if cl := e.(map[string]any)["class"]; cl != "pif" {
				t.Errorf("event of class %v after unregistering networks", cl)
			}
		}
	})
}

// TestEventNextLosesEvents follows xapi_event.ml's events_read: a session
// that falls behind the kept queue gets EVENTS_LOST, and reads on from
// there.
func TestEventNextLosesEvents(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		c.call("event.register", []any{"*"})
		// Enough events to push the session's first ones out of the queue.
		edit(s, func(d *db) {
			for range maxQueue {
				d.enqueue("network", "mod", "OpaqueRef:x")
			}
		})
		c.fails([]string{"EVENTS_LOST"}, "event.next")
		c.call("network.set_MTU", c.networkOf(c.pif("xs-host-1", "eth1")), int64(9000))
		if len(c.next()) == 0 {
			t.Fatal("no events after EVENTS_LOST")
		}
	})
}

// TestSessionsAreNotInEventsAndLogoutEndsEventFrom follows the data model
// (session has gen_events false) and xapi_event.ml's on_session_deleted:
// a session's waiting event.from answers SESSION_INVALID at once when it
// logs out.
func TestSessionsAreNotInEventsAndLogoutEndsEventFrom(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		for _, e := range eventsOf(c.call("event.from", []any{"*"}, "", float64(0)).(map[string]any)) {
			if e["class"] == "session" {
				t.Fatalf("a session event: %v", e)
			}
		}
		token := c.call("event.from", []any{"*"}, "", float64(0)).(map[string]any)["token"].(string)
		other := newClient(t, s.URL(), c.proto).login(s)
		done := make(chan []string, 1)
		go func() {
			r, err := other.try("event.from", other.session, []any{"*"}, token, float64(60))
			if err != nil {
				done <- []string{err.Error()}
				return
			}
			done <- r.Failure
		}()
		eventually(t, "event.from waiting", func() bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.waiting == 1
		})
		other.raw("session.logout", other.session)
		equal(t, "waiting event.from", <-done, []string{"SESSION_INVALID", other.session})
	})
}

// next is event.next. Its events carry the timestamp as xapi's
// Event_types writes it, a string, where the data model says datetime.
func (c *rawClient) next() []any {
	c.t.Helper()
	r := c.raw("event.next", c.session)
	if r.Failure != nil {
		c.t.Fatalf("event.next: %v", r.Failure)
	}
	return r.Value.([]any)
}

// TestEventFromMissesOldDeletions follows db_cache_types.ml: a table keeps
// its last deletions only, so event.from with a token from before many
// deletions silently misses the oldest; valid_ref_counts still tells.
func TestEventFromMissesOldDeletions(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		var nets []string
		for range 600 {
			nets = append(nets, c.newNetwork("short-lived", 1500))
		}
		batch := c.call("event.from", []any{"network"}, "", float64(0)).(map[string]any)
		before := toInt(batch["valid_ref_counts"].(map[string]any)["network"])
		token := batch["token"].(string)
		for _, n := range nets {
			c.call("network.destroy", n)
		}
		batch = c.call("event.from", []any{"network"}, token, float64(0)).(map[string]any)
		dels := len(eventsOf(batch))
		if dels >= 600 || dels < deletionsLow {
			t.Errorf("%d deletions reported of 600; want the last %d to %d", dels, deletionsLow, deletionsHigh)
		}
		equal(t, "valid_ref_counts of network", toInt(batch["valid_ref_counts"].(map[string]any)["network"]), before-600)
	})
}
