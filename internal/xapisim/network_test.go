package xapisim

import (
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

func TestNetworkCreateTakesTheDataModelsDefaults(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		net := c.str("network.create", map[string]any{"other_config": map[string]any{"k": "v"}})
		rec := c.record("network", net)
		equal(t, "name_label", rec["name_label"], any(""))
		equal(t, "MTU", rec["MTU"], any(int64(1500)))
		equal(t, "managed", rec["managed"], any(true))
		equal(t, "bridge", rec["bridge"], any("xapi0"))
		equal(t, "other_config", rec["other_config"], any(map[string]any{"k": "v"}))
		equal(t, "PIFs", rec["PIFs"], any([]any{}))

		second := c.str("network.create", map[string]any{"name_label": "jumbo", "MTU": int64(9000), "other_config": map[string]any{}})
		equal(t, "second bridge", c.field("network", second, "bridge"), any("xapi1"))
		equal(t, "MTU", c.field("network", second, "MTU"), any(int64(9000)))
		equal(t, "by name", strs(c.call("network.get_by_name_label", "jumbo")), []string{second})
		equal(t, "by uuid", c.str("network.get_by_uuid", c.str("network.get_uuid", second)), second)

		// An MTU of zero or below is xapi's 1500; no upper bound is checked.
		zero := c.str("network.create", map[string]any{"MTU": int64(0), "other_config": map[string]any{}})
		equal(t, "MTU 0 becomes", c.field("network", zero, "MTU"), any(int64(1500)))
		huge := c.str("network.create", map[string]any{"MTU": int64(65000), "other_config": map[string]any{}})
		equal(t, "MTU 65000 stays", c.field("network", huge, "MTU"), any(int64(65000)))
	})
}

func TestNetworkCreateRefusals(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		c.fails([]string{"INTERNAL_ERROR", `Server_helpers.Dispatcher_FieldNotFound("other_config")`},
			"network.create", map[string]any{"name_label": "n"})
		c.fails([]string{"INVALID_VALUE", "bridge", "xenbr9"},
			"network.create", map[string]any{"bridge": "xenbr9", "other_config": map[string]any{}})
		c.fails([]string{"INVALID_VALUE", "bridge", "a-bridge-name-too-long"},
			"network.create", map[string]any{"bridge": "a-bridge-name-too-long", "other_config": map[string]any{}})
		c.call("network.create", map[string]any{"bridge": "br-vm", "other_config": map[string]any{}})
		c.fails([]string{"BRIDGE_NAME_EXISTS", "br-vm"},
			"network.create", map[string]any{"bridge": "br-vm", "other_config": map[string]any{}})
	})
}

func TestNetworkDestroy(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		net := c.newNetwork("spare", 1500)
		c.call("network.destroy", net)
		c.fails([]string{"HANDLE_INVALID", "network", net}, "network.get_record", net)
		c.fails([]string{"HANDLE_INVALID", "network", net}, "network.destroy", net)

		eth1 := c.networkOf(c.pif("xs-host-1", "eth1"))
		c.fails([]string{"NETWORK_CONTAINS_PIF", c.pif("xs-host-1", "eth1"), c.pif("xs-host-2", "eth1")},
			"network.destroy", eth1)
	})
}

func TestNetworkSettersAndTheMTUReachingPIFsOnPlug(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		pif := c.pif("xs-host-2", "eth1")
		net := c.networkOf(pif)
		c.call("network.set_name_label", net, "storage")
		c.call("network.set_name_description", net, "iSCSI")
		c.call("network.set_MTU", net, int64(9000))
		rec := c.record("network", net)
		equal(t, "network", []any{rec["name_label"], rec["name_description"], rec["MTU"]}, []any{"storage", "iSCSI", int64(9000)})

		// xapi checks nothing, and the PIF keeps its MTU until it is plugged.
		equal(t, "PIF MTU before plug", c.field("PIF", pif, "MTU"), any(int64(1500)))
		c.call("PIF.plug", pif)
		equal(t, "PIF MTU after plug", c.field("PIF", pif, "MTU"), any(int64(9000)))
		equal(t, "other host's PIF MTU, not plugged again", c.field("PIF", c.pif("xs-host-1", "eth1"), "MTU"), any(int64(1500)))

		c.call("network.add_to_other_config", net, "owner", "xsnet")
		c.fails([]string{"MAP_DUPLICATE_KEY", "network", "other_config", c.str("network.get_uuid", net), "owner"},
			"network.add_to_other_config", net, "owner", "again")
		equal(t, "other_config", c.field("network", net, "other_config"), any(map[string]any{"owner": "xsnet"}))
		c.call("network.remove_from_other_config", net, "owner")
		c.call("network.add_tags", net, "a")
		c.call("network.add_tags", net, "a")
		equal(t, "tags", c.field("network", net, "tags"), any([]any{"a"}))
		c.call("network.remove_tags", net, "a")
		equal(t, "tags", c.field("network", net, "tags"), any([]any{}))
	})
}

func TestNetworkUnmanagedIsRefusedBonds(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		net := c.newNetwork("unmanaged", 1500)
		edit(s, func(d *db) { get[xenapi.Network](d, xenapi.Ref(net)).Managed = false })
		c.fails([]string{"NETWORK_UNMANAGED", net}, "Bond.create", net,
			[]any{c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")}, "", "balance-slb", map[string]any{})
		c.fails([]string{"NETWORK_UNMANAGED", net}, "VLAN.create", c.pif("xs-host-1", "eth2"), int64(5), net)
	})
}
