package poolnet_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// IP interfaces and the management interface in the plan ledger: each
// test plans changes the way Terraform sends them and reads what each is
// told.

func ipCreate(network guardrail.Value[string], addresses map[string]string, purpose string) poolnet.Change {
	return poolnet.Change{Kind: poolnet.Create, IP: &poolnet.IPChange{Network: network, Addresses: known(addresses),
		Numbered: true, Purpose: known(purpose)}}
}

func ipUpdate(network string, addresses map[string]string, purpose string) poolnet.Change {
	return poolnet.Change{Kind: poolnet.Update, ID: poolnet.IPChangeID(network), IP: &poolnet.IPChange{Network: known(network),
		Addresses: known(addresses), Purpose: known(purpose)}}
}

func managementCreate(network guardrail.Value[string]) poolnet.Change {
	return poolnet.Change{Kind: poolnet.Create, Management: &poolnet.ManagementChange{Network: network}}
}

func managementDelete(p *planPool) poolnet.Change {
	return poolnet.Change{Kind: poolnet.Delete, ID: poolnet.ManagementChangeID(snapshot(p.t, p.history).Pool.UUID),
		Management: &poolnet.ManagementChange{Network: guardrail.Null[string]()}}
}

// numbered gives the pool's hosts, master first, addresses from prefix.n.
func (p *planPool) numbered(prefix string, n int) map[string]string {
	out := map[string]string{}
	for i, host := range snapshot(p.t, p.history).HostRefs() {
		out[snapshot(p.t, p.history).Hosts.Get(host).UUID] = prefix + strconv.Itoa(n+i)
	}
	return out
}

func TestPlanRefusesAnAddressThePoolHasAlready(t *testing.T) {
	p := newPlanPool(t, 3, 4)
	vlan := p.vlan("storage", p.nicNetwork("eth2"), 20, 1500)
	// xs-host-2's management address is 192.0.2.12.
	j := judge(t, p.plan(), ipCreate(known(vlan), p.numbered("192.0.2.", 11), "Storage"))
	wantFindings(t, "numbered onto the management addresses", j,
		"error ip-address-unique at start_address", "error ip-address-unique at start_address", "error ip-address-unique at start_address")
	wantDetail(t, j, "Address 192.0.2.12 would be on host xs-host-2 on VLAN \"storage\" and host xs-host-2 on NIC network")
	wantFindings(t, "a subnet of its own", judge(t, p.plan(), ipCreate(known(vlan), p.numbered("10.0.20.", 11), "Storage")))
}

func TestPlanRefusesTwoIPInterfacesWithOneAddress(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	a := p.vlan("a", p.nicNetwork("eth2"), 20, 1500)
	b := p.vlan("b", p.nicNetwork("eth2"), 30, 1500)
	m := p.plan()
	wantFindings(t, "first", judge(t, m, ipCreate(known(a), p.numbered("10.0.20.", 11), "")))
	wantFindings(t, "second", judge(t, m, ipCreate(known(b), p.numbered("10.0.20.", 12), "")), "error ip-address-unique at start_address")

	// An interface in the pool keeps its addresses until its own change
	// says otherwise.
	if err := p.history.CreateIP(context.Background(), poolnet.IPSpec{NetworkUUID: a, Mode: xenapi.IPConfigurationStatic,
		Addresses: p.numbered("10.0.20.", 11), Netmask: "255.255.255.0"}); err != nil {
		t.Fatal(err)
	}
	// Terraform plans every resource of the configuration: a, unchanged,
	// has its say first.
	m = p.plan()
	wantFindings(t, "the interface in the pool", judge(t, m, ipUpdate(a, p.numbered("10.0.20.", 11), "")))
	wantFindings(t, "against the pool's", judge(t, m, ipCreate(known(b), p.numbered("10.0.20.", 12), "")),
		"error ip-address-unique at start_address")
	m = p.plan()
	wantFindings(t, "renumbered in the same plan", judge(t, m, ipUpdate(a, p.numbered("10.0.20.", 21), "")))
	wantFindings(t, "then free", judge(t, m, ipCreate(known(b), p.numbered("10.0.20.", 12), "")))
}

