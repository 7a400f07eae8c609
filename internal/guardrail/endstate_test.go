package guardrail

import (
	"slices"
	"strings"
	"testing"
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
		h := &PoolHost{Name: name, Management: "net-eth0", NICs: map[string]*PoolNIC{}, VLANParents: map[string]string{}}
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
		h.VLANParents[id] = parent
	}
	return p
}

func (p *Pool) wants(id string) *Pool   { p.Networks[id].WantsManagement = true; return p }
func (p *Pool) refuses(id string) *Pool { p.Networks[id].RefusesManagement = true; return p }

// managementOn puts every host's management on the network, moved there
// by mover ("" when it is there already).
func (p *Pool) managementOn(id, mover, how string) *Pool {
	for _, h := range p.Hosts {
		h.Management, h.MovedBy, h.MovedHow = id, mover, how
	}
	return p
}

func (p *Pool) mtu(id string, mtu Value[int64]) *Pool { p.Networks[id].MTU = mtu; return p }

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
