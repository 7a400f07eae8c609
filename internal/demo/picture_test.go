package main

import (
	"context"
	"strings"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

func TestDrawPool(t *testing.T) {
	ctx := context.Background()
	sim := xapisim.Run(t, xapisim.Config{Hosts: 2, NICs: 3})
	c, err := xenapi.NewClient(xenapi.Config{URL: sim.URL(), Username: sim.Username(), Password: sim.Password()})
	if err != nil {
		t.Fatal(err)
	}
	m := poolnet.NewModel(c, poolnet.Options{})
	bond, err := m.CreateBond(ctx, poolnet.BondSpec{NameLabel: "mgmt", Members: []string{"eth0", "eth1"}, Mode: xenapi.BondModeBalanceSLB, MTU: 1500, Management: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.CreateVLAN(ctx, poolnet.VLANSpec{NameLabel: "web", Tag: 100, ParentNetworkUUID: bond, MTU: 1500}); err != nil {
		t.Fatal(err)
	}
	storage, err := m.CreateVLAN(ctx, poolnet.VLANSpec{NameLabel: "storage", Tag: 20, ParentNetworkUUID: bond, MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	addrs := map[string]string{}
	for i, host := range s.HostRefs() {
		addrs[s.Hosts.Get(host).UUID] = "10.0.20." + string(rune('1'+i))
	}
	if err := m.CreateIP(ctx, poolnet.IPSpec{NetworkUUID: storage, Mode: xenapi.IPConfigurationStatic, Addresses: addrs,
		Netmask: "255.255.255.0", Purpose: "Storage"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.CreateNetwork(ctx, poolnet.NetworkSpec{NameLabel: "private", MTU: 9000}); err != nil {
		t.Fatal(err)
	}
	snap, err := poolnet.TakeSnapshot(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	got := drawPool(snap)
	for _, want := range []string{
		`pool "xsnet-sim": 2 hosts, openvswitch network backend`,
		"xs-host-1 (master, live)",
		"xs-host-2 (member, live)",
		`bond0  eth0+eth1 balance-slb  MTU 1500  "mgmt"  ◀ management`,
		`eth2   NIC                    MTU 1500`,
		`└ VLAN 100                  MTU 1500  "web"`,
		`└ VLAN 20                   MTU 1500  "storage"  ◀ Storage 10.0.20.1`,
		`networks that reach no NIC: "private" (MTU 9000)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the picture lacks %q:\n%s", want, got)
		}
	}
	// Bonded NICs show as the bond's members, not on lines of their own.
	if strings.Contains(got, "    eth0 ") {
		t.Errorf("a bonded NIC has a line of its own:\n%s", got)
	}
}
