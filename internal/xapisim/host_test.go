package xapisim

import (
	"net"
	"net/url"
	"testing"
	"time"
)

func TestPresetHosts(t *testing.T) {
	eachProtocol(t, Config{Hosts: 3, Backend: "bridge"}, func(t *testing.T, s *Sim, c *rawClient) {
		pool := strs(c.call("pool.get_all"))[0]
		p := c.record("pool", pool)
		equal(t, "pool", []any{p["name_label"], p["master"]}, []any{"xsnet-sim", c.host("xs-host-1")})
		for _, name := range []string{"xs-host-1", "xs-host-2", "xs-host-3"} {
			h := c.record("host", c.host(name))
			u, _ := url.Parse(s.HostURL(name))
			equal(t, name+" address", h["address"], any(u.Host))
			equal(t, name+" enabled", h["enabled"], any(true))
			equal(t, name+" backend", h["software_version"].(map[string]any)["network_backend"], any("bridge"))
			equal(t, name+" PIFs", len(strs(h["PIFs"])), 4)
			equal(t, name+" API version", h["API_version_major"], any(int64(2)))
			equal(t, name+" live", c.field("host_metrics", h["metrics"].(string), "live"), any(true))
		}
	})
}

func TestHostManagementReconfigure(t *testing.T) {
	// The connections the management moves here reset are TestManagementMovesResetConnections'.
	eachProtocol(t, Config{KeepConnections: true, Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth0, eth1 := c.pif("xs-host-1", "eth0"), c.pif("xs-host-1", "eth1")
		c.fails([]string{"PIF_HAS_NO_NETWORK_CONFIGURATION", eth1}, "host.management_reconfigure", eth1)
		c.call("PIF.reconfigure_ip", eth1, "Static", "10.1.0.2", "255.255.255.0", "", "")
		c.call("host.management_reconfigure", eth1)
		equal(t, "management", []any{c.field("PIF", eth1, "management"), c.field("PIF", eth0, "management"),
			c.field("PIF", eth1, "currently_attached")}, []any{true, false, true})
		// Again on the same PIF: nothing to do.
		c.call("host.management_reconfigure", eth1)

		eth2, eth3 := c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")
		c.bondOf(1500, "balance-slb", map[string]any{}, eth2, eth3)
		c.fails([]string{"CANNOT_PLUG_BOND_SLAVE", eth2}, "host.management_reconfigure", eth2)
		c.fails([]string{"HANDLE_INVALID", "PIF", "OpaqueRef:x"}, "host.management_reconfigure", "OpaqueRef:x")
	})
}

func TestHostDisableEnable(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		host := c.host("xs-host-2")
		c.call("host.disable", host)
		equal(t, "enabled", c.field("host", host, "enabled"), any(false))
		c.call("host.enable", host)
		equal(t, "enabled", c.field("host", host, "enabled"), any(true))
		c.fails([]string{"HANDLE_INVALID", "host", "OpaqueRef:x"}, "host.disable", "OpaqueRef:x")
	})
}

func TestHostRebootTakesTheHostOutAndBack(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2, RebootTime: 300 * time.Millisecond}, func(t *testing.T, s *Sim, c *rawClient) {
		host := c.host("xs-host-2")
		metrics := c.str("host.get_metrics", host)
		c.fails([]string{"HOST_NOT_DISABLED"}, "host.reboot", host)

		// The MTU of a network reaches the host's attached PIFs at the reboot.
		eth0 := c.pif("xs-host-2", "eth0")
		c.call("network.set_MTU", c.networkOf(eth0), int64(9000))
		c.call("host.disable", host)
		c.call("host.reboot", host)
		eventually(t, "host down", func() bool { return c.field("host_metrics", metrics, "live") == false })
		var dialer net.Dialer
		if conn, err := dialer.DialContext(t.Context(), "tcp", hostPort(s.HostURL("xs-host-2"))); err == nil {
			_ = conn.Close()
			t.Error("a rebooting host's endpoint accepts connections")
		}
		eventually(t, "host back", func() bool { return c.field("host_metrics", metrics, "live") == true })
		equal(t, "enabled after reboot", c.field("host", host, "enabled"), any(true))
		equal(t, "eth0 MTU after reboot", c.field("PIF", eth0, "MTU"), any(int64(9000)))
		equal(t, "eth0 MTU of the host not rebooted", c.field("PIF", c.pif("xs-host-1", "eth0"), "MTU"), any(int64(1500)))
		// The member answers again.
		member := newClient(t, s.HostURL("xs-host-2"), c.proto)
		member.failsRaw([]string{"HOST_IS_SLAVE", c.str("host.get_address", c.host("xs-host-1"))},
			"session.login_with_password", s.Username(), s.Password())
	})
}

func TestMasterRebootForgetsSessions(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1, RebootTime: 100 * time.Millisecond}, func(t *testing.T, s *Sim, c *rawClient) {
		host := c.host("xs-host-1")
		c.call("host.disable", host)
		c.call("host.reboot", host)
		eventually(t, "master back", func() bool {
			r, err := c.try("pool.get_all", c.session)
			return err == nil && len(r.Failure) > 0 && r.Failure[0] == "SESSION_INVALID"
		})
		c.login(s)
		equal(t, "enabled", c.field("host", host, "enabled"), any(true))
	})
}

func hostPort(u string) string {
	p, _ := url.Parse(u)
	return p.Host
}