func TestPlanRefusesAnIPInterfaceWhereManagementIs(t *testing.T) {
	t.Run("on the management NIC's network", func(t *testing.T) {
		p := newPlanPool(t, 2, 4)
		wantFindings(t, "eth0", judge(t, p.plan(), ipCreate(known(p.nicNetwork("eth0")), p.numbered("10.0.0.", 11), "")),
			"error ip-interface-management at network_id")
	})
	t.Run("where a management interface moves it, either order", func(t *testing.T) {
		for _, ipFirst := range []bool{true, false} {
			p := newPlanPool(t, 2, 4)
			vlan := p.vlan("mgmt", p.nicNetwork("eth1"), 10, 1500)
			m := p.plan()
			ip, mgmt := ipCreate(known(vlan), p.numbered("10.0.10.", 11), ""), managementCreate(known(vlan))
			if ipFirst {
				wantFindings(t, "IP interface first", judge(t, m, ip))
				wantFindings(t, "management second", judge(t, m, mgmt), "error ip-interface-management at network_id")
			} else {
				wantFindings(t, "management first", judge(t, m, mgmt))
				wantFindings(t, "IP interface second", judge(t, m, ip), "error ip-interface-management at network_id")
			}
		}
	})
}

func TestPlanHoldsAManagementPurposeToMTU1500(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	trunk := p.bond("trunk", 9000, false, "eth2", "eth3")
	jumbo := p.vlan("jumbo", trunk, 30, 9000)
	small := p.vlan("small", trunk, 31, 1500)
	// The VLANs, unchanged, are planned first, as Terraform plans every
	// resource of the configuration.
	plan := func() *poolnet.Model {
		m := p.plan()
		judge(t, m, vlanUpdate(jumbo, "jumbo", trunk, 30, 9000))
		judge(t, m, vlanUpdate(small, "small", trunk, 31, 1500))
		return m
	}
	wantFindings(t, "storage on the jumbo VLAN", judge(t, plan(), ipCreate(known(jumbo), p.numbered("10.0.30.", 11), "Storage")))
	j := judge(t, plan(), ipCreate(known(jumbo), p.numbered("10.0.30.", 11), "Secondary management"))
	wantFindings(t, "management on the jumbo VLAN", j, "error management-mtu at purpose")
	wantDetail(t, j, `has purpose "Secondary management", which makes it a management interface`)
	wantFindings(t, "management on a VLAN at 1500 over the jumbo bond",
		judge(t, plan(), ipCreate(known(small), p.numbered("10.0.31.", 11), "Management")))
}

