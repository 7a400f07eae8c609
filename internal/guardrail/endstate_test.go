package guardrail

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/table"
)

// endPool is a three-host pool as installed, as the end-state rules see
// it: NICs eth0 to eth3 on networks net-eth0 to net-eth3 at MTU 1500, and
// management on eth0. The builders below change it the way poolnet's end
// state would.
func endPool() *Pool {
	p := &Pool{Networks: map[string]*PoolNetwork{}}
	for _, d := range []string{"eth0", "eth1", "eth2", "eth3"} {
		p.Networks["net-"+d] = &PoolNetwork{ID: "net-" + d, Name: "Pool-wide network " + d, Kind: NetworkNIC,
			MTU: Known[int64](1500), Parent: Null[string](), Tag: Null[int64]()}
	}
	for _, name := range []string{"xs1", "xs2", "xs3"} {
		h := &PoolHost{Name: name, Management: "net-eth0", NICs: map[string]*PoolNIC{}}
		for _, d := range []string{"eth0", "eth1", "eth2", "eth3"} {
			h.NICs[d] = &PoolNIC{Network: "net-" + d}
		}
		p.Hosts = append(p.Hosts, h)
	}
	return p
}

// bond adds a bond of the members on every host; management on a member
// moves onto it, moved by the bond.
func (p *Pool) bond(id, name string, mtu int64, members ...string) *Pool {
	p.Networks[id] = &PoolNetwork{ID: id, Name: name, Kind: NetworkBond, MTU: Known(mtu), Parent: Null[string](), Tag: Null[int64]()}
	for _, h := range p.Hosts {
		for _, d := range members {
			h.NICs[d].Bonds = append(h.NICs[d].Bonds, id)
			if h.Management == h.NICs[d].Network {
				h.Management, h.MovedBy, h.MovedHow = id, id, d+" is a member"
			}
		}
	}
	return p
}

// vlan adds a VLAN over the parent on every host.
func (p *Pool) vlan(id, name, parent string, tag, mtu int64) *Pool {
	p.Networks[id] = &PoolNetwork{ID: id, Name: name, Kind: NetworkVLAN, MTU: Known(mtu), Parent: Known(parent), Tag: Known(tag)}
	for _, h := range p.Hosts {
		h.SetVLANParent(id, parent)
	}
	return p
}

func (p *Pool) wants(id string) *Pool { p.Networks[id].WantsManagement = true; return p }

func (p *Pool) purpose(id string, v Value[string]) *Pool { p.IPInterfaces[id].Purpose = v; return p }
func (p *Pool) refuses(id string) *Pool                  { p.Networks[id].RefusesManagement = true; return p }

// managementOn puts every host's management on the network, moved there
// by mover ("" when it is there already).
func (p *Pool) managementOn(id, mover, how string) *Pool {
	for _, h := range p.Hosts {
		h.Management, h.MovedBy, h.MovedHow = id, mover, how
	}
	return p
}

func (p *Pool) mtu(id string, mtu Value[int64]) *Pool { p.Networks[id].MTU = mtu; return p }

// ip adds an IP interface on the network, giving hosts xs1, xs2, ... the
// addresses in order; a purpose of "" is none.
func (p *Pool) ip(id, network, purpose string, addrs ...string) *Pool {
	if p.IPInterfaces == nil {
		p.IPInterfaces = map[string]*PoolIPInterface{}
	}
	byHost := map[string]string{}
	for i, a := range addrs {
		byHost[p.Hosts[i].Name] = a
	}
	p.IPInterfaces[id] = &PoolIPInterface{ID: id, Network: network, Addresses: Known(byHost), Purpose: Known(purpose)}
	return p
}

// hostIP gives a host an address on a network, as the pool has it.
func (p *Pool) hostIP(host, network, addr string) *Pool {
	for _, h := range p.Hosts {
		if h.Name == host {
			if h.IPs == nil {
				h.IPs = map[string]string{}
			}
			h.IPs[network] = addr
		}
	}
	return p
}

// managementInterface asks for every host's management on the network,
// and moves it there, as poolnet's end state does.
func (p *Pool) managementInterface(id, network string) *Pool {
	if p.ManagementInterfaces == nil {
		p.ManagementInterfaces = map[string]string{}
	}
	p.ManagementInterfaces[id] = network
	return p.managementOn(network, id, "the xsnet_management_interface moves it there")
}

