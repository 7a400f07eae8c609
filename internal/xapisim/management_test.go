package xapisim

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// idleConnection is a connection to an endpoint that has served one call
// and waits, kept alive, for the next.
func idleConnection(t *testing.T, s *Sim, url string) net.Conn {
	t.Helper()
	var d net.Dialer
	conn, err := d.DialContext(t.Context(), "tcp", hostPort(url))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	body, _ := wire.EncodeXMLCall("session.login_with_password", []any{s.Username(), s.Password()})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url+"/", bytes.NewReader(body))
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return conn
}

// closedByPeer reports whether the endpoint has closed conn. The deadline
// only bounds the wait should it not have.
func closedByPeer(conn net.Conn) bool {
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := conn.Read(make([]byte, 1))
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err)
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}

// TestManagementMovesResetConnections follows nm.ml and
// message_forwarding.ml: a change that rebuilds a host's management bridge
// (here host.management_reconfigure to a PIF with a new IP, then a bond
// over the management NIC) resets the connections of the host's clients,
// idle ones and the call in flight, whose work is done all the same; a new
// management IP becomes host.address, bare, as xapi stores it.
func TestManagementMovesResetConnections(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		master := c.host("xs-host-1")
		eth1 := c.pif("xs-host-1", "eth1")
		c.call("PIF.reconfigure_ip", eth1, "Static", "192.0.2.50", "255.255.255.0", "192.0.2.1", "")
		idle := idleConnection(t, s, s.URL())

		if r, err := c.try("host.management_reconfigure", c.session, eth1); err == nil {
			t.Fatalf("the call that moved management got its reply: %v", r)
		}
		if !closedByPeer(idle) {
			t.Error("an idle connection survived the management move")
		}
		httpClient.CloseIdleConnections()
		equal(t, "management moved all the same", c.field("PIF", eth1, "management"), any(true))
		equal(t, "host.address", c.field("host", master, "address"), any("192.0.2.50"))
		member := newClient(t, s.HostURL("xs-host-2"), c.proto)
		member.failsRaw([]string{"HOST_IS_SLAVE", "192.0.2.50"}, "session.login_with_password", s.Username(), s.Password())

		// A bond over the management NIC rebuilds the bridge too; the IP
		// stays, and so does host.address.
		net := c.newNetwork("bond", 1500)
		if _, err := c.try("Bond.create", c.session, net, []any{eth1, c.pif("xs-host-1", "eth2")}, "", "balance-slb", map[string]any{}); err == nil {
			t.Fatal("Bond.create over the management NIC kept the connection")
		}
		httpClient.CloseIdleConnections()
		equal(t, "bond made", len(c.records("Bond")), 1)
		equal(t, "host.address after the bond", c.field("host", master, "address"), any("192.0.2.50"))
	})
}

// TestKeepConnections is the switch for clients that do not reconnect yet.
func TestKeepConnections(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1, KeepConnections: true}, func(t *testing.T, s *Sim, c *rawClient) {
		eth1 := c.pif("xs-host-1", "eth1")
		c.call("PIF.reconfigure_ip", eth1, "Static", "192.0.2.51", "255.255.255.0", "", "")
		idle := idleConnection(t, s, s.URL())
		c.call("host.management_reconfigure", eth1)
		equal(t, "host.address", c.field("host", c.host("xs-host-1"), "address"), any("192.0.2.51"))
		// The connection is still open: a read waits rather than ending.
		_ = idle.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := idle.Read(make([]byte, 1)); !isTimeout(err) {
			t.Errorf("the idle connection was closed: %v", err)
		}
	})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
