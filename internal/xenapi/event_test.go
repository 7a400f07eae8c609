package xenapi

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

func TestEventFrom(t *testing.T) {
	for _, proto := range protocols[:2] {
		t.Run(string(proto), func(t *testing.T) {
			f := newFake(t)
			var sent []any
			f.handle = func(c wire.Call) (wire.Result, bool) {
				if c.Method != "event.from" {
					return wire.Result{}, false
				}
				sent = c.Params[1:]
				return wire.Result{Value: map[string]any{
					"token":            "42,17",
					"valid_ref_counts": map[string]any{"pif": int64(6)},
					"events": []any{
						map[string]any{"id": "17", "timestamp": "1742357784.250", "class": "pif", "operation": "mod",
							"ref": "OpaqueRef:p", "snapshot": aPIF},
						map[string]any{"id": int64(18), "timestamp": "20250319T04:16:24Z", "class": "bond", "operation": "del",
							"ref": "OpaqueRef:b"},
					},
				}}, true
			}
			c := f.client(t, func(cfg *Config) { cfg.Protocol = proto })
			batch, err := c.EventFrom(context.Background(), []string{"PIF", "Bond"}, "", 1.5)
			if err != nil {
				t.Fatal(err)
			}
			if len(sent) != 3 || sent[1] != "" {
				t.Errorf("sent %#v", sent)
			}
			if batch.Token != "42,17" || batch.ValidRefCounts["pif"] != 6 || len(batch.Events) != 2 {
				t.Fatalf("batch %+v", batch)
			}
			ev := batch.Events[0]
			if ev.ID != 17 || ev.Operation != EventMod || ev.Ref != "OpaqueRef:p" || ev.Class != "pif" {
				t.Errorf("event %+v", ev)
			}
			if want := time.Unix(1742357784, 250e6).UTC(); !ev.Timestamp.Equal(want) {
				t.Errorf("timestamp %s, want %s", ev.Timestamp, want)
			}
			pif, err := UnmarshalSnapshot[PIF](ev)
			if err != nil || pif.MTU != 9000 || !pif.Management {
				t.Errorf("snapshot %+v, %v", pif, err)
			}
			if _, err := UnmarshalSnapshot[Bond](ev); err == nil {
				t.Error("a PIF event's snapshot was read as a Bond")
			}
			del := batch.Events[1]
			if del.ID != 18 || del.Operation != EventDel || del.Snapshot != nil || del.Timestamp.Year() != 2025 {
				t.Errorf("del event %+v", del)
			}
		})
	}
}

// eventsClient is a client over proto of a host whose event.from answers
// with events and the token "t".
func eventsClient(t *testing.T, proto Protocol, events []any) *Client {
	t.Helper()
	f := newFake(t)
	f.handle = func(c wire.Call) (wire.Result, bool) {
		if c.Method != "event.from" {
			return wire.Result{}, false
		}
		return wire.Result{Value: map[string]any{"token": "t", "events": events}}, true
	}
	return f.client(t, func(cfg *Config) { cfg.Protocol = proto })
}

// EventsFrom hands the events over one at a time, in order, and stops at
// the first its taker refuses, whichever protocol carries them.
func TestEventsFromStopsAtARefusedEvent(t *testing.T) {
	for _, proto := range protocols[:2] {
		t.Run(string(proto), func(t *testing.T) {
			var events []any
			for id := range int64(5) {
				events = append(events, map[string]any{"id": id, "class": "bond", "operation": "del", "ref": "OpaqueRef:b"})
			}
			c := eventsClient(t, proto, events)
			refused := errors.New("refused")
			var taken []int64
			_, err := c.EventsFrom(context.Background(), []string{"Bond"}, "", 0, nil, func(ev Event) error {
				taken = append(taken, ev.ID)
				if ev.ID == 2 {
					return refused
				}
				return nil
			})
			if !errors.Is(err, refused) || !slices.Equal(taken, []int64{0, 1, 2}) {
				t.Errorf("took %v and returned %v; want 0, 1, 2 and the refusal", taken, err)
			}
		})
	}
}

// The fields EventsFrom is told to leave out are not in the snapshots,
// over either protocol, and the rest are.
func TestEventsFromLeavesOutFields(t *testing.T) {
	for _, proto := range protocols[:2] {
		t.Run(string(proto), func(t *testing.T) {
			host := map[string]any{"uuid": "h", "name_label": "xs1", "PIFs": []any{"OpaqueRef:p1", "OpaqueRef:p2"}}
			network := map[string]any{"uuid": "n", "PIFs": []any{"OpaqueRef:p1"}}
			c := eventsClient(t, proto, []any{
				map[string]any{"id": int64(1), "class": "host", "operation": "mod", "ref": "OpaqueRef:h", "snapshot": host},
				map[string]any{"id": int64(2), "class": "network", "operation": "mod", "ref": "OpaqueRef:n", "snapshot": network},
			})
			var events []Event
			if _, err := c.EventsFrom(context.Background(), []string{"host", "network"}, "", 0, map[string][]string{"host": {"PIFs"}},
				func(ev Event) error {
					events = append(events, ev)
					return nil
				}); err != nil {
				t.Fatal(err)
			}
			if len(events) != 2 {
				t.Fatalf("events %+v", events)
			}
			h, err := UnmarshalSnapshot[Host](events[0])
			if err != nil || h.NameLabel != "xs1" || h.PIFs != nil {
				t.Errorf("host read as %+v, %v; want its name and no PIFs", h, err)
			}
			n, err := UnmarshalSnapshot[Network](events[1])
			if err != nil || len(n.PIFs) != 1 {
				t.Errorf("network read as %+v, %v; want its PIF", n, err)
			}
		})
	}
}

// TestEventFromOutlastsTheRequestTimeout: event.from blocks for up to its
// own timeout, which must not count against the per-request one.
func TestEventFromOutlastsTheRequestTimeout(t *testing.T) {
	f := newFake(t)
	c := f.client(t, func(cfg *Config) { cfg.Timeout = 200 * time.Millisecond })
	if err := c.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.setDelay(400 * time.Millisecond)
	if _, err := c.EventFrom(context.Background(), []string{"network"}, "1", 1); err != nil {
		t.Fatalf("event.from with a 1s timeout, answered after 400ms: %v", err)
	}
	if _, err := GetAllRecords[Network](context.Background(), c); err == nil {
		t.Error("an ordinary call answered after 400ms beat the 200ms request timeout")
	}
}
