package xapisim

import (
	"time"

	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

func TestPresetPIFs(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2, NICs: 3}, func(t *testing.T, s *Sim, c *rawClient) {
		pifs := c.records("PIF")
		equal(t, "PIF count", len(pifs), 6)
		macs := map[any]bool{}
		for _, p := range pifs {
			macs[p["MAC"]] = true
		}
		equal(t, "distinct MACs", len(macs), 6)

		eth0 := c.record("PIF", c.pif("xs-host-2", "eth0"))
		equal(t, "eth0", []any{eth0["management"], eth0["currently_attached"], eth0["ip_configuration_mode"], eth0["IP"], eth0["physical"]},
			[]any{true, true, "Static", "192.0.2.12", true})
		eth2 := c.record("PIF", c.pif("xs-host-2", "eth2"))
		equal(t, "eth2", []any{eth2["management"], eth2["currently_attached"], eth2["ip_configuration_mode"], eth2["VLAN"]},
			[]any{false, false, "None", int64(-1)})
		net := c.record("network", eth2["network"].(string))
		equal(t, "network", []any{net["name_label"], net["bridge"], len(strs(net["PIFs"]))},
			[]any{"Pool-wide network associated with eth2", "xenbr2", 2})
		metrics := c.record("PIF_metrics", eth2["metrics"].(string))
		equal(t, "carrier", metrics["carrier"], any(true))
	})
}

func TestPIFPlugAndUnplug(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		pif := c.pif("xs-host-1", "eth1")
		c.call("PIF.plug", pif)
		equal(t, "attached", c.field("PIF", pif, "currently_attached"), any(true))
		c.call("PIF.unplug", pif)
		equal(t, "attached", c.field("PIF", pif, "currently_attached"), any(false))

		c.fails([]string{"HANDLE_INVALID", "PIF", "OpaqueRef:x"}, "PIF.plug", "OpaqueRef:x")
		c.fails([]string{"PIF_IS_MANAGEMENT_INTERFACE", c.pif("xs-host-1", "eth0")}, "PIF.unplug", c.pif("xs-host-1", "eth0"))

		edit(s, func(d *db) { get[xenapi.PIF](d, xenapi.Ref(pif)).Managed = false })
		c.fails([]string{"PIF_UNMANAGED", pif}, "PIF.plug", pif)
		c.fails([]string{"PIF_UNMANAGED", pif}, "PIF.unplug", pif)
	})
}

func TestPIFPlugRefusesBondMembers(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		eth2, eth3 := c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3")
		c.call("Bond.create", c.newNetwork("bond", 1500), []any{eth2, eth3}, "", "balance-slb", map[string]any{})
		c.fails([]string{"CANNOT_PLUG_BOND_SLAVE", eth2}, "PIF.plug", eth2)
	})
}

func TestPIFReconfigureIP(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		pif := c.pif("xs-host-1", "eth1")
		c.call("PIF.reconfigure_ip", pif, "Static", "10.0.0.5", "255.255.255.0", "10.0.0.1", "10.0.0.2,fe80::1")
		rec := c.record("PIF", pif)
		equal(t, "configuration", []any{rec["ip_configuration_mode"], rec["IP"], rec["netmask"], rec["gateway"], rec["DNS"]},
			[]any{"Static", "10.0.0.5", "255.255.255.0", "10.0.0.1", "10.0.0.2"})
		c.call("PIF.reconfigure_ip", pif, "None", "", "", "", "")
		equal(t, "mode", c.field("PIF", pif, "ip_configuration_mode"), any("None"))

		c.fails([]string{"INVALID_IP_ADDRESS_SPECIFIED", "IP"}, "PIF.reconfigure_ip", pif, "Static", "10.0.0.256", "255.255.255.0", "", "")
		c.fails([]string{"INVALID_IP_ADDRESS_SPECIFIED", "netmask"}, "PIF.reconfigure_ip", pif, "Static", "10.0.0.5", "", "", "")
		c.fails([]string{"INVALID_IP_ADDRESS_SPECIFIED", "gateway"}, "PIF.reconfigure_ip", pif, "DHCP", "", "", "gw", "")
		mgmt := c.pif("xs-host-1", "eth0")
		c.fails([]string{"PIF_IS_MANAGEMENT_INTERFACE", mgmt}, "PIF.reconfigure_ip", mgmt, "None", "", "", "", "")
		c.fails([]string{"HANDLE_INVALID", "PIF", "OpaqueRef:x"}, "PIF.reconfigure_ip", "OpaqueRef:x", "None", "", "", "", "")
	})
}

func TestCallsToAHostThatIsDownAnswerHostOffline(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2, RebootTime: 10 * time.Second}, func(t *testing.T, s *Sim, c *rawClient) {
		host := c.host("xs-host-2")
		if err := s.PowerCycle("xs-host-2"); err != nil {
			t.Fatal(err)
		}
		equal(t, "live", c.field("host_metrics", c.str("host.get_metrics", host), "live"), any(false))
		pif := c.pif("xs-host-2", "eth1")
		offline := []string{"HOST_OFFLINE", host}
		c.fails(offline, "PIF.plug", pif)
		c.fails(offline, "PIF.unplug", pif)
		c.fails(offline, "PIF.reconfigure_ip", pif, "None", "", "", "", "")
		c.fails(offline, "Bond.create", c.newNetwork("b", 1500), []any{pif, c.pif("xs-host-2", "eth2")}, "", "balance-slb", map[string]any{})
		c.fails(offline, "VLAN.create", pif, int64(5), c.newNetwork("v", 1500))
		c.fails(offline, "host.management_reconfigure", pif)
		c.fails(offline, "host.disable", host)
		c.fails(offline, "host.enable", host)
	})
}
