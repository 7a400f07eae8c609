package xapisim

import (
	"slices"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

func TestPoolNameSetters(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		pool := strs(c.call("pool.get_all"))[0]
		c.call("pool.set_name_label", pool, "rack-7")
		c.call("pool.set_name_description", pool, "four hosts")
		equal(t, "pool", []any{c.field("pool", pool, "name_label"), c.field("pool", pool, "name_description")},
			[]any{"rack-7", "four hosts"})
		c.fails([]string{"HANDLE_INVALID", "pool", "OpaqueRef:x"}, "pool.set_name_label", "OpaqueRef:x", "n")
	})
}

func TestCreateVLANFromPIFOnEveryLiveHost(t *testing.T) {
	eachProtocol(t, Config{Hosts: 3, RebootTime: 10 * time.Second}, func(t *testing.T, s *Sim, c *rawClient) {
		if err := s.PowerCycle("xs-host-3"); err != nil {
			t.Fatal(err)
		}
		net := c.newNetwork("vm-20", 1500)
		pifs := strs(c.call("pool.create_VLAN_from_PIF", c.pif("xs-host-1", "eth1"), net, int64(20)))
		want := []string{c.pif("xs-host-1", "eth1", 20), c.pif("xs-host-2", "eth1", 20)}
		slices.Sort(pifs)
		slices.Sort(want)
		equal(t, "untagged PIFs", pifs, want)
		for _, p := range pifs {
			equal(t, "plugged", c.field("PIF", p, "currently_attached"), any(true))
		}
		c.fails([]string{"HANDLE_INVALID", "PIF", "OpaqueRef:x"}, "pool.create_VLAN_from_PIF", "OpaqueRef:x", net, int64(21))
	})
}

func TestCreateVLANFromPIFRollsBack(t *testing.T) {
	eachProtocol(t, Config{Hosts: 3}, func(t *testing.T, s *Sim, c *rawClient) {
		// The third host already has tag 30 on eth1: its VLAN.create fails,
		// and the VLANs made on the first two go again.
		c.call("VLAN.create", c.pif("xs-host-3", "eth1"), int64(30), c.newNetwork("elsewhere", 1500))
		before := len(c.records("VLAN"))
		net := c.newNetwork("vm-30", 1500)
		c.fails([]string{"PIF_VLAN_EXISTS", "eth1"}, "pool.create_VLAN_from_PIF", c.pif("xs-host-1", "eth1"), net, int64(30))
		equal(t, "VLANs after the rollback", len(c.records("VLAN")), before)
		equal(t, "PIFs on the network", c.field("network", net, "PIFs"), any([]any{}))
		c.fails([]string{"VLAN_TAG_INVALID", "5000"}, "pool.create_VLAN_from_PIF", c.pif("xs-host-1", "eth1"), net, int64(5000))
	})
}

func TestPoolManagementReconfigure(t *testing.T) {
	// The connections the management moves here reset are TestManagementMovesResetConnections'.
	eachProtocol(t, Config{KeepConnections: true, Hosts: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		eth1a, eth1b := c.pif("xs-host-1", "eth1"), c.pif("xs-host-2", "eth1")
		net := c.networkOf(eth1a)
		c.fails([]string{"PIF_HAS_NO_NETWORK_CONFIGURATION", eth1a}, "pool.management_reconfigure", net)
		c.call("PIF.reconfigure_ip", eth1a, "Static", "10.1.0.1", "255.255.255.0", "", "")
		c.call("PIF.reconfigure_ip", eth1b, "DHCP", "", "", "", "")
		c.call("pool.management_reconfigure", net)
		for _, p := range []string{eth1a, eth1b} {
			equal(t, "management", c.field("PIF", p, "management"), any(true))
		}
		equal(t, "old management", c.field("PIF", c.pif("xs-host-2", "eth0"), "management"), any(false))

		lonely := c.newNetwork("one host", 1500)
		c.call("VLAN.create", eth1a, int64(3), lonely)
		c.fails([]string{"PIF_NOT_PRESENT", c.host("xs-host-2"), lonely}, "pool.management_reconfigure", lonely)
		c.fails([]string{"HANDLE_INVALID", "network", "OpaqueRef:x"}, "pool.management_reconfigure", "OpaqueRef:x")

		eth2a, eth3a := c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")
		c.bondOf(1500, "balance-slb", map[string]any{}, eth2a, eth3a)
		c.fails([]string{"CANNOT_PLUG_BOND_SLAVE", eth2a}, "pool.management_reconfigure", c.networkOf(eth2a))
	})
}

// joinedBonds maps each network to the bond the host has on it.
func (c *rawClient) joinedBonds(host string) map[string]map[string]any {
	c.t.Helper()
	bonds := map[string]map[string]any{}
	for ref, b := range c.records("Bond") {
		if master := c.record("PIF", b["master"].(string)); master["host"] == host {
			bonds[master["network"].(string)] = map[string]any{"ref": ref, "mode": b["mode"], "master": master}
		}
	}
	return bonds
}

