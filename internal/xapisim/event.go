package xapisim

import (
	"cmp"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var eventHandlers = []handler{
	{name: "event.from", fn: (*call).eventFrom, unlocked: true},
	{name: "event.next", fn: (*call).eventNext, unlocked: true},
	{name: "event.register", fn: (*call).eventRegister},
	{name: "event.unregister", fn: (*call).eventUnregister},
	{name: "event.get_current_id", fn: (*call).eventGetCurrentID},
	{name: "event.inject", fn: (*call).eventInject, write: true},
}

// registration is a session's interest for the legacy event.next: its
// classes and the number of the first event it has not read.
type registration struct {
	subs []subscription
	last int64
}

func parseSubscriptions(classes []string) []subscription {
	var subs []subscription
	for _, cl := range classes {
		class, ref, _ := strings.Cut(cl, "/")
		subs = append(subs, subscription{class: strings.ToLower(class), ref: ref})
	}
	return subs
}

// registrationOf is the session's registration, made if need be from the
// current event number, as xapi_event.ml's get_subscription does.
func (c *call) registrationOf() *registration {
	r := c.s.registrations[c.session]
	if r == nil {
		r = &registration{last: c.db.nextID}
		c.s.registrations[c.session] = r
	}
	return r
}

// trackID is how xapi names a session in errors and logs without giving it
// away (context.ml): "trackid=" and the MD5 of the reference, in hex.
func trackID(session xenapi.Ref) string {
	sum := md5.Sum([]byte(session)) //nolint:gosec // xapi's choice, not a secret.
	return "trackid=" + hex.EncodeToString(sum[:])
}

// eventRegister is event.register(classes): event.next reports their
// events from now on.
func (c *call) eventRegister() (any, error) {
	r := c.registrationOf()
	r.subs = append(parseSubscriptions(c.strings(0)), r.subs...)
	return nil, nil
}

// eventUnregister is event.unregister(classes).
func (c *call) eventUnregister() (any, error) {
	r := c.registrationOf()
	drop := parseSubscriptions(c.strings(0))
	r.subs = slices.DeleteFunc(r.subs, func(s subscription) bool { return slices.Contains(drop, s) })
	return nil, nil
}

// eventGetCurrentID is event.get_current_id: the number the next event
// will have.
func (c *call) eventGetCurrentID() (any, error) { return c.db.nextID, nil }

// eventInject is event.inject(class, ref) (xapi_event.ml): the object
// counts as changed, and the token returned is the one just before, so
// that event.from with it returns the change at once. Clients probe it to
// choose between event.from and event.next. class is the database's name,
// "PIF", not "pif".
func (c *call) eventInject() (any, error) {
	class, ref := c.str(0), xenapi.Ref(c.str(1))
	if class == "session" || !slices.Contains(storedClasses, class) {
		return nil, failure(xenapi.ErrHandleInvalid, class, string(ref))
	}
	if _, ok := c.db.lookup(class, ref); !ok {
		return nil, failure(xenapi.ErrHandleInvalid, class, string(ref))
	}
	c.db.forced[ref] = true
	return formatToken(c.db.gen), nil
}

// eventNext is the legacy event.next: it waits until events of the
// session's registered classes have happened since it last read, and
// returns them. A session that never registered is SESSION_NOT_REGISTERED;
// one that fell more than the queue's length behind gets EVENTS_LOST and
// has to read everything again.
func (c *call) eventNext() (any, error) {
	for {
		c.s.mu.Lock()
		d := c.host.db
		if get[sessionRecord](d, c.session) == nil {
			c.s.mu.Unlock()
			return nil, failure(xenapi.ErrSessionInvalid, string(c.session))
		}
		r := c.s.registrations[c.session]
		if r == nil {
			c.s.mu.Unlock()
			return nil, failure("SESSION_NOT_REGISTERED", trackID(c.session))
		}
		from, to := r.last, d.nextID
		r.last = to
		if d.forgotten >= from {
			c.s.mu.Unlock()
			return nil, failure("EVENTS_LOST")
		}
		var events []any
		first := sort.Search(len(d.queue), func(i int) bool { return d.queue[i].id >= from })
		for _, q := range d.queue[first:] {
			lower := strings.ToLower(q.class)
			if !slices.ContainsFunc(r.subs, func(s subscription) bool { return s.matches(lower, string(q.ref)) }) {
				continue
			}
			ev := map[string]any{
				"id": strconv.FormatInt(q.id, 10), "timestamp": q.timestamp,
				"class": lower, "operation": q.op, "ref": string(q.ref),
			}
			if q.op != "del" {
				if snap, ok := d.record(q.class, q.ref); ok {
					ev["snapshot"] = snap
				}
			}
			events = append(events, ev)
		}
		changed := d.changed
		c.s.mu.Unlock()
		if len(events) > 0 {
			return events, nil
		}
		select {
		case <-changed:
		case <-c.ctx.Done():
			return nil, c.ctx.Err()
		case <-c.s.closed:
			return nil, failure("INTERNAL_ERROR", "the simulated pool is stopping")
		}
	}
}

// subscription is one entry of event.from's classes: "*", a class ("pif"),
// or one object ("pif/OpaqueRef:...").
type subscription struct {
	class, ref string
}

func (s subscription) matches(class, ref string) bool {
	return s.class == "*" || s.class == class && (s.ref == "" || s.ref == ref)
}

// formatToken writes xapi's token: zero-padded, so that tokens compare as
// strings.
func formatToken(gen int64) string { return fmt.Sprintf("%020d,%020d", gen, 0) }

// parseToken reads a token; "" means from the beginning.
func parseToken(token string) (int64, error) {
	if token == "" {
		return 0, nil
	}
	parts := strings.Split(token, ",")
	if len(parts) == 2 {
		gen, err1 := strconv.ParseInt(parts[0], 10, 64)
		_, err2 := strconv.ParseInt(parts[1], 10, 64)
		if err1 == nil && err2 == nil {
			return gen, nil
		}
	}
	return 0, failure("EVENT_FROM_TOKEN_PARSE_FAILURE", token)
}

// eventFrom is event.from(classes, token, timeout): the objects of the
// subscribed classes created, changed or deleted since token, each with
// its record as it is now. With nothing to report it waits up to timeout
// seconds for a change, then returns an empty batch and a new token. Token
// "" reports every object as added.
func (c *call) eventFrom() (any, error) {
	classes, token, timeout := c.strings(0), c.str(1), c.float(2)
	since, err := parseToken(token)
	if err != nil {
		return nil, err
	}
	subs := parseSubscriptions(classes)
	deadline := time.Now().Add(time.Duration(timeout * float64(time.Second)))
	for {
		c.s.mu.Lock()
		d := c.host.db
		if get[sessionRecord](d, c.session) == nil {
			// A session that logs out ends its waiting calls at once.
			c.s.mu.Unlock()
			return nil, failure(xenapi.ErrSessionInvalid, string(c.session))
		}
		events := d.eventsSince(since, subs)
		gen, changed := d.gen, d.changed
		counts := map[string]any{}
		for _, class := range storedClasses {
			counts[strings.ToLower(class)] = int64(len(d.tables[class].rows))
		}
		c.s.mu.Unlock()
		wait := time.Until(deadline)
		if len(events) > 0 || wait <= 0 {
			return map[string]any{"events": events, "valid_ref_counts": counts, "token": formatToken(gen)}, nil
		}
		since = gen
		c.s.mu.Lock()
		c.s.waiting++
		c.s.mu.Unlock()
		timer := time.NewTimer(wait)
		select {
		case <-changed:
		case <-timer.C:
		case <-c.ctx.Done():
		case <-c.s.closed:
		}
		timer.Stop()
		c.s.mu.Lock()
		c.s.waiting--
		c.s.mu.Unlock()
		select {
		case <-c.ctx.Done():
			return nil, c.ctx.Err()
		case <-c.s.closed:
			return nil, failure("INTERNAL_ERROR", "the simulated pool is stopping")
		default:
		}
	}
}

// eventsSince is the batch event.from returns: objects added, then changed,
// then deleted after generation since. A recent token reads the change
// list, so that the batch costs what changed rather than the pool's size.
func (d *db) eventsSince(since int64, subs []subscription) []any {
	matches := func(class, ref string) bool {
		for _, s := range subs {
			if s.matches(class, ref) {
				return true
			}
		}
		return false
	}
	type found struct {
		class string
		ref   xenapi.Ref
		seq   int64
	}
	var changed []found
	start := sort.Search(len(d.changes), func(i int) bool { return d.changes[i].gen > since })
	objects := 0
	for _, t := range d.tables {
		objects += len(t.rows)
	}
	if since >= d.changesFrom && len(d.changes)-start <= objects {
		for _, ch := range d.changes[start:] {
			// An object is listed at each change; its last tells.
			if m := d.meta[ch.ref]; m != nil && m.modified == ch.gen {
				if e := d.tables[m.class].rows[ch.ref]; e != nil {
					changed = append(changed, found{m.class, ch.ref, e.seq})
				}
			}
		}
		slices.SortFunc(changed, func(a, b found) int {
			if c := classIndex[a.class] - classIndex[b.class]; c != 0 {
				return c
			}
			return int(a.seq - b.seq)
		})
	} else {
		for _, class := range storedClasses {
			t := d.tables[class]
			for _, s := range t.order {
				if m := d.meta[s.ref]; t.live(s) && m != nil && m.modified > since {
					changed = append(changed, found{class, s.ref, s.seq})
				}
			}
		}
	}
	var adds, mods, dels []any
	for _, f := range changed {
		lower := strings.ToLower(f.class)
		if !matches(lower, string(f.ref)) {
			continue
		}
		m := d.meta[f.ref]
		snap, _ := d.record(f.class, f.ref)
		ev := map[string]any{
			"id": strconv.FormatInt(m.modified, 10), "timestamp": "0.0",
			"class": lower, "ref": string(f.ref), "snapshot": snap,
		}
		if m.created > since {
			ev["operation"] = "add"
			adds = append(adds, ev)
		} else {
			ev["operation"] = "mod"
			mods = append(mods, ev)
		}
	}
	var gone []deletion
	for _, class := range storedClasses {
		kept := d.deleted[class]
		first := sort.Search(len(kept), func(i int) bool { return kept[i].gen > since })
		gone = append(gone, kept[first:]...)
	}
	slices.SortStableFunc(gone, func(a, b deletion) int { return cmp.Compare(a.gen, b.gen) })
	for _, del := range gone {
		lower := strings.ToLower(del.class)
		if del.created > since || !matches(lower, string(del.ref)) {
			continue
		}
		dels = append(dels, map[string]any{
			"id": strconv.FormatInt(del.gen, 10), "timestamp": "0.0",
			"class": lower, "operation": "del", "ref": string(del.ref),
		})
	}
	out := make([]any, 0, len(adds)+len(mods)+len(dels))
	out = append(out, adds...)
	out = append(out, mods...)
	return append(out, dels...)
}
