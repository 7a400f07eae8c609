package xenapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// These tests run the client against the simulated pool, over each
// protocol: the same XenAPI a real pool serves, with its faults.

var protocols = []xenapi.Protocol{xenapi.ProtocolJSONRPC, xenapi.ProtocolXMLRPC}

func connect(t testing.TB, sim *xapisim.Sim, url string, proto xenapi.Protocol, mutate ...func(*xenapi.Config)) *xenapi.Client {
	t.Helper()
	cfg := xenapi.Config{URL: url, Username: sim.Username(), Password: sim.Password(), Protocol: proto}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := xenapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Logout(context.Background())
		c.CloseIdleConnections()
	})
	return c
}

func faults(t testing.TB, spec string) []xapisim.Fault {
	t.Helper()
	f, err := xapisim.ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func forEachProtocol(t *testing.T, test func(t *testing.T, proto xenapi.Protocol)) {
	for _, proto := range protocols {
		t.Run(string(proto), func(t *testing.T) { test(t, proto) })
	}
}

// must(f())(t) is f's value, or the end of the test if f failed.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// pifOn finds a host's PIF by device.
func pifOn(t testing.TB, pifs map[xenapi.Ref]xenapi.PIF, host xenapi.Ref, device string) xenapi.Ref {
	t.Helper()
	for ref, p := range pifs {
		if p.Host == host && p.Device == device && p.VLAN == -1 {
			return ref
		}
	}
	t.Fatalf("no PIF %s on host %s", device, host)
	return ""
}

func TestSimReadsThePool(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 3, NICs: 4})
		c := connect(t, sim, sim.URL(), proto)
		ctx := context.Background()

		pools := must(xenapi.GetAllRecords[xenapi.Pool](ctx, c))(t)
		hosts := must(xenapi.GetAllRecords[xenapi.Host](ctx, c))(t)
		pifs := must(xenapi.GetAllRecords[xenapi.PIF](ctx, c))(t)
		metrics := must(xenapi.GetAllRecords[xenapi.HostMetrics](ctx, c))(t)
		must(xenapi.GetAllRecords[xenapi.Network](ctx, c))(t)
		must(xenapi.GetAllRecords[xenapi.PIFMetrics](ctx, c))(t)
		must(xenapi.GetAllRecords[xenapi.Bond](ctx, c))(t)
		must(xenapi.GetAllRecords[xenapi.VLAN](ctx, c))(t)
		if len(pools) != 1 || len(hosts) != 3 || len(pifs) != 12 {
			t.Fatalf("%d pools, %d hosts, %d PIFs; want 1, 3, 12", len(pools), len(hosts), len(pifs))
		}
		var pool xenapi.Pool
		for _, p := range pools {
			pool = p
		}
		if _, ok := hosts[pool.Master]; !ok {
			t.Errorf("the pool's master %s is not a host", pool.Master)
		}
		for ref, h := range hosts {
			if !metrics[h.Metrics].Live {
				t.Errorf("host %s is not live", h.NameLabel)
			}
			if h.SoftwareVersion["network_backend"] != "openvswitch" {
				t.Errorf("host %s backend %q", h.NameLabel, h.SoftwareVersion["network_backend"])
			}
			eth0 := pifs[pifOn(t, pifs, ref, "eth0")]
			if !eth0.Management || eth0.MTU != 1500 || !eth0.Physical || !eth0.CurrentlyAttached {
				t.Errorf("host %s eth0 = %+v, want the plugged physical management PIF, MTU 1500", h.NameLabel, eth0)
			}
		}
		for ref, h := range hosts {
			got := must(xenapi.GetByUUID[xenapi.Host](ctx, c, h.UUID))(t)
			if got != ref {
				t.Errorf("host.get_by_uuid(%s) = %s, want %s", h.UUID, got, ref)
			}
			rec := must(xenapi.GetRecord[xenapi.Host](ctx, c, ref))(t)
			if rec.UUID != h.UUID || len(rec.PIFs) != 4 {
				t.Errorf("host.get_record = %+v", rec)
			}
		}
		if c.Protocol() != proto {
			t.Errorf("Protocol() = %s, want %s", c.Protocol(), proto)
		}
	})
}

func TestSimAutoChoosesJSONRPC(t *testing.T) {
	sim := xapisim.Run(t, xapisim.Config{Hosts: 1})
	c := connect(t, sim, sim.URL(), xenapi.ProtocolAuto)
	if err := c.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.Protocol() != xenapi.ProtocolJSONRPC {
		t.Errorf("auto chose %s against a host serving both protocols", c.Protocol())
	}
}

