package xapisim

import (
	"testing"
	"time"
)

// TestMTUIsWhatTheKernelTook follows network_utils.ml and nm.ml: xapi
// checks no range in network.set_MTU; at bring-up the kernel refuses an MTU
// the NIC does not support, or a VLAN's above its parent's, xapi logs it,
// and PIF.MTU stays what the device has.
func TestMTUIsWhatTheKernelTook(t *testing.T) {
	cfg := Config{Hosts: 1, NICMaxMTU: map[string]int64{"eth1": 1500}}
	eachProtocol(t, cfg, func(t *testing.T, s *Sim, c *rawClient) {
		eth1, eth2 := c.pif("xs-host-1", "eth1"), c.pif("xs-host-1", "eth2")
		// No range check on the network.
		c.call("network.set_MTU", c.networkOf(eth1), int64(65000))
		equal(t, "network MTU", c.field("network", c.networkOf(eth1), "MTU"), any(int64(65000)))
		c.call("network.set_MTU", c.networkOf(eth1), int64(9000))
		c.call("PIF.plug", eth1)
		equal(t, "capped NIC", []any{c.field("PIF", eth1, "MTU"), c.field("PIF", eth1, "currently_attached")}, []any{int64(1500), true})
		c.call("network.set_MTU", c.networkOf(eth2), int64(9000))
		c.call("PIF.plug", eth2)
		equal(t, "NIC that takes 9000", c.field("PIF", eth2, "MTU"), any(int64(9000)))

		// A VLAN cannot go above its parent.
		vlan := c.str("VLAN.get_untagged_PIF", c.str("VLAN.create", eth2, int64(5), c.newNetwork("big", 9216)))
		equal(t, "VLAN above its parent", c.field("PIF", vlan, "MTU"), any(int64(9000)))

		// A bond takes what its weakest member takes.
		bond, _ := c.bondOf(9000, "balance-slb", map[string]any{}, eth1, c.pif("xs-host-1", "eth3"))
		equal(t, "bond with a capped member", c.field("PIF", c.str("Bond.get_master", bond), "MTU"), any(int64(1500)))
	})
}

// TestBondMembersShowTheBondsMTUAfterARestart follows xapi_pif.ml's
// refresh_all, which reads every NIC's MTU from the kernel when xapi
// starts: a bond member has its bond's.
func TestBondMembersShowTheBondsMTUAfterARestart(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2, RebootTime: 20 * time.Millisecond, MemberSyncDelay: time.Hour}, func(t *testing.T, s *Sim, c *rawClient) {
		eth2, eth3 := c.pif("xs-host-2", "eth2"), c.pif("xs-host-2", "eth3")
		c.bondOf(9000, "balance-slb", map[string]any{}, eth2, eth3)
		equal(t, "member MTU before", c.field("PIF", eth2, "MTU"), any(int64(1500)))
		c.rebootHost("xs-host-2")
		equal(t, "member MTUs after", []any{c.field("PIF", eth2, "MTU"), c.field("PIF", eth3, "MTU")}, []any{int64(9000), int64(9000)})
	})
}

func TestParseNICMaxMTU(t *testing.T) {
	got, err := ParseNICMaxMTU("eth1=1500, eth3=9000")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "parsed", got, map[string]int64{"eth1": 1500, "eth3": 9000})
	for _, bad := range []string{"eth1", "=1500", "eth1=jumbo", "eth1=10"} {
		if _, err := ParseNICMaxMTU(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
