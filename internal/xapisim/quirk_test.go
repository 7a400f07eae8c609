package xapisim

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// answers reports whether an endpoint answers a login within a timeout.
func answers(t *testing.T, url string, timeout time.Duration) bool {
	t.Helper()
	body, _ := wire.EncodeXMLCall("session.login_with_password", []any{"root", "x"})
	client := &http.Client{Timeout: timeout}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err == nil {
		_ = resp.Body.Close()
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	t.Fatalf("calling %s: %v", url, err)
	return false
}

func (c *rawClient) live(host string) bool {
	c.t.Helper()
	return c.field("host_metrics", c.str("host.get_metrics", host), "live") == true
}

func (c *rawClient) reboot(host string) {
	c.t.Helper()
	c.call("host.disable", host)
	c.call("host.reboot", host)
	eventually(c.t, "host going down", func() bool { return !c.live(host) })
}

func TestJumboManagementBondQuirk(t *testing.T) {
	const reboot = 400 * time.Millisecond
	eachProtocol(t, Config{Hosts: 4, Quirks: []string{QuirkJumboManagementBond}, RebootTime: reboot}, func(t *testing.T, s *Sim, c *rawClient) {
		host := c.host("xs-host-2")
		url := s.HostURL("xs-host-2")
		bond, network := c.bondOf(9000, "balance-slb", map[string]any{}, c.pif("xs-host-2", "eth0"), c.pif("xs-host-2", "eth1"))
		master := c.str("Bond.get_master", bond)
		equal(t, "management on the bond", c.field("PIF", master, "management"), any(true))
		// A jumbo bond that does not carry management is fine.
		c.bondOf(9000, "balance-slb", map[string]any{}, c.pif("xs-host-3", "eth2"), c.pif("xs-host-3", "eth3"))

		c.reboot(host)
		// The host comes back and touches the pool...
		eventually(t, "host back", func() bool { return c.live(host) })
		// ...then drops out, and its xapi stops answering.
		eventually(t, "host dropping out", func() bool { return !c.live(host) })
		if answers(t, url, 300*time.Millisecond) {
			t.Fatal("the dropped-out host's endpoint answers")
		}
		c.fails([]string{"HOST_OFFLINE", host}, "PIF.plug", master)

		// It stays out across reboots.
		if err := s.PowerCycle("xs-host-2"); err != nil {
			t.Fatal(err)
		}
		eventually(t, "host back after power cycle", func() bool { return c.live(host) })
		eventually(t, "host dropping out again", func() bool { return !c.live(host) })

		// The emergency network reset brings it back until the next reboot;
		// moving management to MTU 1500 fixes it for good.
		if err := s.EmergencyNetworkReset("xs-host-2"); err != nil {
			t.Fatal(err)
		}
		equal(t, "live after the reset", c.live(host), true)
		if !answers(t, url, 5*time.Second) {
			t.Fatal("the host does not answer after the emergency network reset")
		}
		c.call("network.set_MTU", network, int64(1500))
		c.call("PIF.plug", master)
		equal(t, "bond MTU", c.field("PIF", master, "MTU"), any(int64(1500)))
		c.reboot(host)
		eventually(t, "host back", func() bool { return c.live(host) })
		time.Sleep(reboot)
		equal(t, "still live after the reboot", c.live(host), true)

		// The host with the jumbo VM bond survives its reboot too.
		other := c.host("xs-host-3")
		c.reboot(other)
		eventually(t, "other host back", func() bool { return c.live(other) })
		time.Sleep(reboot)
		equal(t, "jumbo VM bond host still live", c.live(other), true)
	})
}

func TestJumboManagementBondIsFineWithoutTheQuirk(t *testing.T) {
	const reboot = 100 * time.Millisecond
	s := Run(t, Config{Hosts: 2, RebootTime: reboot})
	c := newClient(t, s.URL(), "xmlrpc").login(s)
	host := c.host("xs-host-2")
	c.bondOf(9000, "balance-slb", map[string]any{}, c.pif("xs-host-2", "eth0"), c.pif("xs-host-2", "eth1"))
	c.reboot(host)
	eventually(t, "host back", func() bool { return c.live(host) })
	time.Sleep(2 * reboot)
	equal(t, "still live", c.live(host), true)
}
