package xapisim

import (
	"testing"
	"time"
)

// rebootHost reboots a host through the API and waits until it is live
// again.
func (c *rawClient) rebootHost(name string) {
	c.t.Helper()
	host := c.host(name)
	metrics := c.str("host.get_metrics", host)
	c.call("host.disable", host)
	c.call("host.reboot", host)
	eventually(c.t, name+" down", func() bool { return c.field("host_metrics", metrics, "live") == false })
	eventually(c.t, name+" back", func() bool { return c.field("host_metrics", metrics, "live") == true })
}

// TestMemberRebootCopiesTheMastersVLANsAgain follows xapi.ml's start-up,
// which on a member runs sync_networking.ml's copy of the master's bonds
// and VLANs at every start of its xapi, not only at pool.join: a VLAN the
// member lost comes back, unplugged, unless the host's other_config says
// sync_vlans=nosync.
func TestMemberRebootCopiesTheMastersVLANsAgain(t *testing.T) {
	// The connections the management moves here reset are TestManagementMovesResetConnections'.
	eachProtocol(t, Config{KeepConnections: true, Hosts: 2, RebootTime: 20 * time.Millisecond}, func(t *testing.T, s *Sim, c *rawClient) {
		net := c.newNetwork("vm-7", 1500)
		c.call("pool.create_VLAN_from_PIF", c.pif("xs-host-1", "eth2"), net, int64(7))
		memberVLAN := c.pif("xs-host-2", "eth2", 7)
		c.call("VLAN.destroy", c.str("PIF.get_VLAN_master_of", memberVLAN))

		c.rebootHost("xs-host-2")
		var back map[string]any
		eventually(t, "the VLAN back on the member", func() bool {
			for _, p := range c.records("PIF") {
				if p["host"] == c.host("xs-host-2") && p["network"] == net {
					back = p
					return true
				}
			}
			return false
		})
		equal(t, "copied VLAN", []any{back["VLAN"], back["device"], back["currently_attached"]}, []any{int64(7), "eth2", false})

		// With sync_vlans=nosync the member keeps what it has.
		c.call("VLAN.destroy", c.str("PIF.get_VLAN_master_of", c.pif("xs-host-2", "eth2", 7)))
		c.call("host.add_to_other_config", c.host("xs-host-2"), "sync_vlans", "nosync")
		bond, _ := c.bondOf(1500, "balance-slb", map[string]any{}, c.pif("xs-host-1", "eth0"), c.pif("xs-host-1", "eth1"))
		c.rebootHost("xs-host-2")
		// The bond is copied even so; the VLAN is not.
		eventually(t, "the master's bond on the member", func() bool {
			return len(c.joinedBonds(c.host("xs-host-2"))) == 1
		})
		equal(t, "member PIFs on the VLAN network", c.field("network", net, "PIFs"), any([]any{c.pif("xs-host-1", "eth2", 7)}))
		c.call("Bond.destroy", bond)
	})
}

// TestRebootPlugsWhatXapiPlugsAtStartOfDay follows dbsync_slave.ml (after
// a reboot no bridge is up, so nothing is attached) and xapi_pif.ml's
// calculate_pifs_required_at_start_of_day: xapi plugs every managed NIC
// that is not in a bond, every bond master and every PIF with an IP
// configuration. A VLAN PIF without one comes back unplugged; a NIC that
// was unplugged comes back plugged.
func TestRebootPlugsWhatXapiPlugsAtStartOfDay(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2, RebootTime: 20 * time.Millisecond, MemberSyncDelay: time.Hour}, func(t *testing.T, s *Sim, c *rawClient) {
		eth1 := c.pif("xs-host-2", "eth1")
		c.call("PIF.plug", eth1)
		c.call("PIF.unplug", eth1)
		eth2, eth3 := c.pif("xs-host-2", "eth2"), c.pif("xs-host-2", "eth3")
		bond, _ := c.bondOf(1500, "balance-slb", map[string]any{}, eth2, eth3)
		bondMaster := c.str("Bond.get_master", bond)
		plain := c.str("VLAN.get_untagged_PIF", c.str("VLAN.create", bondMaster, int64(10), c.newNetwork("vm", 1500)))
		withIP := c.str("VLAN.get_untagged_PIF", c.str("VLAN.create", bondMaster, int64(11), c.newNetwork("storage", 1500)))
		c.call("PIF.reconfigure_ip", withIP, "Static", "10.0.11.2", "255.255.255.0", "", "")
		for _, p := range []string{plain, withIP, bondMaster} {
			equal(t, "attached before the reboot", c.field("PIF", p, "currently_attached"), any(true))
		}

		c.rebootHost("xs-host-2")
		attached := map[string]any{}
		for name, p := range map[string]string{"eth0": c.pif("xs-host-2", "eth0"), "eth1": eth1, "eth2": eth2,
			"bond master": bondMaster, "VLAN without IP": plain, "VLAN with IP": withIP} {
			attached[name] = c.field("PIF", p, "currently_attached")
		}
		equal(t, "currently_attached after the reboot", attached, map[string]any{
			"eth0": true, "eth1": true, "eth2": false,
			"bond master": true, "VLAN without IP": false, "VLAN with IP": true,
		})
	})
}

// TestRestartAgentCopiesTheMastersVLANsAgain follows xapi_host.ml's
// restart_agent and xapi.ml's start-up: a member's xapi, restarted, copies
// the master's VLANs it lacks, while the bridges stay up (a plugged PIF
// stays plugged).
func TestRestartAgentCopiesTheMastersVLANsAgain(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		net := c.newNetwork("vm-8", 1500)
		c.call("pool.create_VLAN_from_PIF", c.pif("xs-host-1", "eth2"), net, int64(8))
		c.call("VLAN.destroy", c.str("PIF.get_VLAN_master_of", c.pif("xs-host-2", "eth2", 8)))
		other := c.str("VLAN.get_untagged_PIF", c.str("VLAN.create", c.pif("xs-host-2", "eth3"), int64(9), c.newNetwork("member only", 1500)))
		c.call("host.restart_agent", c.host("xs-host-2"))
		eventually(t, "the VLAN back on the member", func() bool {
			return len(c.field("network", net, "PIFs").([]any)) == 2
		})
		equal(t, "a plugged VLAN PIF stays plugged", c.field("PIF", other, "currently_attached"), any(true))
	})
}
