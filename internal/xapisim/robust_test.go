package xapisim

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// TestNoMessagePanics calls every served message with, in each parameter
// in turn, a reference to an object of every class (the others well
// formed): whatever the refusal, a message must not panic, which the
// simulator would report as an INTERNAL_ERROR of its own.
func TestNoMessagePanics(t *testing.T) {
	s := Run(t, Config{Hosts: 2, NICs: 4, Standalone: 1, RebootTime: time.Hour})
	c := newClient(t, s.URL(), "xmlrpc").login(s)
	bond, _ := c.bondOf(9000, "lacp", map[string]any{}, c.pif("xs-host-2", "eth2"), c.pif("xs-host-2", "eth3"))
	c.call("VLAN.create", c.str("Bond.get_master", bond), int64(5), c.newNetwork("vm", 1500))
	c.str("Async.PIF.plug", c.pif("xs-host-1", "eth1"))

	s.mu.Lock()
	h := s.mainMaster()
	var samples []string // one object of every class, and a reference to nothing
	for _, class := range storedClasses {
		if refs := h.db.tables[class].refs(); len(refs) > 0 {
			samples = append(samples, string(refs[len(refs)-1]))
		}
	}
	s.mu.Unlock()
	samples = append(samples, "OpaqueRef:NULL")

	names := make([]string, 0, len(methods()))
	for name, m := range methods() {
		if m.session && !m.unlocked && name != "session.logout" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	// Destroying messages last, so that the others see the objects.
	slices.SortStableFunc(names, func(a, b string) int {
		return boolInt(destructive(a)) - boolInt(destructive(b))
	})
	for _, name := range names {
		m := methods()[name]
		for i := range m.params {
			for _, sample := range samples {
				params := []any{c.session}
				for j, p := range m.params {
					if j == i {
						params = append(params, sample)
					} else {
						params = append(params, wellFormed(p, samples))
					}
				}
				r := s.dispatch(t.Context(), h, wire.Call{Method: name, Params: params})
				if len(r.Failure) > 1 && strings.HasPrefix(r.Failure[1], "xapisim:") {
					t.Errorf("%s%v: %v", name, params[1:], r.Failure)
				}
			}
		}
	}
}

func destructive(name string) bool {
	return strings.Contains(name, "destroy") || strings.Contains(name, "eject") || strings.Contains(name, "reboot") ||
		strings.Contains(name, "join") || strings.Contains(name, "disable")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// wellFormed is a value of type t: the first sample for a reference.
func wellFormed(t datamodel.Type, samples []string) any {
	switch t.Kind {
	case datamodel.Int:
		return int64(1)
	case datamodel.Float:
		return float64(0)
	case datamodel.Bool:
		return true
	case datamodel.Set:
		return []any{wellFormed(*t.Elem, samples)}
	case datamodel.Map:
		return map[string]any{}
	case datamodel.Record:
		return map[string]any{"other_config": map[string]any{}}
	case datamodel.Enum:
		return datamodel.Load().Enums[t.Name][0]
	case datamodel.Ref:
		return samples[0]
	}
	return "x"
}