func TestSimGoneObjects(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 1})
		c := connect(t, sim, sim.URL(), proto)
		ctx := context.Background()
		_, err := xenapi.GetRecord[xenapi.Network](ctx, c, "OpaqueRef:5e1d3a4c-0000-0000-0000-000000000000")
		if !xenapi.IsCode(err, xenapi.ErrHandleInvalid) || !xenapi.IsGone(err) {
			t.Errorf("get_record of a stale reference = %v, want HANDLE_INVALID", err)
		}
		_, err = xenapi.GetByUUID[xenapi.Bond](ctx, c, "5e1d3a4c-0000-0000-0000-000000000000")
		if !xenapi.IsCode(err, xenapi.ErrUUIDInvalid) || !xenapi.IsGone(err) {
			t.Errorf("get_by_uuid of an unknown UUID = %v, want UUID_INVALID", err)
		}
	})
}

func TestSimNetworkLifecycle(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 2})
		c := connect(t, sim, sim.URL(), proto)
		ctx := context.Background()

		ref := must(c.NetworkCreate(ctx, xenapi.Network{
			NameLabel: "vm traffic", NameDescription: "VLANs ride here", MTU: 9000,
			OtherConfig: map[string]string{"xsnet": "managed"}, Tags: []string{"xsnet"},
		}))(t)
		n := must(xenapi.GetRecord[xenapi.Network](ctx, c, ref))(t)
		if n.NameLabel != "vm traffic" || n.MTU != 9000 || !n.Managed || !strings.HasPrefix(n.Bridge, "xapi") ||
			n.OtherConfig["xsnet"] != "managed" || !slices.Equal(n.Tags, []string{"xsnet"}) {
			t.Errorf("created network %+v", n)
		}
		plain := must(c.NetworkCreate(ctx, xenapi.Network{NameLabel: "defaults"}))(t)
		if n := must(xenapi.GetRecord[xenapi.Network](ctx, c, plain))(t); n.MTU != 1500 || n.OtherConfig == nil {
			t.Errorf("a network created with no MTU: %+v, want MTU 1500", n)
		}

		if err := c.NetworkSetMTU(ctx, ref, 1500); err != nil {
			t.Fatal(err)
		}
		if err := c.NetworkSetNameLabel(ctx, ref, "renamed"); err != nil {
			t.Fatal(err)
		}
		if err := c.NetworkSetNameDescription(ctx, ref, ""); err != nil {
			t.Fatal(err)
		}
		if err := c.NetworkSetOtherConfig(ctx, ref, nil); err != nil {
			t.Fatal(err)
		}
		n = must(xenapi.GetRecord[xenapi.Network](ctx, c, ref))(t)
		if n.NameLabel != "renamed" || n.NameDescription != "" || n.MTU != 1500 || len(n.OtherConfig) != 0 {
			t.Errorf("updated network %+v", n)
		}

		for _, r := range []xenapi.Ref{ref, plain} {
			if err := c.NetworkDestroy(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := xenapi.GetRecord[xenapi.Network](ctx, c, ref); !xenapi.IsGone(err) {
			t.Errorf("a destroyed network reads back with %v, want HANDLE_INVALID", err)
		}
	})
}

