package xapisim

import (
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// TestDisallowUnplug follows xapi_pif.ml (set_disallow_unplug, unplug's
// PIF_DOES_NOT_ALLOW_UNPLUG) and xapi_bond.ml, which moves the flag from
// the members to the bond master and back to the primary member.
func TestDisallowUnplug(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth2, eth3 := c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")
		c.call("PIF.plug", eth2)
		c.call("PIF.set_disallow_unplug", eth2, true)
		c.fails([]string{"PIF_DOES_NOT_ALLOW_UNPLUG", eth2}, "PIF.unplug", eth2)
		bond, _ := c.bondOf(1500, "balance-slb", map[string]any{}, eth2, eth3)
		master := c.str("Bond.get_master", bond)
		equal(t, "flag on master, members", []any{c.field("PIF", master, "disallow_unplug"), c.field("PIF", eth2, "disallow_unplug")},
			[]any{true, false})
		c.call("Bond.destroy", bond)
		equal(t, "flag back on the primary member", c.field("PIF", eth2, "disallow_unplug"), any(true))
		c.call("PIF.set_disallow_unplug", eth2, false)
		c.call("PIF.unplug", eth2)
	})
}

// TestSmallMessages covers host.get_management_interface (xapi_host.ml),
// task.create (xapi_task.ml), PIF.scan (nothing new to find on a simulated
// host), pool.recover_slaves (no member follows another master) and
// Bond.create's three required parameters (gen_server.ml: mode and
// properties have defaults).
func TestSmallMessages(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		host := c.host("xs-host-1")
		equal(t, "management interface", c.str("host.get_management_interface", host), c.pif("xs-host-1", "eth0"))
		task := c.str("task.create", "backup", "nightly")
		rec := c.record("task", task)
		equal(t, "task", []any{rec["name_label"], rec["name_description"], rec["status"]}, []any{"backup", "nightly", "pending"})
		pifs := len(c.records("PIF"))
		c.call("PIF.scan", host)
		equal(t, "PIFs after scan", len(c.records("PIF")), pifs)
		equal(t, "recovered", c.call("pool.recover_slaves"), any([]any{}))
		bond := c.str("Bond.create", c.newNetwork("bond", 1500), []any{c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")}, "")
		equal(t, "default mode", c.field("Bond", bond, "mode"), any("balance-slb"))
	})
}

// TestManagementReconfigureChecksAsXapi follows xapi_host.ml, which checks
// a PIF for management (not a bond member, an IP configuration) only when
// xapi manages it, and xapi_pool.ml, which checks every PIF on the network
// whether managed or not.
func TestManagementReconfigureChecksAsXapi(t *testing.T) {
	// The connections the management moves here reset are TestManagementMovesResetConnections'.
	eachProtocol(t, Config{Hosts: 1, KeepConnections: true}, func(t *testing.T, s *Sim, c *rawClient) {
		eth3 := c.pif("xs-host-1", "eth3")
		edit(s, func(d *db) { get[xenapi.PIF](d, refOf(eth3)).Managed = false })
		c.fails([]string{"PIF_HAS_NO_NETWORK_CONFIGURATION", eth3}, "pool.management_reconfigure", c.networkOf(eth3))
		c.call("host.management_reconfigure", eth3)
		equal(t, "management on the unmanaged PIF", c.str("host.get_management_interface", c.host("xs-host-1")), eth3)
	})
}
