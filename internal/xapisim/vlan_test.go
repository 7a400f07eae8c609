package xapisim

import (
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

func TestVLANCreate(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth1 := c.pif("xs-host-1", "eth1")
		c.call("network.set_MTU", c.networkOf(eth1), int64(9000))
		c.call("PIF.plug", eth1)
		net := c.newNetwork("vm", 9000)
		vlan := c.str("VLAN.create", eth1, int64(100), net)
		v := c.record("VLAN", vlan)
		equal(t, "VLAN", []any{v["tagged_PIF"], v["tag"]}, []any{eth1, int64(100)})
		untagged := c.record("PIF", v["untagged_PIF"].(string))
		equal(t, "untagged PIF", []any{untagged["device"], untagged["network"], untagged["VLAN"], untagged["MAC"],
			untagged["MTU"], untagged["currently_attached"], untagged["physical"], untagged["VLAN_master_of"]},
			[]any{"eth1", net, int64(100), "fe:ff:ff:ff:ff:ff", int64(9000), true, false, vlan})
		equal(t, "shares the tagged PIF's metrics", untagged["metrics"], c.field("PIF", eth1, "metrics"))
		equal(t, "VLAN_slave_of", strs(c.field("PIF", eth1, "VLAN_slave_of")), []string{vlan})
		// Tags 0 and 4094 are the bounds.
		c.call("VLAN.create", eth1, int64(0), c.newNetwork("zero", 1500))
		c.call("VLAN.create", eth1, int64(4094), c.newNetwork("top", 1500))
	})
}

func TestVLANCreateRefusalsInXapisOrder(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth1, eth2, eth3 := c.pif("xs-host-1", "eth1"), c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")
		net := c.newNetwork("vm", 1500)
		c.fails([]string{"HANDLE_INVALID", "PIF", "OpaqueRef:x"}, "VLAN.create", "OpaqueRef:x", int64(5), net)
		c.fails([]string{"HANDLE_INVALID", "network", "OpaqueRef:x"}, "VLAN.create", eth1, int64(5), "OpaqueRef:x")
		c.fails([]string{"NETWORK_ALREADY_CONNECTED", c.host("xs-host-1"), eth2}, "VLAN.create", eth1, int64(5), c.networkOf(eth2))
		c.fails([]string{"VLAN_TAG_INVALID", "4095"}, "VLAN.create", eth1, int64(4095), net)
		c.fails([]string{"VLAN_TAG_INVALID", "-1"}, "VLAN.create", eth1, int64(-1), net)

		vlan := c.str("VLAN.create", eth1, int64(5), net)
		c.fails([]string{"PIF_VLAN_EXISTS", "eth1"}, "VLAN.create", eth1, int64(5), c.newNetwork("again", 1500))
		untagged := c.str("VLAN.get_untagged_PIF", vlan)
		c.fails([]string{"PIF_IS_VLAN", untagged}, "VLAN.create", untagged, int64(6), c.newNetwork("nested", 1500))

		c.bondOf(1500, "balance-slb", map[string]any{}, eth2, eth3)
		c.fails([]string{"CANNOT_ADD_VLAN_TO_BOND_SLAVE", eth2}, "VLAN.create", eth2, int64(7), c.newNetwork("slave", 1500))

		edit(s, func(d *db) { get[xenapi.PIF](d, xenapi.Ref(eth1)).Managed = false })
		c.fails([]string{"PIF_UNMANAGED", eth1}, "VLAN.create", eth1, int64(8), c.newNetwork("unmanaged", 1500))
	})
}

func TestVLANDestroy(t *testing.T) {
	// The connections the management moves here reset are TestManagementMovesResetConnections'.
	eachProtocol(t, Config{KeepConnections: true, Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth1 := c.pif("xs-host-1", "eth1")
		net := c.newNetwork("vm", 1500)
		vlan := c.str("VLAN.create", eth1, int64(5), net)
		untagged := c.str("VLAN.get_untagged_PIF", vlan)
		c.call("VLAN.destroy", vlan)
		c.fails([]string{"HANDLE_INVALID", "VLAN", vlan}, "VLAN.get_record", vlan)
		c.fails([]string{"HANDLE_INVALID", "PIF", untagged}, "PIF.get_record", untagged)
		c.fails([]string{"HANDLE_INVALID", "VLAN", vlan}, "VLAN.destroy", vlan)
		equal(t, "network stays", c.field("network", net, "PIFs"), any([]any{}))

		// Management on a VLAN cannot be destroyed.
		mgmtNet := c.newNetwork("mgmt", 1500)
		mgmtVLAN := c.str("VLAN.create", eth1, int64(9), mgmtNet)
		mgmtPIF := c.str("VLAN.get_untagged_PIF", mgmtVLAN)
		c.call("PIF.reconfigure_ip", mgmtPIF, "Static", "10.9.0.2", "255.255.255.0", "", "")
		c.call("host.management_reconfigure", mgmtPIF)
		c.fails([]string{"PIF_IS_MANAGEMENT_INTERFACE", mgmtPIF}, "VLAN.destroy", mgmtVLAN)
	})
}