func TestSimBondsAndVLANs(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 2, NICs: 4})
		c := connect(t, sim, sim.URL(), proto)
		ctx := context.Background()
		pools := must(xenapi.GetAllRecords[xenapi.Pool](ctx, c))(t)
		var master xenapi.Ref
		for _, p := range pools {
			master = p.Master
		}
		pifs := must(xenapi.GetAllRecords[xenapi.PIF](ctx, c))(t)
		eth2, eth3 := pifOn(t, pifs, master, "eth2"), pifOn(t, pifs, master, "eth3")

		bondNet := must(c.NetworkCreate(ctx, xenapi.Network{NameLabel: "bond", MTU: 9000}))(t)
		bond := must(c.BondCreate(ctx, bondNet, []xenapi.Ref{eth2, eth3}, "", xenapi.BondModeBalanceSLB, nil))(t)
		b := must(xenapi.GetRecord[xenapi.Bond](ctx, c, bond))(t)
		if b.Mode != xenapi.BondModeBalanceSLB || len(b.Slaves) != 2 {
			t.Errorf("bond %+v", b)
		}
		bondMaster := must(xenapi.GetRecord[xenapi.PIF](ctx, c, b.Master))(t)
		if bondMaster.Network != bondNet || !strings.HasPrefix(bondMaster.Device, "bond") || bondMaster.MTU != 9000 {
			t.Errorf("bond master PIF %+v", bondMaster)
		}

		// xapi's own refusals come back typed, from the task's error_info.
		_, err := c.BondCreate(ctx, bondNet, []xenapi.Ref{pifOn(t, pifs, master, "eth1")}, "", xenapi.BondModeBalanceSLB, nil)
		if !xenapi.IsCode(err, "NETWORK_ALREADY_CONNECTED") {
			t.Errorf("a second bond on the bond's network = %v, want NETWORK_ALREADY_CONNECTED", err)
		}
		otherNet := must(c.NetworkCreate(ctx, xenapi.Network{NameLabel: "other"}))(t)
		_, err = c.BondCreate(ctx, otherNet, []xenapi.Ref{eth2, pifOn(t, pifs, master, "eth1")}, "", xenapi.BondModeBalanceSLB, nil)
		var xerr *xenapi.Error
		if !errors.As(err, &xerr) || xerr.Code != "PIF_ALREADY_BONDED" || len(xerr.Params) != 1 || xerr.Params[0] != string(eth2) {
			t.Errorf("a bond of a bonded PIF = %#v, want PIF_ALREADY_BONDED [%s]", err, eth2)
		}
		if err := c.BondSetMode(ctx, bond, xenapi.BondModeActiveBackup); err != nil {
			t.Fatal(err)
		}
		if b := must(xenapi.GetRecord[xenapi.Bond](ctx, c, bond))(t); b.Mode != xenapi.BondModeActiveBackup {
			t.Errorf("mode after set_mode: %s", b.Mode)
		}

		// One VLAN on the bond master, and one across the pool on eth1.
		vlanNet := must(c.NetworkCreate(ctx, xenapi.Network{NameLabel: "vlan 100"}))(t)
		vlan := must(c.VLANCreate(ctx, b.Master, 100, vlanNet))(t)
		v := must(xenapi.GetRecord[xenapi.VLAN](ctx, c, vlan))(t)
		if v.Tag != 100 || v.TaggedPIF != b.Master {
			t.Errorf("VLAN %+v", v)
		}
		_, err = c.VLANCreate(ctx, pifOn(t, pifs, master, "eth1"), 5000, otherNet)
		if !xenapi.IsCode(err, "VLAN_TAG_INVALID") {
			t.Errorf("VLAN tag 5000 = %v, want VLAN_TAG_INVALID", err)
		}
		poolNet := must(c.NetworkCreate(ctx, xenapi.Network{NameLabel: "vlan 200"}))(t)
		untagged := must(c.PoolCreateVLANFromPIF(ctx, pifOn(t, pifs, master, "eth1"), poolNet, 200))(t)
		if len(untagged) != 2 {
			t.Errorf("pool.create_VLAN_from_PIF made %d PIFs on 2 hosts", len(untagged))
		}

		// Tear down, and check nothing is left.
		for _, p := range untagged {
			pif := must(xenapi.GetRecord[xenapi.PIF](ctx, c, p))(t)
			if err := c.VLANDestroy(ctx, pif.VLANMasterOf); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.VLANDestroy(ctx, vlan); err != nil {
			t.Fatal(err)
		}
		if err := c.BondDestroy(ctx, bond); err != nil {
			t.Fatal(err)
		}
		for _, n := range []xenapi.Ref{bondNet, otherNet, vlanNet, poolNet} {
			if err := c.NetworkDestroy(ctx, n); err != nil {
				t.Errorf("network.destroy: %v", err)
			}
		}
		if bonds := must(xenapi.GetAllRecords[xenapi.Bond](ctx, c))(t); len(bonds) != 0 {
			t.Errorf("%d bonds left", len(bonds))
		}
		if vlans := must(xenapi.GetAllRecords[xenapi.VLAN](ctx, c))(t); len(vlans) != 0 {
			t.Errorf("%d VLANs left", len(vlans))
		}
		if after := must(xenapi.GetAllRecords[xenapi.PIF](ctx, c))(t); len(after) != len(pifs) {
			t.Errorf("%d PIFs after teardown, %d before", len(after), len(pifs))
		}
	})
}

