package xapisim

import (
	"reflect"
	"testing"
	"time"
)

func TestParseFaults(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want []Fault
	}{
		{"", nil},
		{"Bond.create#2=INTERNAL_ERROR", []Fault{{Method: "Bond.create", From: 2, To: 2, Error: []string{"INTERNAL_ERROR"}}}},
		{"Bond.*#3-=PIF_ALREADY_BONDED:OpaqueRef:x", []Fault{{Method: "Bond.*", From: 3, Error: []string{"PIF_ALREADY_BONDED", "OpaqueRef", "x"}}}},
		{" *=+20ms ; sessions=100 ", []Fault{{Method: "*", Delay: 20 * time.Millisecond}, {SessionCalls: 100}}},
		{"VLAN.create#2-4=+1s", []Fault{{Method: "VLAN.create", From: 2, To: 4, Delay: time.Second}}},
	} {
		got, err := ParseFaults(tc.spec)
		if err != nil {
			t.Errorf("ParseFaults(%q): %v", tc.spec, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseFaults(%q) = %+v, want %+v", tc.spec, got, tc.want)
		}
	}
	for _, bad := range []string{
		"Bond.create", "Bond.create=", "bond=INTERNAL_ERROR", "Bond.create#0=INTERNAL_ERROR",
		"Bond.create#3-2=INTERNAL_ERROR", "Bond.create=+fast", "Bond.create=+-1s", "Bond.create=not_a_code",
		"sessions=0", "sessions=many",
	} {
		if _, err := ParseFaults(bad); err == nil {
			t.Errorf("ParseFaults(%q) accepted a malformed rule", bad)
		}
	}
}

func TestFaultStringRoundTrips(t *testing.T) {
	spec := "Bond.create#2=INTERNAL_ERROR:injected;Bond.*#3-=+20ms;VLAN.create#2-4=PIF_VLAN_EXISTS:eth1;*=+1ms;sessions=7"
	faults, err := ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faults {
		again, err := ParseFaults(f.String())
		if err != nil || len(again) != 1 || !reflect.DeepEqual(again[0], f) {
			t.Errorf("%+v writes as %q, which reads back as %+v (%v)", f, f.String(), again, err)
		}
	}
}

func TestNthCallFails(t *testing.T) {
	faults, _ := ParseFaults("Bond.create#2=INTERNAL_ERROR:injected")
	eachProtocol(t, Config{Hosts: 2, Faults: faults}, func(t *testing.T, s *Sim, c *rawClient) {
		c.bondOf(1500, "balance-slb", map[string]any{}, c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3"))
		net := c.newNetwork("second", 1500)
		c.fails([]string{"INTERNAL_ERROR", "injected"}, "Bond.create", net,
			[]any{c.pif("xs-host-2", "eth2"), c.pif("xs-host-2", "eth3")}, "", "balance-slb", map[string]any{})
		equal(t, "nothing made by the failed call", c.field("network", net, "PIFs"), any([]any{}))
		// The third succeeds.
		c.call("Bond.create", net, []any{c.pif("xs-host-2", "eth2"), c.pif("xs-host-2", "eth3")}, "", "balance-slb", map[string]any{})
	})
}

func TestInjectedFailureOfAnAsyncCallIsTheTasks(t *testing.T) {
	faults, _ := ParseFaults("VLAN.create=INTERNAL_ERROR:injected")
	eachProtocol(t, Config{Hosts: 1, Faults: faults}, func(t *testing.T, s *Sim, c *rawClient) {
		task := c.str("Async.VLAN.create", c.pif("xs-host-1", "eth1"), int64(5), c.newNetwork("vm", 1500))
		equal(t, "error_info", c.waitTask(task)["error_info"], any([]any{"INTERNAL_ERROR", "injected"}))
	})
}

func TestDelays(t *testing.T) {
	faults, _ := ParseFaults("PIF.*=+100ms")
	eachProtocol(t, Config{Hosts: 1, Faults: faults, Latency: 20 * time.Millisecond}, func(t *testing.T, s *Sim, c *rawClient) {
		start := time.Now()
		c.call("network.get_all")
		fast := time.Since(start)
		start = time.Now()
		c.call("PIF.get_all")
		slow := time.Since(start)
		if fast < 20*time.Millisecond || slow < 120*time.Millisecond || slow > 2*time.Second {
			t.Errorf("network.get_all took %v (latency 20ms), PIF.get_all %v (latency + 100ms)", fast, slow)
		}
	})
}

func TestSessionsExpireAfterNCalls(t *testing.T) {
	faults, _ := ParseFaults("sessions=3")
	eachProtocol(t, Config{Hosts: 1, Faults: faults}, func(t *testing.T, s *Sim, c *rawClient) {
		for range 3 {
			c.call("pool.get_all")
		}
		c.fails([]string{"SESSION_INVALID", c.session}, "pool.get_all")
		c.login(s)
		c.call("pool.get_all")
	})
}