// TestPoolJoinReturnsBeforeTheHostRestarts follows xapi_pool.ml: the
// master has the joining host's records when pool.join returns, and the
// host then restarts its xapi as a member; until then it is neither
// enabled nor live, and it has none of the master's bonds.
func TestPoolJoinReturnsBeforeTheHostRestarts(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1, Standalone: 1, ToolstackRestart: time.Hour}, func(t *testing.T, s *Sim, c *rawClient) {
		c.bondOf(1500, "balance-slb", map[string]any{}, c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3"))
		joiner := newClient(t, s.StandaloneURLs()[0], c.proto).login(s)
		joiner.call("pool.join", c.str("host.get_address", c.host("xs-host-1")), s.Username(), s.Password())
		host := c.host("xs-host-2")
		equal(t, "enabled, live", []any{c.field("host", host, "enabled"), c.field("host_metrics", c.str("host.get_metrics", host), "live")},
			[]any{false, false})
		equal(t, "bonds on the joiner", len(c.joinedBonds(host)), 0)
	})
}

// TestPoolJoinCopiesTheMastersBondsAndVLANs follows sync_networking.ml and
// xapi_host.ml's sync_vlans: once its xapi is back as a member, the host
// makes the master's bonds on the NICs in the same positions and the
// master's VLANs over them, the VLAN PIFs unplugged (xapi_vlan.ml's
// create_internal).
func TestPoolJoinCopiesTheMastersBondsAndVLANs(t *testing.T) {
	// The connections the management moves here reset are TestManagementMovesResetConnections'.
	eachProtocol(t, Config{KeepConnections: true, Hosts: 2, Standalone: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		// The pool: management on a jumbo bond of eth0+eth1, a VM VLAN on a
		// bond of eth2+eth3.
		_, mgmtNet := c.bondOf(9000, "active-backup", map[string]any{}, c.pif("xs-host-1", "eth0"), c.pif("xs-host-1", "eth1"))
		c.bondOf(9000, "active-backup", map[string]any{}, c.pif("xs-host-2", "eth0"), c.pif("xs-host-2", "eth1"))
		vmBond, vmNet := c.bondOf(1500, "balance-slb", map[string]any{}, c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3"))
		vlanNet := c.newNetwork("vm-40", 1500)
		c.call("VLAN.create", c.str("Bond.get_master", vmBond), int64(40), vlanNet)

		joiner := newClient(t, s.StandaloneURLs()[0], c.proto).login(s)
		equal(t, "joiner's hosts before", len(strs(joiner.call("host.get_all"))), 1)
		masterAddress := c.str("host.get_address", c.host("xs-host-1"))
		joiner.call("pool.join", masterAddress, s.Username(), s.Password())

		// The joiner's endpoint now sends clients to the master.
		joiner.failsRaw([]string{"HOST_IS_SLAVE", masterAddress}, "session.login_with_password", s.Username(), s.Password())
		host := c.host("xs-host-3")
		equal(t, "pool size", len(strs(c.call("host.get_all"))), 3)
		// Its NICs are on the pool's networks...
		equal(t, "eth2 network", c.networkOf(c.pif("xs-host-3", "eth2")), c.networkOf(c.pif("xs-host-1", "eth2")))

		// ...and once back, it has the master's bonds, with management on
		// the first.
		eventually(t, "joiner live", func() bool {
			return c.field("host_metrics", c.str("host.get_metrics", host), "live") == true
		})
		var bonds map[string]map[string]any
		eventually(t, "joiner's bonds", func() bool {
			bonds = c.joinedBonds(host)
			return len(bonds) == 2
		})
		mgmt := bonds[mgmtNet]["master"].(map[string]any)
		equal(t, "management bond", []any{bonds[mgmtNet]["mode"], mgmt["management"], mgmt["MTU"], mgmt["IP"]},
			[]any{"active-backup", true, int64(9000), "192.0.2.13"})
		vmMaster := bonds[vmNet]["master"].(map[string]any)
		vlans := strs(vmMaster["VLAN_slave_of"])
		if len(vlans) != 1 || c.field("VLAN", vlans[0], "tag") != int64(40) {
			t.Fatalf("VM bond VLANs on the joiner: %v", vlans)
		}
		vlanPIF := c.record("PIF", c.str("VLAN.get_untagged_PIF", vlans[0]))
		equal(t, "copied VLAN PIF", []any{vlanPIF["network"], vlanPIF["currently_attached"]}, []any{vlanNet, false})
	})
}

func TestPoolJoinRefusals(t *testing.T) {
	// The connections the management moves here reset are TestManagementMovesResetConnections'.
	eachProtocol(t, Config{KeepConnections: true, Hosts: 2, Standalone: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		masterAddress := c.str("host.get_address", c.host("xs-host-1"))
		memberAddress := c.str("host.get_address", c.host("xs-host-2"))
		joiner := newClient(t, s.StandaloneURLs()[0], c.proto).login(s)
		ownAddress := hostPort(s.StandaloneURLs()[0])

		joiner.fails([]string{"JOINING_HOST_CONNECTION_FAILED"}, "pool.join", "127.0.0.1:1", "root", s.Password())
		joiner.fails([]string{"HOST_IS_SLAVE", masterAddress}, "pool.join", memberAddress, "root", s.Password())
		joiner.fails([]string{"SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"}, "pool.join", masterAddress, "root", "wrong")
		joiner.fails([]string{"OPERATION_NOT_ALLOWED", "Host cannot become slave of itself"}, "pool.join", ownAddress, "root", s.Password())
		c.fails([]string{"OPERATION_NOT_ALLOWED", "Host is already part of a pool"}, "pool.join", masterAddress, "root", s.Password())
		c.fails([]string{"JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS"}, "pool.join", ownAddress, "root", s.Password())

		eth2 := joiner.pif("xs-host-3", "eth2")
		vlan := joiner.str("VLAN.create", eth2, int64(7), joiner.newNetwork("vm", 1500))
		joiner.fails([]string{"POOL_JOINING_HOST_HAS_NON_MANAGEMENT_VLANS"}, "pool.join", masterAddress, "root", s.Password())
		joiner.call("VLAN.destroy", vlan)
		bond, _ := joiner.bondOf(1500, "balance-slb", map[string]any{}, eth2, joiner.pif("xs-host-3", "eth3"))
		joiner.fails([]string{"POOL_JOINING_HOST_HAS_BONDS"}, "pool.join", masterAddress, "root", s.Password())
		joiner.call("Bond.destroy", bond)

		// The other standalone host has management on a VLAN.
		other := newClient(t, s.StandaloneURLs()[1], c.proto).login(s)
		eth1 := other.pif("xs-host-4", "eth1")
		mgmtVLAN := other.str("VLAN.get_untagged_PIF", other.str("VLAN.create", eth1, int64(99), other.newNetwork("mgmt", 1500)))
		other.call("PIF.reconfigure_ip", mgmtVLAN, "Static", "10.99.0.4", "255.255.255.0", "", "")
		other.call("host.management_reconfigure", mgmtVLAN)
		other.fails([]string{"POOL_JOINING_HOST_MANAGEMENT_VLAN_DOES_NOT_MATCH", "99", "-1"}, "pool.join", masterAddress, "root", s.Password())

		s.mu.Lock()
		h := s.findHost("xs-host-3")
		h.record().SoftwareVersion["network_backend"] = "bridge"
		s.mu.Unlock()
		joiner.fails([]string{"OPERATION_NOT_ALLOWED", "Network backends differ"}, "pool.join", masterAddress, "root", s.Password())
	})
}

func TestPoolEject(t *testing.T) {
	eachProtocol(t, Config{Hosts: 3, RebootTime: 50 * time.Millisecond}, func(t *testing.T, s *Sim, c *rawClient) {
		c.fails([]string{"INTERNAL_ERROR", "Xapi_pool.Cannot_eject_master"}, "pool.eject", c.host("xs-host-1"))
		c.fails([]string{"HANDLE_INVALID", "host", "OpaqueRef:x"}, "pool.eject", "OpaqueRef:x")

		host := c.host("xs-host-3")
		c.bondOf(9000, "balance-slb", map[string]any{}, c.pif("xs-host-3", "eth0"), c.pif("xs-host-3", "eth1"))
		c.call("pool.eject", host)
		equal(t, "pool size", len(strs(c.call("host.get_all"))), 2)
		for _, p := range c.records("PIF") {
			if p["host"] == host {
				t.Fatalf("PIF %s of the ejected host is still in the pool", p["uuid"])
			}
		}
		// After its reboot it is a pool of its own, management on eth0.
		var own *rawClient
		eventually(t, "ejected host answers as a pool of one", func() bool {
			own = newClient(t, s.HostURL("xs-host-3"), c.proto)
			r, err := own.try("session.login_with_password", s.Username(), s.Password())
			if err != nil || r.Failure != nil {
				return false
			}
			own.session = r.Value.(string)
			return true
		})
		equal(t, "its hosts", len(strs(own.call("host.get_all"))), 1)
		eth0 := own.record("PIF", own.pif("xs-host-3", "eth0"))
		equal(t, "management", []any{eth0["management"], eth0["IP"], len(own.records("Bond"))}, []any{true, "192.0.2.13", 0})
	})
}

func TestPoolJoinThenHostsAreOneDatabase(t *testing.T) {
	s := Run(t, Config{Hosts: 1, Standalone: 1})
	joiner := newClient(t, s.StandaloneURLs()[0], "xmlrpc").login(s)
	joiner.call("pool.join", hostPort(s.URL()), s.Username(), s.Password())
	s.mu.Lock()
	defer s.mu.Unlock()
	equal(t, "pools", len(s.pools), 1)
	equal(t, "hosts in the pool", len(all[xenapi.Host](s.pools[0])), 2)
}
