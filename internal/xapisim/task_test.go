package xapisim

import (
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// waitTask polls a task until it ends and returns its record.
func (c *rawClient) waitTask(task string) map[string]any {
	c.t.Helper()
	var rec map[string]any
	eventually(c.t, "task "+task, func() bool {
		rec = c.record("task", task)
		return rec["status"] != "pending" && rec["status"] != "cancelling"
	})
	return rec
}

func TestAsyncBondCreateGivesATask(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth2, eth3 := c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")
		net := c.newNetwork("bond", 1500)
		task := c.str("Async.Bond.create", net, []any{eth2, eth3}, "", "balance-slb", map[string]any{})
		rec := c.waitTask(task)
		equal(t, "task", []any{rec["status"], rec["progress"], rec["name_label"], rec["error_info"]},
			[]any{"success", float64(1), "Async.Bond.create", []any{}})
		// The result travels as an XML-RPC value, over JSON-RPC too.
		v, err := wire.DecodeXMLValue(c.str("task.get_result", task))
		if err != nil {
			t.Fatalf("task result %q: %v", rec["result"], err)
		}
		equal(t, "bond from the task", c.str("PIF.get_bond_slave_of", eth2), v.(string))
		c.call("task.destroy", task)
		c.fails([]string{"HANDLE_INVALID", "task", task}, "task.get_record", task)
	})
}

func TestAsyncFailureIsInErrorInfo(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth2 := c.pif("xs-host-1", "eth2")
		task := c.str("Async.VLAN.create", eth2, int64(5000), c.newNetwork("vm", 1500))
		rec := c.waitTask(task)
		equal(t, "task", []any{rec["status"], rec["error_info"], rec["result"]},
			[]any{"failure", []any{"VLAN_TAG_INVALID", "5000"}, ""})
		// Async of a void message has an empty result.
		task = c.str("Async.PIF.plug", c.pif("xs-host-1", "eth1"))
		rec = c.waitTask(task)
		equal(t, "void task", []any{rec["status"], rec["result"]}, []any{"success", ""})
		// The usual checks still come first, as plain failures.
		c.fails([]string{"MESSAGE_PARAMETER_COUNT_MISMATCH", "VLAN.create", "3", "1"}, "Async.VLAN.create", eth2)
		c.fails([]string{"MESSAGE_METHOD_UNKNOWN", "VLAN.create_please"}, "Async.VLAN.create_please")
	})
}

// TestTaskCancelDoesNotStopNetworking follows xapi_task.ml and
// taskHelper.ml: task.cancel only marks the task, and the Bond, VLAN and
// PIF code never checks the mark, so the VLAN is made and the task ends in
// success.
func TestTaskCancelDoesNotStopNetworking(t *testing.T) {
	// The VLAN.create and PIF.plug run slowly, and the other calls fast.
	slow, err := ParseFaults("VLAN.create=+500ms;PIF.plug=+100ms")
	if err != nil {
		t.Fatal(err)
	}
	eachProtocol(t, Config{Hosts: 1, Faults: slow}, func(t *testing.T, s *Sim, c *rawClient) {
		net := c.newNetwork("vm", 1500)
		task := c.str("Async.VLAN.create", c.pif("xs-host-1", "eth1"), int64(5), net)
		rec := c.record("task", task)
		equal(t, "while running", []any{rec["status"], rec["allowed_operations"]}, []any{"pending", []any{"cancel"}})
		c.call("task.cancel", task)
		rec = c.record("task", task)
		equal(t, "status once cancelled", rec["status"], any("pending"))
		ops := rec["current_operations"].(map[string]any)
		if len(ops) != 1 {
			t.Fatalf("current_operations = %v, want the cancel", ops)
		}
		for _, op := range ops {
			equal(t, "operation", op, any("cancel"))
		}
		rec = c.waitTask(task)
		equal(t, "finished", []any{rec["status"], rec["error_info"], rec["allowed_operations"]}, []any{"success", []any{}, []any{}})
		if pifs := c.field("network", net, "PIFs").([]any); len(pifs) != 1 {
			t.Fatalf("the VLAN was not made: network.PIFs = %v", pifs)
		}
		// A finished task is left as it is.
		c.call("task.cancel", task)
		equal(t, "still done", c.field("task", task, "status"), any("success"))

		doomed := c.str("Async.PIF.plug", c.pif("xs-host-1", "eth2"))
		c.call("task.destroy", doomed)
		eventually(t, "destroyed task gone once done", func() bool {
			return c.raw("task.get_record", c.session, doomed).Failure != nil
		})
		c.fails([]string{"HANDLE_INVALID", "task", "OpaqueRef:x"}, "task.cancel", "OpaqueRef:x")
	})
}
