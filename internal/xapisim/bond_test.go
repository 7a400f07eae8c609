package xapisim

import (
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// bondOf makes a bond on a new network of the given MTU.
func (c *rawClient) bondOf(mtu int64, mode string, props map[string]any, members ...string) (bond, network string) {
	c.t.Helper()
	network = c.newNetwork("bond", mtu)
	ms := make([]any, len(members))
	for i, m := range members {
		ms[i] = m
	}
	return c.str("Bond.create", network, ms, "", mode, props), network
}

func TestBondCreateMovesManagementAndIPOntoTheMaster(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		eth0, eth1 := c.pif("xs-host-2", "eth0"), c.pif("xs-host-2", "eth1")
		bond, network := c.bondOf(9000, "balance-slb", map[string]any{}, eth1, eth0)
		b := c.record("Bond", bond)
		equal(t, "slaves", strs(b["slaves"]), []string{eth0, eth1})
		equal(t, "primary slave is the management PIF", b["primary_slave"], any(eth0))
		equal(t, "mode", b["mode"], any("balance-slb"))
		equal(t, "properties", b["properties"], any(map[string]any{}))

		master := c.record("PIF", b["master"].(string))
		equal(t, "master", []any{master["device"], master["network"], master["management"], master["currently_attached"],
			master["MTU"], master["VLAN"], master["physical"], master["IP"], master["ip_configuration_mode"]},
			[]any{"bond0", network, true, true, int64(9000), int64(-1), false, "192.0.2.12", "Static"})
		equal(t, "master MAC is the primary slave's", master["MAC"], c.field("PIF", eth0, "MAC"))
		equal(t, "bond_master_of", strs(master["bond_master_of"]), []string{bond})

		m0 := c.record("PIF", eth0)
		equal(t, "former management PIF", []any{m0["management"], m0["IP"], m0["ip_configuration_mode"], m0["bond_slave_of"], m0["currently_attached"]},
			[]any{false, "", "None", bond, false})
		// The members' networks take the bond network's MTU.
		equal(t, "eth0 network MTU", c.field("network", c.networkOf(eth0), "MTU"), any(int64(9000)))
		equal(t, "eth1 network MTU", c.field("network", c.networkOf(eth1), "MTU"), any(int64(9000)))

		// A second bond on the same host is bond1.
		bond2, _ := c.bondOf(1500, "active-backup", map[string]any{}, c.pif("xs-host-2", "eth2"), c.pif("xs-host-2", "eth3"))
		equal(t, "second device", c.field("PIF", c.str("Bond.get_master", bond2), "device"), any("bond1"))
		// The other host's bonds count from bond0 again.
		bond3, _ := c.bondOf(1500, "balance-slb", map[string]any{}, c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3"))
		equal(t, "other host's device", c.field("PIF", c.str("Bond.get_master", bond3), "device"), any("bond0"))
	})
}

