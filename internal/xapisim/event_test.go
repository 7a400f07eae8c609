package xapisim

import (
	"testing"
	"time"
)

// events returns the events of a batch by operation and class.
func eventsOf(batch map[string]any) []map[string]any {
	var out []map[string]any
	for _, e := range batch["events"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func TestEventFrom(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		// The empty token gives every object as added.
		batch := c.call("event.from", []any{"pif", "network"}, "", float64(0)).(map[string]any)
		events := eventsOf(batch)
		// 4 PIFs, their 4 networks and the host internal management network.
		equal(t, "events for 4 PIFs and 5 networks", len(events), 9)
		for _, e := range events {
			if e["operation"] != "add" || (e["class"] != "pif" && e["class"] != "network") || e["snapshot"] == nil {
				t.Fatalf("event %v", e)
			}
		}
		counts := batch["valid_ref_counts"].(map[string]any)
		equal(t, "valid_ref_counts of pif", toInt(counts["pif"]), int64(4))
		token := batch["token"].(string)
		equal(t, "token length", len(token), 41)

		// Nothing happened: an empty batch after the timeout.
		start := time.Now()
		empty := c.call("event.from", []any{"pif"}, token, float64(0.2)).(map[string]any)
		equal(t, "no events", len(eventsOf(empty)), 0)
		if time.Since(start) < 150*time.Millisecond {
			t.Errorf("event.from returned after %v; it should wait for the timeout", time.Since(start))
		}

		// A change wakes a waiting caller with a mod, an add and a del.
		pif := c.pif("xs-host-1", "eth1")
		done := make(chan map[string]any)
		go func() {
			w := newClient(t, s.URL(), c.proto)
			w.session = c.session
			r := w.raw("event.from", c.session, []any{"pif", "network"}, token, float64(10))
			done <- r.Value.(map[string]any)
		}()
		time.Sleep(50 * time.Millisecond)
		net := c.newNetwork("new", 1500)
		woke := eventsOf(<-done)
		equal(t, "woken by", len(woke), 1)
		equal(t, "event", []any{woke[0]["class"], woke[0]["operation"], woke[0]["ref"]}, []any{"network", "add", net})

		c.call("network.set_MTU", net, int64(9000))
		c.call("PIF.plug", pif)
		next := c.call("event.from", []any{"network", "pif/" + pif}, token, float64(1)).(map[string]any)
		ops := map[string]string{}
		for _, e := range eventsOf(next) {
			ops[e["class"].(string)+" "+e["ref"].(string)] = e["operation"].(string)
		}
		equal(t, "operations", ops, map[string]string{"network " + net: "add", "pif " + pif: "mod"})

		token = next["token"].(string)
		c.call("network.destroy", net)
		del := eventsOf(c.call("event.from", []any{"*"}, token, float64(1)).(map[string]any))
		if len(del) != 1 || del[0]["operation"] != "del" || del[0]["ref"] != net {
			t.Fatalf("after destroy: %v", del)
		}
	})
}

func TestEventFromBadToken(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		c.fails([]string{"EVENT_FROM_TOKEN_PARSE_FAILURE", "yesterday"}, "event.from", []any{"*"}, "yesterday", float64(1))
	})
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case string:
		var x int64
		for _, ch := range n {
			x = x*10 + int64(ch-'0')
		}
		return x
	}
	return -1
}
