package poolnet_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// A joining host is live before it has copied the master's bonds and
// VLANs (sync_networking.ml runs late in a member's start-up); JoinHost
// returns only once it has them, so that what follows sees the bonded,
// VLAN-carrying host the pool will have.
func TestJoinHostWaitsForTheCopyOfBondsAndVLANs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The copy comes well after the host is live, as on a real pool.
	sim := xapisim.Run(t, xapisim.Config{Hosts: 1, NICs: 4, Standalone: 1, MemberSyncDelay: time.Second})
	c := newClient(t, sim.URL(), sim)
	joiner := newClient(t, sim.StandaloneURLs()[0], sim)

	snap, err := poolnet.TakeSnapshot(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	master := snap.Pool.Master
	nic := func(device string) xenapi.Ref {
		ref, _, ok := snap.DevicePIF(master, device)
		if !ok {
			t.Fatalf("no %s on the master", device)
		}
		return ref
	}
	bondNet, err := c.NetworkCreate(ctx, xenapi.Network{NameLabel: "bond", MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	bond, err := c.BondCreate(ctx, bondNet, []xenapi.Ref{nic("eth2"), nic("eth3")}, "", xenapi.BondModeBalanceSLB, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	bondRec, err := xenapi.GetRecord[xenapi.Bond](ctx, c, bond)
	if err != nil {
		t.Fatal(err)
	}
	vlanNet, err := c.NetworkCreate(ctx, xenapi.Network{NameLabel: "vm-20", MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.VLANCreate(ctx, bondRec.Master, 20, vlanNet); err != nil {
		t.Fatal(err)
	}

	address := hostAddress(sim.StandaloneURLs()[0])
	if err := poolnet.NewModel(c, poolnet.Options{}).JoinHost(ctx, joiner, address, sim.Username(), sim.Password()); err != nil {
		t.Fatal(err)
	}
	snap, err = poolnet.TakeSnapshot(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	joined, _, ok := snap.HostByAddress(address)
	if !ok {
		t.Fatalf("no host at %s after the join", address)
	}
	for _, n := range []xenapi.Ref{bondNet, vlanNet} {
		if _, _, ok := snap.NetworkPIF(joined, n); !ok {
			t.Errorf("the joined host has no PIF on network %s %q when JoinHost returns", n, snap.Networks.Get(n).NameLabel)
		}
	}
}

func newClient(t *testing.T, url string, sim *xapisim.Sim) *xenapi.Client {
	t.Helper()
	c, err := xenapi.NewClient(xenapi.Config{URL: url, Username: sim.Username(), Password: sim.Password()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// hostAddress is host.address of a simulated host: its endpoint's
// "127.0.0.1:port".
func hostAddress(url string) string {
	return strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
}