func TestSimPIFs(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 1, NICs: 2})
		c := connect(t, sim, sim.URL(), proto)
		ctx := context.Background()
		pifs := must(xenapi.GetAllRecords[xenapi.PIF](ctx, c))(t)
		var host xenapi.Ref
		for _, p := range pifs {
			host = p.Host
		}
		eth1 := pifOn(t, pifs, host, "eth1")
		if err := c.PIFReconfigureIP(ctx, eth1, xenapi.IPConfigurationStatic, "192.0.2.10", "255.255.255.0", "192.0.2.1", ""); err != nil {
			t.Fatal(err)
		}
		p := must(xenapi.GetRecord[xenapi.PIF](ctx, c, eth1))(t)
		if p.IPConfigurationMode != xenapi.IPConfigurationStatic || p.IP != "192.0.2.10" {
			t.Errorf("PIF after reconfigure_ip: %+v", p)
		}
		if err := c.PIFUnplug(ctx, eth1); err != nil {
			t.Fatal(err)
		}
		if p := must(xenapi.GetRecord[xenapi.PIF](ctx, c, eth1))(t); p.CurrentlyAttached {
			t.Error("PIF still attached after unplug")
		}
		if err := c.PIFPlug(ctx, eth1); err != nil {
			t.Fatal(err)
		}
		err := c.PIFUnplug(ctx, pifOn(t, pifs, host, "eth0"))
		if !xenapi.IsCode(err, "PIF_IS_MANAGEMENT_INTERFACE") {
			t.Errorf("unplugging the management PIF = %v, want PIF_IS_MANAGEMENT_INTERFACE", err)
		}
	})
}

// TestSimSessionExpiry: xapi forgets sessions (a restart, a timeout); every
// call must carry on through a transparent re-login.
func TestSimSessionExpiry(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 1, Faults: faults(t, "sessions=5")})
		c := connect(t, sim, sim.URL(), proto)
		ctx := context.Background()
		for i := range 20 {
			if _, err := xenapi.GetAllRecords[xenapi.Network](ctx, c); err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
		}
		// 20 calls at 5 a session: 4 sessions, however the expiry falls.
		if n := sim.Calls()["session.login_with_password"]; n < 4 || n > 5 {
			t.Errorf("%d logins for 20 calls with sessions expiring after 5", n)
		}
	})
}

// TestSimSessionExpiryUnderLoad: ten callers at once, as Terraform runs
// them, share each re-login instead of making one each.
func TestSimSessionExpiryUnderLoad(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 1, Faults: faults(t, "sessions=25")})
		c := connect(t, sim, sim.URL(), proto)
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for range 10 {
			wg.Go(func() {
				for range 10 {
					if _, err := xenapi.GetAllRecords[xenapi.PIF](ctx, c); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent call across expiries: %v", err)
		}
		// 100 calls at 25 a session need 4 sessions; a login per caller
		// per expiry would be up to 40.
		if n := sim.Calls()["session.login_with_password"]; n < 4 || n > 6 {
			t.Errorf("%d logins for 100 concurrent calls with sessions expiring after 25", n)
		}
	})
}

// TestSimSessionsExpiringFasterThanTenCallersUseThem: sessions that run out
// after five calls, shared by ten callers at once, so that every caller
// meets expiries on sessions it never used alone and refusals that come
// back before other callers' answers. No SESSION_INVALID reaches a caller,
// and each session is used to its end: one login per five calls.
func TestSimSessionsExpiringFasterThanTenCallersUseThem(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 2, Faults: faults(t, "sessions=5")})
		c := connect(t, sim, sim.URL(), proto)
		ctx := context.Background()
		var host xenapi.Ref
		for ref := range must(xenapi.GetAllRecords[xenapi.Host](ctx, c))(t) {
			host = ref
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var calls int
		escaped := map[string]int{}
		for range 10 {
			wg.Go(func() {
				for i := range 30 {
					var err error
					switch i % 3 {
					case 0:
						_, err = xenapi.GetAllRecords[xenapi.PIF](ctx, c)
					case 1:
						_, err = xenapi.GetRecord[xenapi.Host](ctx, c, host)
					case 2:
						_, err = c.EventFrom(ctx, []string{"network"}, "", 0)
					}
					mu.Lock()
					calls++
					if code := xenapi.ErrorCode(err); code != "" {
						escaped[code]++
					} else if err != nil {
						escaped[err.Error()]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for err, n := range escaped {
			t.Errorf("%d calls failed with %s", n, err)
		}
		// One more call than the 300 is the get_all_records of hosts.
		logins := sim.Calls()["session.login_with_password"]
		if want := (calls + 1 + 4) / 5; logins != want {
			t.Errorf("%d logins for %d calls at 5 a session, want %d", logins, calls+1, want)
		}
	})
}

// TestSimInjectedSessionInvalid: a SESSION_INVALID injected into one call
// costs one re-login and is never seen by the caller.
func TestSimInjectedSessionInvalid(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 1, Faults: faults(t, "network.get_all_records#2=SESSION_INVALID:OpaqueRef:x")})
		c := connect(t, sim, sim.URL(), proto)
		ctx := context.Background()
		for range 3 {
			if _, err := xenapi.GetAllRecords[xenapi.Network](ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if n := sim.Calls()["session.login_with_password"]; n != 2 {
			t.Errorf("%d logins, want 2", n)
		}
	})
}

// TestSimHostIsSlave: a client pointed at a pool member moves to the master.
func TestSimHostIsSlave(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 3})
		ctx := context.Background()
		admin := connect(t, sim, sim.URL(), proto)
		hosts := must(xenapi.GetAllRecords[xenapi.Host](ctx, admin))(t)
		pools := must(xenapi.GetAllRecords[xenapi.Pool](ctx, admin))(t)
		var member string
		for _, p := range pools {
			for ref, h := range hosts {
				if ref != p.Master {
					member = h.NameLabel
				}
			}
		}
		memberURL := sim.HostURL(member)
		if memberURL == "" || memberURL == sim.URL() {
			t.Fatalf("member %q has URL %q", member, memberURL)
		}

		c := connect(t, sim, memberURL, proto)
		if got := must(xenapi.GetAllRecords[xenapi.Host](ctx, c))(t); len(got) != 3 {
			t.Errorf("%d hosts through a member's address", len(got))
		}
		if c.URL() != sim.URL() {
			t.Errorf("URL() = %s after HOST_IS_SLAVE, want the master's %s", c.URL(), sim.URL())
		}
	})
}

