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

// TestPIFProperties follows xapi_pif.ml (a NIC or a bond master has
// properties {gro: on}; set_property checks the name and value, refuses
// other PIFs and bond members, and gives a bond master's to its members)
// and xapi_bond.ml (members must have the same properties, and the bond
// master takes them).
func TestPIFProperties(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth1, eth2, eth3 := c.pif("xs-host-1", "eth1"), c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")
		equal(t, "NIC properties", c.field("PIF", eth1, "properties"), any(map[string]any{"gro": "on"}))
		c.fails([]string{"INVALID_VALUE", "properties", "gro = maybe"}, "PIF.set_property", eth1, "gro", "maybe")
		c.fails([]string{"INVALID_VALUE", "properties", "tso = on"}, "PIF.set_property", eth1, "tso", "on")
		c.call("PIF.set_property", eth1, "gro", "off")
		net := c.newNetwork("bond", 1500)
		c.fails([]string{"INCOMPATIBLE_PIF_PROPERTIES"}, "Bond.create", net, []any{eth1, eth2}, "", "balance-slb", map[string]any{})
		bond := c.str("Bond.create", net, []any{eth2, eth3}, "", "balance-slb", map[string]any{})
		master := c.str("Bond.get_master", bond)
		equal(t, "bond master properties", c.field("PIF", master, "properties"), any(map[string]any{"gro": "on"}))
		c.fails([]string{"CANNOT_CHANGE_PIF_PROPERTIES", eth2}, "PIF.set_property", eth2, "gro", "off")
		c.call("PIF.set_property", master, "gro", "off")
		equal(t, "member properties", c.field("PIF", eth3, "properties"), any(map[string]any{"gro": "off"}))
		vlan := c.str("VLAN.get_untagged_PIF", c.str("VLAN.create", master, int64(4), c.newNetwork("vm", 1500)))
		equal(t, "VLAN PIF properties", c.field("PIF", vlan, "properties"), any(map[string]any{}))
		c.fails([]string{"CANNOT_CHANGE_PIF_PROPERTIES", vlan}, "PIF.set_property", vlan, "gro", "off")
	})
}

// TestBondCreateDetails follows xapi_bond.ml: links_up starts at 0 until
// the monitor counts the links; auto_update_mac says whether the MAC came
// from the primary member; duplicated members fold to the last copy
// (List.setify), which makes the first remaining the primary member.
func TestBondCreateDetails(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth2, eth3 := c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")
		bond := c.str("Bond.create", c.newNetwork("bond", 1500), []any{eth2, eth3, eth2}, "", "balance-slb", map[string]any{})
		rec := c.record("Bond", bond)
		equal(t, "new bond", []any{rec["links_up"], rec["auto_update_mac"], rec["primary_slave"]}, []any{int64(0), true, eth3})
		eventually(t, "links counted", func() bool { return c.field("Bond", bond, "links_up") == int64(2) })
		c.call("Bond.destroy", bond)
		bond = c.str("Bond.create", c.newNetwork("bond2", 1500), []any{eth2, eth3}, "02:00:00:00:00:99", "balance-slb", map[string]any{})
		equal(t, "given MAC", c.field("Bond", bond, "auto_update_mac"), any(false))
	})
}

// TestUnknownMethodChecksTheSessionFirst follows gen_server.ml: an unknown
// call's first parameter is checked as a session before the name is found
// unknown.
func TestUnknownMethodChecksTheSessionFirst(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		c.failsRaw([]string{"SESSION_INVALID", "OpaqueRef:bad"}, "VM.start", "OpaqueRef:bad")
		c.failsRaw([]string{"MESSAGE_METHOD_UNKNOWN", "VM.start"}, "VM.start")
		c.fails([]string{"MESSAGE_METHOD_UNKNOWN", "VM.start"}, "VM.start")
	})
}

// TestHostInternalManagementNetwork follows create_networks.ml and
// xapi_network.ml: every pool has the network, on bridge "xenapi", and
// network.destroy refuses it.
func TestHostInternalManagementNetwork(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		var himn string
		for ref, n := range c.records("network") {
			if n["bridge"] == "xenapi" {
				himn = ref
				equal(t, "name", n["name_label"], any("Host internal management network"))
			}
		}
		if himn == "" {
			t.Fatal("no network on bridge xenapi")
		}
		c.fails([]string{"CANNOT_DESTROY_SYSTEM_NETWORK", himn}, "network.destroy", himn)
	})
}

// TestDesignateNewMaster follows xapi_pool.ml's designate_new_master: the
// host becomes the master, both restart their xapi (the sessions go, as
// xapi never writes them to disk), and the old master sends clients to the
// new one.
func TestDesignateNewMaster(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		newMaster := c.host("xs-host-2")
		address := c.str("host.get_address", newMaster)
		r, err := c.try("pool.designate_new_master", c.session, newMaster)
		if err == nil && r.Failure != nil {
			t.Fatalf("pool.designate_new_master: %v", r.Failure)
		}
		httpClient.CloseIdleConnections()
		old := newClient(t, s.HostURL("xs-host-1"), c.proto)
		eventually(t, "the old master sends clients on", func() bool {
			r, err := old.try("session.login_with_password", s.Username(), s.Password())
			return err == nil && len(r.Failure) == 2 && r.Failure[0] == "HOST_IS_SLAVE" && r.Failure[1] == address
		})
		equal(t, "URL", s.URL(), s.HostURL("xs-host-2"))
		c2 := newClient(t, s.HostURL("xs-host-2"), c.proto)
		eventually(t, "the new master's xapi restarted without the sessions", func() bool {
			r, err := c2.try("pool.get_all", c.session)
			return err == nil && len(r.Failure) > 0 && r.Failure[0] == "SESSION_INVALID"
		})
		c2.login(s)
		pool := strs(c2.call("pool.get_all"))[0]
		equal(t, "master", c2.str("pool.get_master", pool), newMaster)
	})
}

// TestLocalLogout follows xapi_session.ml: session.local_logout drops the
// session from the host's local sessions only, so a pool session stays.
func TestLocalLogout(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		c.call("session.local_logout")
		c.call("pool.get_all")
		c.failsRaw([]string{"SESSION_INVALID", "OpaqueRef:x"}, "session.local_logout", "OpaqueRef:x")
	})
}