// withMaster makes xs1 the pool master, its management untagged now.
func (p *Pool) withMaster() *Pool {
	p.Hosts[0].Master, p.Hosts[0].ManagementVLANNow = true, Known[int64](-1)
	return p
}

// join adds host xs5 as the plan joins it: NICs eth0 to eth3 on the
// pool's networks, the pool's bonds over them, management untagged on
// eth0 unless vlan says a tag.
func (p *Pool) join(vlan int64, refused map[string]int64) *Pool {
	h := &PoolHost{Name: "xs5", Management: "net-eth0", NICs: map[string]*PoolNIC{},
		ManagementVLANNow: Unknown[int64](), JoinedBy: "join-xs5",
		Joining: &JoiningHost{Name: "xs5", ManagementVLAN: vlan, RefusedMTU: refused}}
	for _, d := range []string{"eth0", "eth1", "eth2", "eth3"} {
		h.NICs[d] = &PoolNIC{Network: "net-" + d}
		for id, n := range p.Networks {
			if n.Kind == NetworkBond && slices.Contains(p.Hosts[0].NICs[d].Bonds, id) {
				h.NICs[d].Bonds = append(h.NICs[d].Bonds, id)
			}
		}
	}
	p.Hosts = append(p.Hosts, h)
	return p
}

// endResult is the end state's findings as diagnostics, for tables shared
// with the per-resource rules.
func endResult(p *Pool) Result {
	var r Result
	res := CheckPool(p)
	for _, v := range res.Violations {
		r.Diagnostics = append(r.Diagnostics, Diagnostic{Rule: v.Rule, Severity: Error, Path: v.Path, Summary: v.Summary, Detail: v.Detail})
	}
	for _, u := range res.Pending {
		r.Undecided = append(r.Undecided, Undecided{Rule: u.Rule, Reason: u.Reason})
	}
	return r
}

// violation renders a finding as "<rule> values=<ids> movers=<ids>
// hosts=<names>", the form the table states its expectations in.
func violation(v Violation) string {
	return v.Rule + " values=" + strings.Join(v.Values, ",") + " movers=" + strings.Join(v.Movers, ",") +
		" hosts=" + strings.Join(v.Hosts, ",")
}