func TestSimTLS(t *testing.T) {
	sim := xapisim.Run(t, xapisim.Config{Hosts: 1, TLS: true})
	ctx := context.Background()
	if !strings.HasPrefix(sim.URL(), "https://") {
		t.Fatalf("URL %s with TLS on", sim.URL())
	}
	tests := []struct {
		name string
		cfg  func(*xenapi.Config)
		ok   bool
	}{
		{"verified by default", func(*xenapi.Config) {}, false},
		{"pinned", func(c *xenapi.Config) { c.TLSFingerprint = sim.Fingerprint() }, true},
		{"pinned lower case without colons", func(c *xenapi.Config) {
			c.TLSFingerprint = strings.ToLower(strings.ReplaceAll(sim.Fingerprint(), ":", ""))
		}, true},
		{"pinned wrong", func(c *xenapi.Config) { c.TLSFingerprint = strings.Repeat("00", 32) }, false},
		{"CA bundle", func(c *xenapi.Config) { c.CACertificate = sim.CertificatePEM() }, true},
		{"insecure", func(c *xenapi.Config) { c.Insecure = true }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := connect(t, sim, sim.URL(), xenapi.ProtocolAuto, tt.cfg)
			err := c.Login(ctx)
			if tt.ok && err != nil {
				t.Errorf("Login: %v", err)
			}
			if !tt.ok && err == nil {
				t.Error("Login succeeded")
			}
		})
	}
}

// TestSimAsyncFinishesAfterTheDeadline: the caller's deadline passes while
// network.create runs as a task. The client waits on and returns the
// network xapi made, with an error that says the caller had given up.
func TestSimAsyncFinishesAfterTheDeadline(t *testing.T) {
	sim := xapisim.Run(t, xapisim.Config{Hosts: 1, Faults: faults(t, "network.create=+500ms")})
	c := connect(t, sim, sim.URL(), xenapi.ProtocolJSONRPC)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	v, err := c.Async(ctx, "network.create", map[string]any{"name_label": "slow", "other_config": map[string]any{}})
	var interrupted *xenapi.InterruptedError
	if !errors.As(err, &interrupted) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Async past its deadline = %v, want *InterruptedError wrapping DeadlineExceeded", err)
	}
	ref, _ := v.(string)
	if ref == "" || interrupted.Result != v {
		t.Fatalf("Async returned %v and the error carries %v, want the new network in both", v, interrupted.Result)
	}
	n := must(xenapi.GetRecord[xenapi.Network](context.Background(), c, xenapi.Ref(ref)))(t)
	if n.NameLabel != "slow" {
		t.Errorf("the network made after the deadline: %+v", n)
	}
	if _, err := xenapi.GetRecord[xenapi.Task](context.Background(), c, interrupted.Task); !xenapi.IsGone(err) {
		t.Errorf("the task after its outcome was read: %v, want it destroyed", err)
	}
}