func TestPlanJudgesTheManagementInterface(t *testing.T) {
	t.Run("onto a jumbo VLAN", func(t *testing.T) {
		p := newPlanPool(t, 2, 4)
		trunk := p.bond("trunk", 9000, false, "eth2", "eth3")
		jumbo := p.vlan("jumbo", trunk, 10, 9000)
		m := p.plan()
		judge(t, m, vlanUpdate(jumbo, "jumbo", trunk, 10, 9000))
		j := judge(t, m, managementCreate(known(jumbo)))
		wantFindings(t, "jumbo", j, "error management-mtu at network_id")
		wantDetail(t, j, `the xsnet_management_interface moves it onto VLAN "jumbo"`)
		wantFindings(t, "at 1500 over the jumbo bond", judge(t, p.plan(), managementCreate(known(p.vlan("mgmt", trunk, 11, 1500)))))
	})
	t.Run("beside a bond with management = true", func(t *testing.T) {
		p := newPlanPool(t, 2, 6)
		vlan := p.vlan("mgmt", p.nicNetwork("eth1"), 10, 1500)
		m := p.plan()
		wantFindings(t, "bond", judge(t, m, bondCreate("b", 1500, known(true), "eth4", "eth5")))
		wantFindings(t, "management interface", judge(t, m, managementCreate(known(vlan))), "error management-single at network_id")
	})
	t.Run("destroyed, returning management onto a network raised since", func(t *testing.T) {
		p := newPlanPool(t, 2, 4)
		b := p.bond("b", 1500, false, "eth2", "eth3")
		vlan := p.vlan("mgmt", p.nicNetwork("eth1"), 10, 1500)
		// Management on a bond made by hand, then an interface moves it
		// to the VLAN, and the bond is raised to 9000.
		if err := p.history.PlaceManagement(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if err := p.history.ReturnManagement(context.Background()); err != nil {
			t.Fatal(err)
		}
		moveManagementTo(t, p, b)
		if err := p.history.PlaceManagement(context.Background(), vlan); err != nil {
			t.Fatal(err)
		}
		m := p.plan()
		wantFindings(t, "bond raised", judge(t, m, bondUpdate(b, "b", 9000, guardrail.Null[bool]())))
		j := judge(t, m, managementDelete(p))
		wantFindings(t, "management interface destroyed", j, "error management-mtu at network_id")
		wantDetail(t, j, `destroying the xsnet_management_interface returns management to bond "b"`)
	})
	t.Run("moved from a bond to a VLAN in one plan", func(t *testing.T) {
		p := newPlanPool(t, 2, 6)
		a := p.bond("a", 1500, true, "eth2", "eth3")
		vlan := p.vlan("mgmt", p.nicNetwork("eth1"), 10, 1500)
		m := p.plan()
		wantFindings(t, "bond gives it up", judge(t, m, bondUpdate(a, "a", 1500, known(false))))
		wantFindings(t, "management interface takes it", judge(t, m, managementCreate(known(vlan))))
	})
}

func TestPlanRefusesAJoinOntoAnotherManagementVLAN(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	join := func(vlan int64) poolnet.Change {
		return poolnet.Change{Kind: poolnet.Create, Join: &poolnet.JoinChange{Address: "xs5.example.com", Host: guardrail.JoiningHost{
			Name: "xs5", ManagementDevice: "eth1", ManagementVLAN: vlan, NICs: []string{"eth0", "eth1", "eth2", "eth3"},
			NetworkBackend: guardrail.BackendOpenvswitch}}}
	}
	j := judge(t, p.plan(), join(10))
	wantFindings(t, "on VLAN 10", j, "error pool-join-host at join.xs5.example.com")
	wantDetail(t, j, "Host xs5 has its management on VLAN 10, and the pool master's would be untagged")
	wantFindings(t, "untagged", judge(t, p.plan(), join(-1)))

	// The plan moves the pool's management onto VLAN 10: not in the
	// same apply as the join.
	vlan := p.vlan("mgmt", p.nicNetwork("eth1"), 10, 1500)
	m := p.plan()
	wantFindings(t, "management interface", judge(t, m, managementCreate(known(vlan))))
	j = judge(t, m, join(10))
	wantFindings(t, "join in the same plan", j, "error pool-join-host at join.xs5.example.com")
	wantDetail(t, j, "Move the pool's management in one apply, and join the host in the next.")
}

func TestPlanRefusesAJoiningNICThatRefusedTheBondsMTU(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	storage := p.bond("storage", 9000, false, "eth2", "eth3")
	join := poolnet.Change{Kind: poolnet.Create, Join: &poolnet.JoinChange{Address: "xs5.example.com", Host: guardrail.JoiningHost{
		Name: "xs5", ManagementDevice: "eth0", ManagementVLAN: -1, NICs: []string{"eth0", "eth1", "eth2", "eth3"},
		NetworkBackend: guardrail.BackendOpenvswitch, RefusedMTU: map[string]int64{"eth3": 9000}}}}
	m := p.plan()
	wantFindings(t, "the bond", judge(t, m, bondUpdate(storage, "storage", 9000, guardrail.Null[bool]())))
	j := judge(t, m, join)
	wantFindings(t, "the join", j, "error pool-join-host at join.xs5.example.com")
	wantDetail(t, j, "NIC eth3 of host xs5 came up below MTU 9000")
}

// xapi has no field for the largest MTU a NIC takes: a standalone host's
// NIC that came up below its own network's MTU is the evidence there is,
// and what a join is judged by.
func TestJoiningHostFactsShowARefusedMTU(t *testing.T) {
	ctx := context.Background()
	sim := xapisim.Run(t, xapisim.Config{Hosts: 1, NICs: 4, Standalone: 1, NICMaxMTU: map[string]int64{"eth3": 1500}})
	joiner := newClient(t, sim.StandaloneURLs()[0], sim)
	snap, err := poolnet.TakeSnapshot(ctx, joiner)
	if err != nil {
		t.Fatal(err)
	}
	host := snap.HostRefs()[0]
	for _, d := range []string{"eth2", "eth3"} {
		ref, pif, _ := snap.DevicePIF(host, d)
		if err := joiner.NetworkSetMTU(ctx, pif.Network, 9000); err != nil {
			t.Fatal(err)
		}
		if err := joiner.PIFPlug(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	if snap, err = poolnet.TakeSnapshot(ctx, joiner); err != nil {
		t.Fatal(err)
	}
	facts := snap.JoiningHostFacts()
	if len(facts.RefusedMTU) != 1 || facts.RefusedMTU["eth3"] != 9000 {
		t.Errorf("refused MTUs %v, want eth3 refusing 9000 alone", facts.RefusedMTU)
	}
}
