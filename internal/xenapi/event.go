package xenapi

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// EventOperation is the data model's enum event_operation.
type EventOperation string

// Event operations.
const (
	EventAdd EventOperation = "add"
	EventMod EventOperation = "mod"
	EventDel EventOperation = "del"
)

// Event is one entry of an event batch.
type Event struct {
	ID        int64
	Timestamp time.Time
	// Class is the object's class as events name it: in lower case.
	Class     string
	Operation EventOperation
	Ref       Ref
	// Snapshot is the object's record after the change, coerced to the
	// class's field types; empty for del. See UnmarshalSnapshot.
	Snapshot map[string]any
}

// EventBatch is the result of event.from.
type EventBatch struct {
	Events []Event
	// ValidRefCounts counts the live objects of each class asked for.
	ValidRefCounts map[string]int64
	// Token is passed to the next event.from to get what happened since.
	Token string
}

// EventFrom calls event.from: it waits up to timeout seconds for a change
// to an object of the classes ("*" for all) since token, and returns the
// changes and the token to pass next. The token "" returns every object as
// an add event. The request's own timeout is lengthened by timeout.
func (c *Client) EventFrom(ctx context.Context, classes []string, token string, timeout float64) (EventBatch, error) {
	var events []Event
	b, err := c.EventsFrom(ctx, classes, token, timeout, nil, func(ev Event) error {
		events = append(events, ev)
		return nil
	})
	b.Events = events
	return b, err
}

// EventsFrom calls event.from as EventFrom does, but hands each event to
// fn as it is read and returns the batch without them. The first
// event.from of a pool of sixteen hosts and a thousand VLANs is sixteen
// thousand PIF records: taken one at a time, no more than one is held
// besides the reply's bytes. An error from fn ends the call with it; the
// events fn took before an error are no batch, and must be dropped.
//
// omit names, by class as events name it ("host", "pif"), fields to leave
// out of the snapshots, unread: a host's PIFs and a NIC's VLAN_slave_of
// list a reference for each of thousands of VLANs in a large pool, and
// come again in every event of a change to any of them.
func (c *Client) EventsFrom(ctx context.Context, classes []string, token string, timeout float64, omit map[string][]string,
	fn func(Event) error) (EventBatch, error) {
	if timeout < 0 || math.IsNaN(timeout) || math.IsInf(timeout, 0) {
		return EventBatch{}, fmt.Errorf("xenapi: event.from: timeout must be a number of seconds, got %v", timeout)
	}
	cls := make([]any, len(classes))
	for i, s := range classes {
		cls[i] = s
	}
	extra := time.Duration(timeout * float64(time.Second))
	left := map[string]map[string]bool{}
	for class, fields := range omit {
		left[strings.ToLower(class)] = map[string]bool{}
		for _, f := range fields {
			left[strings.ToLower(class)][f] = true
		}
	}
	leftOut := func(event map[string]any) map[string]bool {
		class, _ := event["class"].(string)
		return left[strings.ToLower(class)]
	}
	each := &resultEach{field: "events", fn: func(v any) error {
		em, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("xenapi: event.from: event is %T, not a struct", v)
		}
		// Over XML-RPC the reply was read whole: the fields go here.
		if snap, ok := em["snapshot"].(map[string]any); ok {
			for f := range leftOut(em) {
				delete(snap, f)
			}
		}
		ev, err := parseEvent(em)
		if err != nil {
			return err
		}
		return fn(ev)
	}}
	if len(left) > 0 {
		// Reading an event a member at a time to skip some costs more
		// than reading it whole: only when there is something to skip.
		each.omit = &wire.Omit{Member: "snapshot", Fields: leftOut}
	}
	v, err := c.call(ctx, "event.from", []any{cls, token, timeout}, callOpts{extra: extra, each: each})
	if err != nil {
		return EventBatch{}, err
	}
	return parseEventBatch(v)
}

func parseEventBatch(v any) (EventBatch, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return EventBatch{}, fmt.Errorf("xenapi: event.from returned %T, not an event batch", v)
	}
	var b EventBatch
	b.Token, _ = m["token"].(string)
	if counts, ok := m["valid_ref_counts"].(map[string]any); ok {
		b.ValidRefCounts = make(map[string]int64, len(counts))
		for k, n := range counts {
			if i, err := wire.Coerce(n, datamodel.Type{Kind: datamodel.Int}); err == nil {
				if count, ok := i.(int64); ok {
					b.ValidRefCounts[k] = count
				}
			}
		}
	}
	return b, nil
}

func parseEvent(m map[string]any) (Event, error) {
	var ev Event
	if id, err := wire.Coerce(m["id"], datamodel.Type{Kind: datamodel.Int}); err == nil {
		n, ok := id.(int64)
		if !ok {
			return Event{}, fmt.Errorf("xenapi: event.from: event id decoded as %T, not an int", id)
		}
		ev.ID = n
	}
	ev.Timestamp = eventTime(m["timestamp"])
	ev.Class, _ = m["class"].(string)
	op, _ := m["operation"].(string)
	ev.Operation = EventOperation(op)
	ref, _ := m["ref"].(string)
	ev.Ref = Ref(ref)
	snap, _ := m["snapshot"].(map[string]any)
	if snap == nil {
		return ev, nil
	}
	class, ok := modelClass(ev.Class)
	if !ok {
		ev.Snapshot = snap
		return ev, nil
	}
	coerced, err := wire.Coerce(snap, datamodel.Type{Kind: datamodel.Record, Name: class})
	if err != nil {
		return Event{}, fmt.Errorf("xenapi: event.from: %s snapshot: %w", ev.Class, err)
	}
	ev.Snapshot, ok = coerced.(map[string]any)
	if !ok {
		return Event{}, fmt.Errorf("xenapi: event.from: %s snapshot decoded as %T, not a record", ev.Class, coerced)
	}
	return ev, nil
}

// modelClass finds the data model's class for an event's lower-case class
// name ("pif" for PIF).
func modelClass(name string) (string, bool) {
	for _, c := range datamodel.Load().Classes {
		if strings.EqualFold(c.Name, name) {
			return c.Name, true
		}
	}
	return "", false
}

// eventTime reads an event's timestamp, which xapi writes as seconds since
// the epoch (a float, often in a string) or as a datetime.
func eventTime(v any) time.Time {
	var secs float64
	switch v := v.(type) {
	case time.Time:
		return v
	case float64:
		secs = v
	case int64:
		secs = float64(v)
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			t, _ := wire.ParseDateTime(v)
			return t
		}
		secs = f
	default:
		return time.Time{}
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC()
}

// UnmarshalSnapshot reads an event's snapshot as a typed record. The event
// must be of T's class.
func UnmarshalSnapshot[T Record](ev Event) (T, error) {
	var rec T
	if !strings.EqualFold(ev.Class, rec.Class()) {
		return rec, fmt.Errorf("xenapi: event of class %s holds no %s record", ev.Class, rec.Class())
	}
	err := UnmarshalRecord(ev.Snapshot, &rec)
	return rec, err
}