func TestBondCreateWithMACAndLACPProperties(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth2, eth3 := c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")
		net := c.newNetwork("lacp", 1500)
		bond := c.str("Bond.create", net, []any{eth2, eth3, eth2}, "02:00:00:00:00:01", "lacp",
			map[string]any{"hashing_algorithm": "src_mac"})
		b := c.record("Bond", bond)
		equal(t, "duplicated member folded", len(strs(b["slaves"])), 2)
		equal(t, "properties with defaults", b["properties"], any(map[string]any{
			"hashing_algorithm": "src_mac", "lacp-time": "slow", "lacp-fallback-ab": "true",
		}))
		equal(t, "MAC", c.field("PIF", c.str("Bond.get_master", bond), "MAC"), any("02:00:00:00:00:01"))

		c.call("Bond.set_mode", bond, "balance-slb")
		equal(t, "balance-slb keeps no properties", c.field("Bond", bond, "properties"), any(map[string]any{}))
		c.call("Bond.set_mode", bond, "lacp")
		equal(t, "lacp defaults", c.field("Bond", bond, "properties"), any(map[string]any{
			"hashing_algorithm": "tcpudp_ports", "lacp-time": "slow", "lacp-fallback-ab": "true",
		}))
		c.fails([]string{"HANDLE_INVALID", "Bond", "OpaqueRef:x"}, "Bond.set_mode", "OpaqueRef:x", "lacp")

		// Bond.set_property replaces one property, checked against the mode.
		c.call("Bond.set_property", bond, "hashing_algorithm", "src_mac")
		equal(t, "property set", c.field("Bond", bond, "properties"), any(map[string]any{
			"hashing_algorithm": "src_mac", "lacp-time": "slow", "lacp-fallback-ab": "true",
		}))
		c.fails([]string{"INVALID_VALUE", "properties", "hashing_algorithm = round_robin"},
			"Bond.set_property", bond, "hashing_algorithm", "round_robin")
		c.call("Bond.set_mode", bond, "balance-slb")
		c.fails([]string{"INVALID_VALUE", "properties", "hashing_algorithm = src_mac"},
			"Bond.set_property", bond, "hashing_algorithm", "src_mac")
		c.fails([]string{"HANDLE_INVALID", "Bond", "OpaqueRef:x"}, "Bond.set_property", "OpaqueRef:x", "lacp-time", "fast")
	})
}

func TestBondCreateRefusalsInXapisOrder(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		eth0, eth1, eth2, eth3 := c.pif("xs-host-1", "eth0"), c.pif("xs-host-1", "eth1"), c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")
		other := c.pif("xs-host-2", "eth3")
		net := c.newNetwork("bond", 1500)
		create := func(want []string, network string, members []any, mac, mode string, props map[string]any) {
			t.Helper()
			c.fails(want, "Bond.create", network, members, mac, mode, props)
		}
		none := map[string]any{}
		create([]string{"PIF_BOND_NEEDS_MORE_MEMBERS"}, "OpaqueRef:nonet", []any{}, "", "balance-slb", none)
		create([]string{"HANDLE_INVALID", "PIF", "OpaqueRef:nopif"}, net, []any{"OpaqueRef:nopif", eth1}, "", "balance-slb", none)
		create([]string{"HANDLE_INVALID", "network", "OpaqueRef:nonet"}, "OpaqueRef:nonet", []any{eth1, eth2}, "", "balance-slb", none)
		create([]string{"NETWORK_ALREADY_CONNECTED", c.host("xs-host-1"), eth1}, c.networkOf(eth1), []any{eth2, eth3}, "", "balance-slb", none)
		create([]string{"MAC_INVALID", "02:00:00:00:00"}, net, []any{eth2, eth3}, "02:00:00:00:00", "balance-slb", none)
		create([]string{"INVALID_VALUE", "properties", "hashing_algorithm = src_mac"}, net, []any{eth2, eth3}, "", "balance-slb",
			map[string]any{"hashing_algorithm": "src_mac"})
		create([]string{"INVALID_VALUE", "properties", "lacp-time = sometimes"}, net, []any{eth2, eth3}, "", "lacp",
			map[string]any{"lacp-time": "sometimes"})
		create([]string{"HANDLE_INVALID", "PIF", "OpaqueRef:nopif"}, net, []any{eth2, "OpaqueRef:nopif"}, "", "balance-slb", none)
		create([]string{"PIF_CANNOT_BOND_CROSS_HOST"}, net, []any{eth2, other}, "", "balance-slb", none)

		c.call("PIF.reconfigure_ip", eth1, "Static", "10.0.0.5", "255.255.255.0", "", "")
		create([]string{"PIF_BOND_MORE_THAN_ONE_IP"}, net, []any{eth0, eth1}, "", "balance-slb", none)
		c.call("PIF.reconfigure_ip", eth1, "None", "", "", "", "")

		c.call("Bond.create", net, []any{eth2, eth3}, "", "balance-slb", none)
		create([]string{"PIF_ALREADY_BONDED", eth2}, c.newNetwork("again", 1500), []any{eth1, eth2}, "", "balance-slb", none)

		vlanNet := c.newNetwork("vlan", 1500)
		c.call("VLAN.create", eth1, int64(10), vlanNet)
		create([]string{"PIF_VLAN_EXISTS", "eth1"}, c.newNetwork("onvlan", 1500), []any{c.pif("xs-host-1", "eth1", 10), eth0}, "", "balance-slb", none)

		edit(s, func(d *db) { get[xenapi.PIF](d, xenapi.Ref(eth1)).Managed = false })
		create([]string{"PIF_UNMANAGED", eth1}, c.newNetwork("unmanaged", 1500), []any{eth1, eth0}, "", "balance-slb", none)
	})
}

