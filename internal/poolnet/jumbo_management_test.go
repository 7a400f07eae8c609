package poolnet_test

import (
	"context"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// rebootTime is how long the simulated host.reboot keeps a host out; a host
// with the quirk stays in the pool for half of it before dropping out,
// which is the window waitFor has to see.
const rebootTime = time.Second

// The proof that the management-mtu guardrail matters. On a pool with
// XenServer 6.1's behaviour, the topology xsnet was born from, built
// directly through the client, loses a host after a reboot when its
// management bond has MTU 9000, and keeps it when the bond has MTU 1500.
func TestJumboManagementBondLosesAHostAfterReboot(t *testing.T) {
	for _, tt := range []struct {
		managementMTU int64
		wantLost      bool
	}{
		{managementMTU: 9000, wantLost: true},
		{managementMTU: 1500, wantLost: false},
	} {
		t.Run(map[bool]string{true: "MTU 9000 loses the host", false: "MTU 1500 keeps it"}[tt.wantLost], func(t *testing.T) {
			ctx := context.Background()
			sim := xapisim.Run(t, xapisim.Config{Hosts: 4, NICs: 4, Quirks: []string{xapisim.QuirkJumboManagementBond}, RebootTime: rebootTime})
			c, err := xenapi.NewClient(xenapi.Config{URL: sim.URL(), Username: sim.Username(), Password: sim.Password()})
			if err != nil {
				t.Fatal(err)
			}
			buildTopology(ctx, t, c, tt.managementMTU)

			snap, err := poolnet.TakeSnapshot(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			member := snap.HostRefs()[1]
			if err := c.HostDisable(ctx, member); err != nil {
				t.Fatal(err)
			}
			if err := c.HostReboot(ctx, member); err != nil {
				t.Fatal(err)
			}
			// The host comes back and touches the pool either way.
			waitFor(t, c, member, true)
			if tt.wantLost {
				// Then, with a jumbo management bond, it drops out.
				waitFor(t, c, member, false)
				return
			}
			// With MTU 1500 it stays: give it as long again as the quirk
			// takes to strike, and more.
			time.Sleep(3 * rebootTime)
			if !live(t, c, member) {
				t.Fatal("the host fell out of the pool with a management bond at MTU 1500")
			}
		})
	}
}

// buildTopology makes the seed's pool network through the client: a
// management bond over eth0+eth1 at the given MTU, a VM bond over eth2+eth3
// at MTU 9000, and VLANs 100-103 over it.
func buildTopology(ctx context.Context, t *testing.T, c *xenapi.Client, managementMTU int64) {
	t.Helper()
	m := poolnet.NewModel(c, poolnet.Options{})
	if _, err := m.CreateBond(ctx, poolnet.BondSpec{
		NameLabel: "Bond 0+1", Members: []string{"eth0", "eth1"}, Mode: xenapi.BondModeBalanceSLB,
		MTU: managementMTU, Management: true,
	}); err != nil {
		t.Fatal(err)
	}
	vm, err := m.CreateBond(ctx, poolnet.BondSpec{
		NameLabel: "Bond 2+3", Members: []string{"eth2", "eth3"}, Mode: xenapi.BondModeBalanceSLB, MTU: 9000,
	})
	if err != nil {
		t.Fatal(err)
	}
	for tag := int64(100); tag <= 103; tag++ {
		if _, err := m.CreateVLAN(ctx, poolnet.VLANSpec{NameLabel: "VLAN", Tag: tag, ParentNetworkUUID: vm, MTU: 9000}); err != nil {
			t.Fatal(err)
		}
	}
}

func live(t *testing.T, c *xenapi.Client, host xenapi.Ref) bool {
	t.Helper()
	ctx := context.Background()
	h, err := xenapi.GetRecord[xenapi.Host](ctx, c, host)
	if err != nil {
		t.Fatal(err)
	}
	m, err := xenapi.GetRecord[xenapi.HostMetrics](ctx, c, h.Metrics)
	if err != nil {
		t.Fatal(err)
	}
	return m.Live
}

// waitFor polls until the host's liveness is want, for at most ten reboots'
// time: the shared machines CI runs on are slow at times.
func waitFor(t *testing.T, c *xenapi.Client, host xenapi.Ref, want bool) {
	t.Helper()
	deadline := time.Now().Add(10 * rebootTime)
	for time.Now().Before(deadline) {
		if live(t, c, host) == want {
			return
		}
		time.Sleep(rebootTime / 50)
	}
	t.Fatalf("the host did not become live=%t", want)
}