func TestCheckPool(t *testing.T) {
	tests := []struct {
		name       string
		pool       *Pool
		violations []string
		pending    []string
		details    []string
	}{
		{name: "a pool as installed passes", pool: endPool()},
		{
			name:       "management on a jumbo bond made over the management NIC",
			pool:       endPool().bond("net-b", "b", 9000, "eth0", "eth1"),
			violations: []string{"management-mtu values=net-b movers= hosts=xs1,xs2,xs3"},
			details: []string{`The management interface of hosts xs1, xs2, xs3 would be on bond "b" (MTU 9000)`,
				"because eth0 is a member", "drop out of the pool after a reboot", "MTU 1500"},
		},
		{
			name:       "management returned by another change onto a jumbo bond blames both",
			pool:       endPool().bond("net-y", "y", 9000, "eth2", "eth3").managementOn("net-y", "net-x", `destroying bond "x" returns management to bond "y"`),
			violations: []string{"management-mtu values=net-y movers=net-x hosts=xs1,xs2,xs3"},
			details:    []string{`because destroying bond "x" returns management to bond "y"`, "do it in two applies"},
		},
		{
			name: "management on a VLAN at 1500 over a jumbo bond passes",
			pool: endPool().bond("net-s", "storage", 9000, "eth2", "eth3").vlan("net-m", "mgmt", "net-s", 10, 1500).
				managementOn("net-m", "", ""),
		},
		{
			name:       "management on a jumbo VLAN",
			pool:       endPool().vlan("net-m", "mgmt", "net-eth2", 10, 9000).mtu("net-eth2", Known[int64](9000)).managementOn("net-m", "", ""),
			violations: []string{"management-mtu values=net-m movers= hosts=xs1,xs2,xs3"},
			details:    []string{`on VLAN "mgmt" (MTU 9000)`},
		},
		{
			name:       "only the hosts whose management is there",
			pool:       endPool().mtu("net-eth1", Known[int64](9000)).managementOn("net-eth0", "", ""),
			violations: nil,
		},
		{
			name:    "an MTU not known yet leaves the management rule open",
			pool:    endPool().bond("net-b", "b", 1500, "eth0", "eth1").mtu("net-b", Unknown[int64]()),
			pending: []string{"management-mtu net-b", "management-mtu net-b", "management-mtu net-b"},
		},
		{
			name: "management released with nowhere to go waits for a taker",
			pool: func() *Pool {
				p := endPool().bond("net-a", "a", 9000, "eth0", "eth1")
				for _, h := range p.Hosts {
					h.Releasing = true
				}
				return p
			}(),
			pending: []string{"management-mtu net-a", "management-mtu net-a", "management-mtu net-a"},
		},
		{
			name: "two bonds asking for management",
			pool: endPool().bond("net-a", "a", 1500, "eth0", "eth1").wants("net-a").
				bond("net-b", "b", 1500, "eth2", "eth3").wants("net-b"),
			violations: []string{"management-single values=net-a,net-b movers= hosts=xs1,xs2,xs3"},
			details:    []string{`Both bond "a" and bond "b" ask for the management interface`},
		},
		{
			name:       "management = false on a bond that carries management all the same",
			pool:       endPool().bond("net-a", "a", 1500, "eth0", "eth1").refuses("net-a"),
			violations: []string{"management-member values=net-a movers= hosts=xs1,xs2,xs3"},
			details:    []string{`management = false, but bond "a" would carry the management interface of hosts xs1, xs2, xs3: eth0 is a member`},
		},
		{
			name:       "a VLAN above its parent's MTU",
			pool:       endPool().vlan("net-v", "v", "net-eth2", 100, 9000),
			violations: []string{"vlan-mtu-parent values=net-v,net-eth2 movers= hosts="},
			details:    []string{`VLAN "v" would have MTU 9000 over NIC network "Pool-wide network eth2" with MTU 1500`},
		},
		{
			name:    "a VLAN over a parent whose MTU is not known yet",
			pool:    endPool().vlan("net-v", "v", "net-eth2", 100, 9000).mtu("net-eth2", Unknown[int64]()),
			pending: []string{"vlan-mtu-parent net-eth2"},
		},
		{
			name:       "two VLANs on one parent with one tag",
			pool:       endPool().vlan("net-v", "v", "net-eth2", 100, 1500).vlan("net-w", "w", "net-eth2", 100, 1500),
			violations: []string{"vlan-tag-unique values=net-v,net-w movers= hosts="},
			details:    []string{`VLAN "v" and VLAN "w" would all use tag 100`},
		},
		{
			name:       "a management interface and a bond both asking for management",
			pool:       endPool().bond("net-a", "a", 1500, "eth2", "eth3").wants("net-a").vlan("net-m", "mgmt", "net-eth1", 10, 1500).managementInterface("mi", "net-m"),
			violations: []string{"management-single values=net-a,mi movers= hosts=xs1,xs2,xs3"},
			details:    []string{`Both bond "a" and the xsnet_management_interface on VLAN "mgmt" ask for the management interface.`},
		},
		{
			name: "a management interface onto a VLAN at 1500 over a jumbo bond passes",
			pool: endPool().bond("net-s", "storage", 9000, "eth2", "eth3").vlan("net-m", "mgmt", "net-s", 10, 1500).
				managementInterface("mi", "net-m"),
		},
		{
			name:       "a management interface onto a jumbo VLAN blames the VLAN and the move",
			pool:       endPool().vlan("net-m", "mgmt", "net-eth1", 10, 9000).mtu("net-eth1", Known[int64](9000)).managementInterface("mi", "net-m"),
			violations: []string{"management-mtu values=net-m movers=mi hosts=xs1,xs2,xs3"},
			details:    []string{`on VLAN "mgmt" (MTU 9000), because the xsnet_management_interface moves it there`},
		},
		{
			name: "an IP interface whose purpose names management on a jumbo VLAN",
			pool: endPool().bond("net-s", "storage", 9000, "eth2", "eth3").vlan("net-v", "v", "net-s", 30, 9000).
				ip("ip-v", "net-v", "Secondary management", "10.0.30.1", "10.0.30.2", "10.0.30.3"),
			violations: []string{"management-mtu values=net-v movers=ip-v hosts=xs1,xs2,xs3"},
			details:    []string{`has purpose "Secondary management", which makes it a management interface, and VLAN "v" would have MTU 9000`},
		},
		{
			name: "a storage IP interface on a jumbo VLAN passes",
			pool: endPool().bond("net-s", "storage", 9000, "eth2", "eth3").vlan("net-v", "v", "net-s", 30, 9000).
				ip("ip-v", "net-v", "Storage", "10.0.30.1", "10.0.30.2", "10.0.30.3"),
		},
		{
			name:    "a purpose not known yet leaves the rule open",
			pool:    endPool().vlan("net-v", "v", "net-eth2", 30, 1500).ip("ip-v", "net-v", "", "10.0.30.1").purpose("ip-v", Unknown[string]()),
			pending: []string{"management-mtu ip-v"},
		},
		{
			name:       "an address two IP interfaces give",
			pool:       endPool().ip("ip-a", "net-eth2", "", "10.0.0.1", "10.0.0.2").ip("ip-b", "net-eth3", "", "10.0.0.3", "10.0.0.1"),
			violations: []string{"ip-address-unique values=ip-a,ip-b movers= hosts=xs1,xs2"},
			details:    []string{`Address 10.0.0.1 would be on host xs1 on NIC network "Pool-wide network eth2" and host xs2 on NIC network "Pool-wide network eth3".`},
		},
		{
			name:       "an address another PIF has, such as a host's management address",
			pool:       endPool().hostIP("xs2", "net-eth0", "192.0.2.12").ip("ip-a", "net-eth2", "", "192.0.2.12", "10.0.0.2"),
			violations: []string{"ip-address-unique values=ip-a movers= hosts=xs1,xs2"},
			details:    []string{"host xs2 on NIC network \"Pool-wide network eth0\" (configured outside this IP interface)"},
		},
		{
			name: "an IP interface may give the addresses its network had",
			pool: endPool().hostIP("xs1", "net-eth2", "10.0.0.1").ip("ip-a", "net-eth2", "", "10.0.0.1", "10.0.0.2"),
		},
		{
			name: "two addresses the pool has twice are not an IP interface's to blame",
			pool: endPool().hostIP("xs1", "net-eth2", "10.0.0.1").hostIP("xs2", "net-eth2", "10.0.0.1"),
		},
		{
			name:       "an IP interface on the network that carries management",
			pool:       endPool().ip("ip-m", "net-eth0", "", "192.0.2.11", "192.0.2.12", "192.0.2.13"),
			violations: []string{"ip-interface-management values=ip-m movers= hosts=xs1,xs2,xs3"},
			details:    []string{`An IP interface would be on NIC network "Pool-wide network eth0", which would carry the management interface of hosts xs1, xs2, xs3.`},
		},
		{
			name: "an IP interface where a management interface moves management blames both",
			pool: endPool().vlan("net-m", "mgmt", "net-eth1", 10, 1500).managementInterface("mi", "net-m").
				ip("ip-m", "net-m", "", "192.0.2.11", "192.0.2.12", "192.0.2.13"),
			violations: []string{"ip-interface-management values=ip-m movers=mi hosts=xs1,xs2,xs3"},
			details:    []string{"because the xsnet_management_interface moves it there"},
		},
		{
			name:       "a joining host whose management VLAN is not the master's",
			pool:       endPool().withMaster().join(10, nil),
			violations: []string{"pool-join-host values= movers=join-xs5 hosts=xs5"},
			details:    []string{"Host xs5 has its management on VLAN 10, and the pool master's would be untagged", "POOL_JOINING_HOST_MANAGEMENT_VLAN_DOES_NOT_MATCH"},
		},
		{
			name:       "a joining host on the VLAN the plan moves the master's management to waits for another apply",
			pool:       endPool().withMaster().vlan("net-m", "mgmt", "net-eth1", 10, 1500).managementInterface("mi", "net-m").join(10, nil),
			violations: []string{"pool-join-host values= movers=join-xs5,mi hosts=xs5"},
			details:    []string{"the master's is untagged now", "Move the pool's management in one apply, and join the host in the next."},
		},
		{
			name: "a joining host untagged as the master is passes",
			pool: endPool().withMaster().join(-1, nil),
		},
		{
			name:       "a joining NIC that refused the MTU of the bond it joins",
			pool:       endPool().withMaster().bond("net-s", "storage", 9000, "eth2", "eth3").join(-1, map[string]int64{"eth3": 9000}),
			violations: []string{"pool-join-host values=net-s movers=join-xs5 hosts=xs5"},
			details:    []string{`NIC eth3 of host xs5 came up below MTU 9000 on its own network, and joining makes it a member of bond "storage" with MTU 9000`},
		},
		{
			name: "a joining NIC that refused more than the bond's MTU passes",
			pool: endPool().withMaster().bond("net-s", "storage", 1500, "eth2", "eth3").join(-1, map[string]int64{"eth3": 9000}),
		},
		{
			name:       "one NIC in two bonds",
			pool:       endPool().bond("net-a", "a", 1500, "eth2", "eth3").bond("net-b", "b", 1500, "eth3", "eth1"),
			violations: []string{"bond-member-free values=net-a,net-b movers= hosts=xs1,xs2,xs3"},
			details:    []string{"NIC eth3 of hosts xs1, xs2, xs3 would be a member of both"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := CheckPool(tt.pool)
			var got, pending []string
			var details strings.Builder
			for _, v := range res.Violations {
				got = append(got, violation(v))
				details.WriteString(v.Detail + "\n")
				if v.Summary == "" || len(v.Path) == 0 {
					t.Errorf("%s has no summary or attribute", v.Rule)
				}
			}
			for _, p := range res.Pending {
				pending = append(pending, p.Rule+" "+strings.Join(p.Networks, ","))
			}
			if !slices.Equal(got, tt.violations) {
				t.Errorf("violations:\n got  %q\n want %q", got, tt.violations)
			}
			if !slices.Equal(pending, tt.pending) {
				t.Errorf("pending:\n got  %q\n want %q", pending, tt.pending)
			}
			for _, want := range tt.details {
				if !strings.Contains(details.String(), want) {
					t.Errorf("details lack %q:\n%s", want, details.String())
				}
			}
		})
	}
}