func TestBondDestroyMovesEverythingBack(t *testing.T) {
	// The connections the management moves here reset are TestManagementMovesResetConnections'.
	eachProtocol(t, Config{KeepConnections: true, Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth0, eth1 := c.pif("xs-host-1", "eth0"), c.pif("xs-host-1", "eth1")
		bond, network := c.bondOf(9000, "balance-slb", map[string]any{}, eth0, eth1)
		master := c.str("Bond.get_master", bond)
		vlanNet := c.newNetwork("vm", 9000)
		vlan := c.str("VLAN.create", master, int64(20), vlanNet)
		untagged := c.str("VLAN.get_untagged_PIF", vlan)

		c.call("Bond.destroy", bond)
		c.fails([]string{"HANDLE_INVALID", "Bond", bond}, "Bond.get_record", bond)
		c.fails([]string{"HANDLE_INVALID", "PIF", master}, "PIF.get_record", master)
		c.fails([]string{"HANDLE_INVALID", "Bond", bond}, "Bond.destroy", bond)
		c.fails([]string{"HANDLE_INVALID", "PIF", untagged}, "PIF.get_record", untagged)
		equal(t, "bond network stays, empty", c.field("network", network, "PIFs"), any([]any{}))

		m0 := c.record("PIF", eth0)
		equal(t, "management back on the primary member",
			[]any{m0["management"], m0["IP"], m0["ip_configuration_mode"], m0["bond_slave_of"], m0["currently_attached"], m0["MTU"]},
			[]any{true, "192.0.2.11", "Static", "OpaqueRef:NULL", true, int64(9000)})
		equal(t, "other member up", c.field("PIF", eth1, "currently_attached"), any(true))
		// The VLAN moved down to the primary member, on its own network.
		vlans := strs(c.field("PIF", eth0, "VLAN_slave_of"))
		if len(vlans) != 1 {
			t.Fatalf("eth0 carries %d VLANs, want the one moved down", len(vlans))
		}
		moved := c.record("VLAN", vlans[0])
		equal(t, "moved VLAN tag", moved["tag"], any(int64(20)))
		equal(t, "moved VLAN network", c.networkOf(moved["untagged_PIF"].(string)), vlanNet)
	})
}

func TestBondCreateMovesVLANsOntoTheMaster(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth2, eth3 := c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")
		vlanNet := c.newNetwork("vm", 1500)
		old := c.str("VLAN.create", eth2, int64(30), vlanNet)
		bond, _ := c.bondOf(1500, "balance-slb", map[string]any{}, eth2, eth3)
		master := c.str("Bond.get_master", bond)
		c.fails([]string{"HANDLE_INVALID", "VLAN", old}, "VLAN.get_record", old)
		vlans := strs(c.field("PIF", master, "VLAN_slave_of"))
		if len(vlans) != 1 {
			t.Fatalf("bond master carries %d VLANs, want 1", len(vlans))
		}
		untagged := c.record("PIF", c.str("VLAN.get_untagged_PIF", vlans[0]))
		equal(t, "untagged PIF", []any{untagged["device"], untagged["network"], untagged["VLAN"], untagged["currently_attached"]},
			[]any{"bond0", vlanNet, int64(30), true})
	})
}