// TestSimAsyncOutlivesTheGrace: a task still running when TaskGrace ends is
// named in the error and left alone, so that it can be read afterwards.
func TestSimAsyncOutlivesTheGrace(t *testing.T) {
	sim := xapisim.Run(t, xapisim.Config{Hosts: 1, Faults: faults(t, "network.create=+500ms")})
	c := connect(t, sim, sim.URL(), xenapi.ProtocolJSONRPC, func(cfg *xenapi.Config) { cfg.TaskGrace = 100 * time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Async(ctx, "network.create", map[string]any{"name_label": "slower", "other_config": map[string]any{}})
	var unknown *xenapi.OutcomeUnknownError
	if !errors.As(err, &unknown) || unknown.Task == "" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Async outliving the grace = %v, want *OutcomeUnknownError naming the task", err)
	}
	bg := context.Background()
	task := must(xenapi.GetRecord[xenapi.Task](bg, c, unknown.Task))(t)
	for task.Status == xenapi.TaskPending {
		time.Sleep(20 * time.Millisecond)
		task = must(xenapi.GetRecord[xenapi.Task](bg, c, unknown.Task))(t)
	}
	if task.Status != xenapi.TaskSuccess || !strings.Contains(task.Result, "OpaqueRef:") {
		t.Errorf("the task left behind ended %s with result %q, want success and the network", task.Status, task.Result)
	}
	if _, err := c.Call(bg, "task.destroy", unknown.Task); err != nil {
		t.Error(err)
	}
}

// cutter is a TCP proxy in front of a simulated host whose connections can
// be cut, as XenServer cuts every connection to the master when its
// management interface moves.
type cutter struct {
	l      net.Listener
	target string

	mu    sync.Mutex
	conns map[net.Conn]bool
}

func newCutter(t *testing.T, target string) *cutter {
	l, err := new(net.ListenConfig).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutter{l: l, target: strings.TrimPrefix(target, "http://"), conns: map[net.Conn]bool{}}
	t.Cleanup(func() { _ = l.Close(); p.cut() })
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := new(net.Dialer).DialContext(context.Background(), "tcp", p.target)
			if err != nil {
				_ = in.Close()
				continue
			}
			p.mu.Lock()
			p.conns[in], p.conns[out] = true, true
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
			go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
		}
	}()
	return p
}

func (p *cutter) URL() string { return "http://" + p.l.Addr().String() }

// cut closes every connection open through the proxy.
func (p *cutter) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

// TestSimConnectionsCutUnderLoad: ten readers while the master cuts every
// connection three times, as when management moves. No read fails; a write
// in flight at a cut is reported as of unknown outcome, and indeed xapi
// carried it out.
func TestSimConnectionsCutUnderLoad(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 1, Faults: faults(t, "PIF.get_all_records=+20ms;network.create=+300ms")})
		proxy := newCutter(t, sim.URL())
		c := connect(t, sim, proxy.URL(), proto)
		ctx := context.Background()
		if err := c.Login(ctx); err != nil {
			t.Fatal(err)
		}
		// The cuts go on, at least three of them, until the write has its
		// answer: it takes 300 ms on the pool, so however late it leaves
		// on a loaded machine, a cut finds it in flight.
		done := make(chan struct{})
		writeErr := make(chan error, 1)
		written := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				time.Sleep(100 * time.Millisecond)
				proxy.cut()
				select {
				case <-written:
					if i >= 2 {
						return
					}
				default:
				}
			}
		}()
		go func() {
			_, err := c.NetworkCreate(ctx, xenapi.Network{NameLabel: "cut off"})
			writeErr <- err
			close(written)
		}()
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for range 10 {
			wg.Go(func() {
				for {
					select {
					case <-done:
						return
					default:
					}
					if _, err := xenapi.GetAllRecords[xenapi.PIF](ctx, c); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("a read across the cuts: %v", err)
		}
		if err := <-writeErr; !xenapi.IsOutcomeUnknown(err) {
			t.Fatalf("network.create cut off in flight = %v, want outcome unknown", err)
		}
		var made bool
		for range 100 {
			for _, n := range must(xenapi.GetAllRecords[xenapi.Network](ctx, c))(t) {
				made = made || n.NameLabel == "cut off"
			}
			if made {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if !made {
			t.Error("the network whose call was cut off was not made; the test no longer shows why its outcome is unknown")
		}
		if n := sim.Calls()["network.create"]; n != 1 {
			t.Errorf("network.create reached xapi %d times, want once", n)
		}
	})
}

func TestSimEventFrom(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 1})
		c := connect(t, sim, sim.URL(), proto)
		ctx := context.Background()
		first := must(c.EventFrom(ctx, []string{"network"}, "", 0))(t)
		networks := must(xenapi.GetAllRecords[xenapi.Network](ctx, c))(t)
		if len(first.Events) != len(networks) || first.Token == "" {
			t.Fatalf("event.from with token \"\": %d events for %d networks, token %q", len(first.Events), len(networks), first.Token)
		}
		for _, ev := range first.Events {
			n, err := xenapi.UnmarshalSnapshot[xenapi.Network](ev)
			if err != nil || ev.Operation != xenapi.EventAdd || n.UUID != networks[ev.Ref].UUID {
				t.Errorf("event %+v: %+v, %v", ev, n, err)
			}
		}

		created := make(chan xenapi.Ref, 1)
		go func() {
			time.Sleep(50 * time.Millisecond)
			ref, err := c.NetworkCreate(ctx, xenapi.Network{NameLabel: "watched", MTU: 9000})
			if err != nil {
				t.Error(err)
			}
			created <- ref
		}()
		start := time.Now()
		next := must(c.EventFrom(ctx, []string{"network"}, first.Token, 5))(t)
		ref := <-created
		if time.Since(start) > 4*time.Second {
			t.Error("event.from waited out its timeout despite a new network")
		}
		var found bool
		for _, ev := range next.Events {
			if ev.Ref == ref && ev.Operation == xenapi.EventAdd {
				n, err := xenapi.UnmarshalSnapshot[xenapi.Network](ev)
				found = err == nil && n.NameLabel == "watched" && n.MTU == 9000
			}
		}
		if !found {
			t.Errorf("no add event for the new network in %+v", next.Events)
		}
	})
}

