package xapisim

import (
	"slices"
	"strings"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
)

// TestGenericGettersOfEveryClass calls, for every class the simulator
// stores, get_all, get_all_records, get_record, get_by_uuid and every
// get_<field> on one object, and the refusals of a reference or UUID to
// nothing.
func TestGenericGettersOfEveryClass(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		bond, _ := c.bondOf(1500, "balance-slb", map[string]any{}, c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3"))
		c.call("VLAN.create", c.str("Bond.get_master", bond), int64(5), c.newNetwork("vm", 1500))
		c.str("Async.PIF.plug", c.pif("xs-host-1", "eth1"))
		model := datamodel.Load()
		for _, class := range []string{"pool", "host", "host_metrics", "network", "PIF", "PIF_metrics", "Bond", "VLAN", "task"} {
			cl, _ := model.Class(class)
			refs := strs(c.call(class + ".get_all"))
			if len(refs) == 0 {
				t.Fatalf("%s.get_all is empty", class)
			}
			records := c.records(class)
			all := make([]string, 0, len(records))
			for ref := range records {
				all = append(all, ref)
			}
			slices.Sort(all)
			slices.Sort(refs)
			equal(t, class+" get_all and get_all_records", refs, all)

			ref := refs[0]
			rec := c.record(class, ref)
			equal(t, class+" get_record", rec, records[ref])
			equal(t, class+" get_by_uuid", c.str(class+".get_by_uuid", rec["uuid"]), ref)
			for _, msg := range cl.Messages {
				field, ok := strings.CutPrefix(msg.Name, "get_")
				if _, isField := cl.Field(field); !ok || !isField {
					continue
				}
				equal(t, class+"."+msg.Name, c.call(class+"."+msg.Name, ref), rec[field])
			}
			c.fails([]string{"HANDLE_INVALID", class, "OpaqueRef:NULL"}, class+".get_record", "OpaqueRef:NULL")
			c.fails([]string{"HANDLE_INVALID", class, "OpaqueRef:NULL"}, class+".get_uuid", "OpaqueRef:NULL")
			c.fails([]string{"UUID_INVALID", class, "0"}, class+".get_by_uuid", "0")
		}
		equal(t, "host by name", strs(c.call("host.get_by_name_label", "xs-host-1")), []string{c.host("xs-host-1")})
		equal(t, "host by unknown name", strs(c.call("host.get_by_name_label", "nobody")), []string{})
	})
}

// TestAsyncFormsFailLikeTheirMessages runs every message served in an
// Async form with references to nothing: the task fails exactly as the
// call itself does.
func TestAsyncFormsFailLikeTheirMessages(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		asyncs := 0
		for name, m := range methods() {
			if !m.async {
				continue
			}
			asyncs++
			params := make([]any, len(m.params))
			for i, p := range m.params {
				switch p.Kind {
				case datamodel.Int:
					params[i] = int64(1)
				case datamodel.Set:
					params[i] = []any{"OpaqueRef:nothing"}
				case datamodel.Map, datamodel.Record:
					params[i] = map[string]any{}
				case datamodel.Enum:
					params[i] = datamodel.Load().Enums[p.Name][0]
				default:
					params[i] = "OpaqueRef:nothing"
				}
			}
			sync := c.raw(name, c.withSession(params)...)
			task := c.str("Async."+name, params...)
			rec := c.waitTask(task)
			if sync.Failure == nil {
				equal(t, name+" task status", rec["status"], any("success"))
				continue
			}
			equal(t, name+" task error", strs(rec["error_info"]), sync.Failure)
		}
		if asyncs < 15 {
			t.Fatalf("only %d messages have an Async form", asyncs)
		}
	})
}