func TestViolationKeyIgnoresOrder(t *testing.T) {
	a := Violation{Rule: "r", Values: []string{"x", "y"}, Hosts: []string{"h2", "h1"}}
	b := Violation{Rule: "r", Values: []string{"y"}, Movers: []string{"x"}, Hosts: []string{"h1", "h2"}}
	if a.Key() != b.Key() {
		t.Errorf("keys differ: %q and %q", a.Key(), b.Key())
	}
	if c := (Violation{Rule: "r", Values: []string{"x"}, Hosts: []string{"h1", "h2"}}); c.Key() == a.Key() {
		t.Error("violations with other culprits share a key")
	}
}

// A host's VLANs as a plan leaves them: the plan's changes lie over the
// pool's table, which stays as it was for every other end state sharing
// it.
func TestPlannedVLANsLieOverThePools(t *testing.T) {
	pool := table.Of(map[string]string{"vlan-100": "net-eth1", "vlan-200": "net-eth1"})
	h := &PoolHost{Name: "xs1", VLANParents: pool}
	h.SetVLANParent("vlan-100", "bond-23")
	h.SetVLANParent("vlan-300", "bond-23")
	h.RemoveVLAN("vlan-200")
	h.RemoveVLAN("vlan-400")

	got := maps.Collect(h.VLANs())
	want := map[string]string{"vlan-100": "bond-23", "vlan-300": "bond-23"}
	if !maps.Equal(got, want) {
		t.Errorf("VLANs: got %v, want %v", got, want)
	}
	for vlan, parent := range map[string]string{"vlan-100": "bond-23", "vlan-200": "", "vlan-300": "bond-23", "vlan-400": ""} {
		if p, ok := h.VLANParent(vlan); p != parent || ok != (parent != "") {
			t.Errorf("VLANParent(%s) = %q, %t; want %q, %t", vlan, p, ok, parent, parent != "")
		}
	}
	if !h.hasNetwork("vlan-300") || h.hasNetwork("vlan-200") {
		t.Error("the host's networks do not follow its planned VLANs")
	}
	if got := maps.Collect(pool.All()); !maps.Equal(got, map[string]string{"vlan-100": "net-eth1", "vlan-200": "net-eth1"}) {
		t.Errorf("the pool's table changed: %v", got)
	}
}
