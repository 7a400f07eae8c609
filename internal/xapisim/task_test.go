package xapisim

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

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

// heldWriter keeps a handler's answer off the wire until release: what a
// handler writes reaches the client once flushed, and Flush waits.
type heldWriter struct {
	*httptest.ResponseRecorder
	flushing, release chan struct{}
}

func (w *heldWriter) Flush() {
	close(w.flushing)
	<-w.release
	w.ResponseRecorder.Flush()
}

// xapi answers an Async call with its task before the work begins
// (server_helpers.ml forwards the task reference at once): a bond over the
// management NIC, whose bridge rebuild resets the host's connections, never
// cuts off the answer that names its task.
func TestAsyncWorkBeginsOnceTheTaskIsAnswered(t *testing.T) {
	// The test's own client keeps its connections: what is under test is
	// the order of the answer and the work.
	s := Run(t, Config{Hosts: 1, KeepConnections: true})
	c := newClient(t, s.URL(), "jsonrpc").login(s)
	eth0, eth1 := c.pif("xs-host-1", "eth0"), c.pif("xs-host-1", "eth1")
	net := c.newNetwork("management bond", 1500)
	body, err := wire.EncodeJSONCall(wire.Call{Method: "Async.Bond.create", ID: 1,
		Params: []any{c.session, net, []any{eth0, eth1}, "", "balance-slb", map[string]any{}}})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	endpoint := s.endpoint(s.mainMaster())
	s.mu.Unlock()
	w := &heldWriter{ResponseRecorder: httptest.NewRecorder(), flushing: make(chan struct{}), release: make(chan struct{})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		endpoint.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/jsonrpc", bytes.NewReader(body)))
	}()
	select {
	case <-w.flushing:
	case <-served:
		t.Fatal("the answer was still in net/http's buffer when the work could begin: a reset it causes would cut it off")
	}
	time.Sleep(50 * time.Millisecond)
	if got := c.call("PIF.get_bond_slave_of", eth0); got != "OpaqueRef:NULL" {
		t.Errorf("eth0 is in bond %v before the Async call was answered", got)
	}
	close(w.release)
	<-served
	r, err := wire.DecodeJSONResult(w.Body.Bytes())
	if err != nil || r.Failure != nil {
		t.Fatalf("Async.Bond.create answered %v, %v", r, err)
	}
	rec := c.waitTask(r.Value.(string))
	equal(t, "task status", rec["status"], any("success"))
}