// TestSimPasswordStaysSecret: neither a failed login nor the log shows the
// password.
func TestSimPasswordStaysSecret(t *testing.T) {
	sim := xapisim.Run(t, xapisim.Config{Hosts: 1})
	var mu sync.Mutex
	var logged strings.Builder
	c := connect(t, sim, sim.URL(), xenapi.ProtocolAuto, func(cfg *xenapi.Config) {
		cfg.Password = "not-" + sim.Password()
		cfg.Logger = func(_ context.Context, msg string, fields map[string]any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(&logged, msg, fields)
		}
	})
	err := c.Login(context.Background())
	if !xenapi.IsCode(err, xenapi.ErrSessionAuthenticationFailed) {
		t.Fatalf("Login with a wrong password = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range []string{err.Error(), logged.String()} {
		if strings.Contains(s, sim.Password()) {
			t.Errorf("the password shows in %q", s)
		}
	}
	if !strings.Contains(logged.String(), "session.login_with_password") {
		t.Errorf("the log has no line for the login: %q", logged.String())
	}
}

// BenchmarkCall measures one network.get_record round trip, session
// reused, against the in-process simulator.
func BenchmarkCall(b *testing.B) {
	for _, proto := range protocols {
		b.Run(string(proto), func(b *testing.B) {
			sim := xapisim.Run(b, xapisim.Config{Hosts: 1})
			c := connect(b, sim, sim.URL(), proto)
			ctx := context.Background()
			var ref xenapi.Ref
			for r := range must(xenapi.GetAllRecords[xenapi.Network](ctx, c))(b) {
				ref = r
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := xenapi.GetRecord[xenapi.Network](ctx, c, ref); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSimPoolJoinAndEject: pool.join is sent on the joining host's own
// client, which afterwards follows HOST_IS_SLAVE to its new master and logs
// in there.
func TestSimPoolJoinAndEject(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 2, Standalone: 1})
		ctx := context.Background()
		admin := connect(t, sim, sim.URL(), proto)
		pools := must(xenapi.GetAllRecords[xenapi.Pool](ctx, admin))(t)
		var master xenapi.Host
		for _, p := range pools {
			master = must(xenapi.GetRecord[xenapi.Host](ctx, admin, p.Master))(t)
		}

		joinerURL := sim.StandaloneURLs()[0]
		joiner := connect(t, sim, joinerURL, proto)
		if hosts := must(xenapi.GetAllRecords[xenapi.Host](ctx, joiner))(t); len(hosts) != 1 {
			t.Fatalf("the standalone host sees %d hosts", len(hosts))
		}
		if err := joiner.PoolJoin(ctx, master.Address, sim.Username(), sim.Password()); err != nil {
			t.Fatal(err)
		}
		hosts := must(xenapi.GetAllRecords[xenapi.Host](ctx, joiner))(t)
		if len(hosts) != 3 || joiner.URL() != sim.URL() {
			t.Fatalf("after pool.join the joiner's client sees %d hosts at %s, want 3 at the master %s", len(hosts), joiner.URL(), sim.URL())
		}

		var joined xenapi.Ref
		for ref, h := range hosts {
			if "https://"+h.Address == joinerURL || "http://"+h.Address == joinerURL {
				joined = ref
			}
		}
		if joined == "" {
			t.Fatalf("no host at %s among %v", joinerURL, hosts)
		}
		// pool.join returns before the host restarts its toolstack as a
		// member; xapi ejects only a host that is up.
		for deadline := time.Now().Add(10 * time.Second); ; {
			h := must(xenapi.GetRecord[xenapi.Host](ctx, admin, joined))(t)
			if m := must(xenapi.GetRecord[xenapi.HostMetrics](ctx, admin, h.Metrics))(t); h.Enabled && m.Live {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the joined host did not come up as a member")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := admin.PoolEject(ctx, joined); err != nil {
			t.Fatal(err)
		}
		if hosts := must(xenapi.GetAllRecords[xenapi.Host](ctx, admin))(t); len(hosts) != 2 {
			t.Errorf("%d hosts after pool.eject", len(hosts))
		}
		err := admin.PoolJoin(ctx, master.Address, sim.Username(), "wrong-password")
		if err == nil || strings.Contains(err.Error(), "wrong-password") {
			t.Errorf("pool.join from the master itself = %v, want a refusal without the password", err)
		}
	})
}

func TestSimHostRebootAndManagement(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, proto xenapi.Protocol) {
		sim := xapisim.Run(t, xapisim.Config{Hosts: 2, NICs: 2, RebootTime: 50 * time.Millisecond})
		ctx := context.Background()
		c := connect(t, sim, sim.URL(), proto)
		pools := must(xenapi.GetAllRecords[xenapi.Pool](ctx, c))(t)
		var poolRef xenapi.Ref
		var pool xenapi.Pool
		for poolRef, pool = range pools {
		}
		if err := c.PoolSetNameLabel(ctx, poolRef, "rack 4"); err != nil {
			t.Fatal(err)
		}
		if err := c.PoolSetNameDescription(ctx, poolRef, "four hosts, two bonds"); err != nil {
			t.Fatal(err)
		}
		if p := must(xenapi.GetRecord[xenapi.Pool](ctx, c, poolRef))(t); p.NameLabel != "rack 4" || p.NameDescription != "four hosts, two bonds" {
			t.Errorf("pool %+v", p)
		}

		hosts := must(xenapi.GetAllRecords[xenapi.Host](ctx, c))(t)
		var member xenapi.Ref
		for ref := range hosts {
			if ref != pool.Master {
				member = ref
			}
		}
		if err := c.HostReboot(ctx, member); !xenapi.IsCode(err, "HOST_NOT_DISABLED") {
			t.Errorf("rebooting an enabled host = %v, want HOST_NOT_DISABLED", err)
		}
		if err := c.HostDisable(ctx, member); err != nil {
			t.Fatal(err)
		}
		if err := c.HostReboot(ctx, member); err != nil {
			t.Fatal(err)
		}
		// The host drops out and comes back.
		live := func() bool {
			h := must(xenapi.GetRecord[xenapi.Host](ctx, c, member))(t)
			return must(xenapi.GetRecord[xenapi.HostMetrics](ctx, c, h.Metrics))(t).Live
		}
		var sawDown bool
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) && (!sawDown || !live()) {
			sawDown = sawDown || !live()
			time.Sleep(10 * time.Millisecond)
		}
		if !sawDown || !live() {
			t.Fatalf("host after reboot: seen down %v, live %v", sawDown, live())
		}
		if err := c.HostEnable(ctx, member); err != nil {
			t.Fatal(err)
		}

		// Management moves to eth1 on the master, then to eth1's network
		// on every host.
		pifs := must(xenapi.GetAllRecords[xenapi.PIF](ctx, c))(t)
		eth1 := pifOn(t, pifs, pool.Master, "eth1")
		if err := c.HostManagementReconfigure(ctx, eth1); !xenapi.IsCode(err, "PIF_HAS_NO_NETWORK_CONFIGURATION") {
			t.Errorf("management on a PIF without IP = %v, want PIF_HAS_NO_NETWORK_CONFIGURATION", err)
		}
		for ref := range hosts {
			p := pifOn(t, pifs, ref, "eth1")
			if err := c.PIFReconfigureIP(ctx, p, xenapi.IPConfigurationDHCP, "", "", "", ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.HostManagementReconfigure(ctx, eth1); err != nil {
			t.Fatal(err)
		}
		if p := must(xenapi.GetRecord[xenapi.PIF](ctx, c, eth1))(t); !p.Management {
			t.Error("eth1 is not the management PIF after host.management_reconfigure")
		}
		if err := c.PoolManagementReconfigure(ctx, pifs[eth1].Network); err != nil {
			t.Fatal(err)
		}
		for ref, h := range hosts {
			if p := must(xenapi.GetRecord[xenapi.PIF](ctx, c, pifOn(t, pifs, ref, "eth1")))(t); !p.Management {
				t.Errorf("host %s: eth1 is not the management PIF after pool.management_reconfigure", h.NameLabel)
			}
		}
	})
}
