package poolnet_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// The plan ledger and the end state: each test builds a pool's history
// through the model (as earlier applies would), then plans changes the way
// Terraform sends them, one resource at a time, and reads what each one is
// told.

// planPool is a pool for plan tests: a model that makes history, and a
// fresh model per plan, as each terraform run is a new provider process.
type planPool struct {
	t       *testing.T
	sim     *xapisim.Sim
	client  *xenapi.Client
	history *poolnet.Model
}

func newPlanPool(t *testing.T, hosts, nics int) *planPool {
	t.Helper()
	sim, c, m := newModel(t, xapisim.Config{Hosts: hosts, NICs: nics}, poolnet.Options{MaxAge: time.Nanosecond})
	return &planPool{t: t, sim: sim, client: c, history: m}
}

// plan is one terraform plan: a new model, whose ledger starts empty.
func (p *planPool) plan() *poolnet.Model {
	return poolnet.NewModel(p.client, poolnet.Options{})
}

func (p *planPool) bond(name string, mtu int64, management bool, members ...string) string {
	p.t.Helper()
	id, err := p.history.CreateBond(context.Background(), poolnet.BondSpec{NameLabel: name, Members: members,
		Mode: xenapi.BondModeBalanceSLB, MTU: mtu, Management: management})
	if err != nil {
		p.t.Fatal(err)
	}
	return id
}

func (p *planPool) vlan(name, parent string, tag, mtu int64) string {
	p.t.Helper()
	id, err := p.history.CreateVLAN(context.Background(), poolnet.VLANSpec{NameLabel: name, ParentNetworkUUID: parent, Tag: tag, MTU: mtu})
	if err != nil {
		p.t.Fatal(err)
	}
	return id
}

func (p *planPool) nicNetwork(device string) string {
	p.t.Helper()
	return masterNICNetwork(p.t, snapshot(p.t, p.history), device)
}

// masterNICNetwork is the UUID of the network of the master's NIC device,
// the pool-wide network of that NIC.
func masterNICNetwork(t *testing.T, s *poolnet.Snapshot, device string) string {
	t.Helper()
	_, pif, ok := s.DevicePIF(s.Pool.Master, device)
	if !ok {
		t.Fatalf("no %s on the master", device)
	}
	return s.Networks.Get(pif.Network).UUID
}

// findings renders a judgement as "<severity> <rule> at <path>".
func findings(j poolnet.Judgement) []string {
	var out []string
	for _, d := range j.Diagnostics {
		out = append(out, d.Severity.String()+" "+d.Rule+" at "+strings.Join(d.Path, "."))
	}
	for _, u := range j.Undecided {
		out = append(out, "undecided "+u.Rule+" at "+strings.Join(u.Path, "."))
	}
	slices.Sort(out)
	return out
}

func judge(t *testing.T, m *poolnet.Model, c poolnet.Change) poolnet.Judgement {
	t.Helper()
	j, err := m.Plan(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func wantFindings(t *testing.T, what string, j poolnet.Judgement, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := findings(j); !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q\n%v", what, got, want, j.Diagnostics)
	}
}

func wantDetail(t *testing.T, j poolnet.Judgement, fragments ...string) {
	t.Helper()
	var all strings.Builder
	for _, d := range j.Diagnostics {
		all.WriteString(d.Detail + "\n")
	}
	for _, f := range fragments {
		if !strings.Contains(all.String(), f) {
			t.Errorf("details lack %q:\n%s", f, all.String())
		}
	}
}

func known[T any](v T) guardrail.Value[T] { return guardrail.Known(v) }

func bondUpdate(id, name string, mtu int64, management guardrail.Value[bool]) poolnet.Change {
	return poolnet.Change{Kind: poolnet.Update, ID: id, Name: name, Bond: &poolnet.BondChange{
		Members: guardrail.Unknown[[]string](), MTU: known(mtu), Management: management}}
}

func bondCreate(name string, mtu int64, management guardrail.Value[bool], members ...string) poolnet.Change {
	return poolnet.Change{Kind: poolnet.Create, Name: name, Bond: &poolnet.BondChange{
		Members: known(members), MTU: known(mtu), Management: management}}
}

func bondDelete(id, name string) poolnet.Change {
	return poolnet.Change{Kind: poolnet.Delete, ID: id, Name: name, Bond: &poolnet.BondChange{}}
}

func vlanCreate(name string, parent guardrail.Value[string], tag, mtu int64) poolnet.Change {
	return poolnet.Change{Kind: poolnet.Create, Name: name, VLAN: &poolnet.VLANChange{Parent: parent, Tag: known(tag), MTU: known(mtu)}}
}

func vlanUpdate(id, name, parent string, tag, mtu int64) poolnet.Change {
	return poolnet.Change{Kind: poolnet.Update, ID: id, Name: name, VLAN: &poolnet.VLANChange{Parent: known(parent), Tag: known(tag), MTU: known(mtu)}}
}

// Management went onto bond y, then onto bond x, which records y as where
// it came from; y then became a 9000 storage bond. Giving up management on
// x, or destroying x, would return it to y at MTU 9000.
func TestPlanRefusesReturningManagementOntoAJumboBond(t *testing.T) {
	history := func(t *testing.T) (*planPool, string, string) {
		p := newPlanPool(t, 3, 6)
		y := p.bond("y", 1500, true, "eth2", "eth3")
		x := p.bond("x", 1500, true, "eth4", "eth5")
		if err := p.history.UpdateBond(context.Background(), y, poolnet.BondSpec{NameLabel: "y", Members: []string{"eth2", "eth3"},
			Mode: xenapi.BondModeBalanceSLB, MTU: 9000}); err != nil {
			t.Fatal(err)
		}
		return p, x, y
	}
	// Terraform plans every resource of the configuration, y unchanged
	// too: whichever of x and y comes second is told.
	t.Run("management = false on x, y planned first", func(t *testing.T) {
		p, x, y := history(t)
		m := p.plan()
		wantFindings(t, "y", judge(t, m, bondUpdate(y, "y", 9000, guardrail.Null[bool]())))
		j := judge(t, m, bondUpdate(x, "x", 1500, known(false)))
		wantFindings(t, "x", j, "error management-mtu at management")
		wantDetail(t, j, `on bond "y" (MTU 9000)`, `management = false on bond "x" returns management to bond "y"`, "two applies")
	})
	t.Run("management = false on x, y planned second", func(t *testing.T) {
		p, x, y := history(t)
		m := p.plan()
		wantFindings(t, "x", judge(t, m, bondUpdate(x, "x", 1500, known(false))))
		j := judge(t, m, bondUpdate(y, "y", 9000, guardrail.Null[bool]()))
		wantFindings(t, "y", j, "error management-mtu at mtu")
		wantDetail(t, j, `management = false on bond "x" returns management to bond "y"`)
	})
	t.Run("x destroyed", func(t *testing.T) {
		p, x, y := history(t)
		m := p.plan()
		wantFindings(t, "y", judge(t, m, bondUpdate(y, "y", 9000, guardrail.Null[bool]())))
		j := judge(t, m, bondDelete(x, "x"))
		wantFindings(t, "x", j, "error management-mtu at ")
		wantDetail(t, j, `destroying bond "x" returns management to bond "y"`)
	})
	// Terraform applies x's change and y's in no set order: y's
	// management = false, or y's destroy, may run before x returns
	// management onto y, and then leaves it there.
	t.Run("management = false on x and on y, either order", func(t *testing.T) {
		for _, xFirst := range []bool{true, false} {
			p, x, y := history(t)
			m := p.plan()
			giveX, giveY := bondUpdate(x, "x", 1500, known(false)), bondUpdate(y, "y", 9000, known(false))
			if !xFirst {
				giveX, giveY = giveY, giveX
			}
			judge(t, m, giveX)
			wantDetail(t, judge(t, m, giveY), `on bond "y" (MTU 9000)`, `management = false on bond "x" returns management to bond "y"`)
		}
	})
	t.Run("x and y destroyed, either order", func(t *testing.T) {
		for _, xFirst := range []bool{true, false} {
			p, x, y := history(t)
			m := p.plan()
			// y is blamed for its MTU, x for moving management there.
			first, second, blamed := bondDelete(x, "x"), bondDelete(y, "y"), "error management-mtu at mtu"
			if !xFirst {
				first, second, blamed = second, first, "error management-mtu at "
			}
			wantFindings(t, "first", judge(t, m, first))
			j := judge(t, m, second)
			wantFindings(t, "second", j, blamed)
			wantDetail(t, j, `on bond "y" (MTU 9000)`, `destroying bond "x" returns management to bond "y"`, "two applies")
		}
	})
	t.Run("x destroyed and y raised in one plan, y planned second", func(t *testing.T) {
		p := newPlanPool(t, 3, 6)
		y := p.bond("y", 1500, true, "eth2", "eth3")
		x := p.bond("x", 1500, true, "eth4", "eth5")
		m := p.plan()
		wantFindings(t, "x first", judge(t, m, bondDelete(x, "x")))
		wantFindings(t, "y second", judge(t, m, bondUpdate(y, "y", 9000, guardrail.Null[bool]())), "error management-mtu at mtu")
	})
	t.Run("y raised first, x destroyed second", func(t *testing.T) {
		p := newPlanPool(t, 3, 6)
		y := p.bond("y", 1500, true, "eth2", "eth3")
		x := p.bond("x", 1500, true, "eth4", "eth5")
		m := p.plan()
		wantFindings(t, "y first", judge(t, m, bondUpdate(y, "y", 9000, guardrail.Null[bool]())))
		wantFindings(t, "x second", judge(t, m, bondDelete(x, "x")), "error management-mtu at ")
	})
}

// A standalone host whose management NIC is eth1 joins a pool with a 9000
// bond over eth1 and eth2: it takes the pool's bonds, and its management
// lands on the jumbo bond.
func TestPlanRefusesAJoinThatLandsManagementOnAJumboBond(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	storage := p.bond("storage", 9000, false, "eth1", "eth2")
	join := func(mgmt string) poolnet.Change {
		return poolnet.Change{Kind: poolnet.Create, Join: &poolnet.JoinChange{Address: "xs5.example.com", Host: guardrail.JoiningHost{
			Name: "xs5", ManagementDevice: mgmt, ManagementVLAN: -1, NICs: []string{"eth0", "eth1", "eth2", "eth3"},
			NetworkBackend: guardrail.BackendOpenvswitch}}}
	}
	m := p.plan()
	wantFindings(t, "the storage bond", judge(t, m, bondUpdate(storage, "storage", 9000, guardrail.Null[bool]())))
	j := judge(t, m, join("eth1"))
	wantFindings(t, "management on eth1", j, "error management-mtu at join.xs5.example.com")
	wantDetail(t, j, "host xs5", `bond "storage" (MTU 9000)`, "its management NIC eth1 is a member")
	m = p.plan()
	wantFindings(t, "the storage bond", judge(t, m, bondUpdate(storage, "storage", 9000, guardrail.Null[bool]())))
	wantFindings(t, "management on eth0", judge(t, m, join("eth0")))
}

// Just before apply, management that the change moves onto an interface
// at MTU 9000 is refused whoever manages that interface. A bond xsnet made
// from another configuration is never planned in this one, so plan leaves
// the violation to it; apply cannot.
func TestCheckApplyRefusesMovingManagementOntoAJumboInterface(t *testing.T) {
	t.Run("a host joining onto a bond managed elsewhere", func(t *testing.T) {
		p := newPlanPool(t, 2, 4)
		p.bond("storage", 9000, false, "eth1", "eth2")
		join := func(mgmt string) poolnet.Change {
			return poolnet.Change{Kind: poolnet.Create, Join: &poolnet.JoinChange{Address: "xs5.example.com", Host: guardrail.JoiningHost{
				Name: "xs5", ManagementDevice: mgmt, ManagementVLAN: -1, NICs: []string{"eth0", "eth1", "eth2", "eth3"},
				NetworkBackend: guardrail.BackendOpenvswitch}}}
		}
		wantFindings(t, "plan, the bond not planned", judge(t, p.plan(), join("eth1")))
		wantFindings(t, "apply", checkApply(t, p.plan(), join("eth1")), "error management-mtu at join.xs5.example.com")
		wantFindings(t, "apply, management on eth0", checkApply(t, p.plan(), join("eth0")))
	})
	t.Run("management = false returning management to a bond managed elsewhere", func(t *testing.T) {
		p := newPlanPool(t, 3, 6)
		y := p.bond("y", 1500, true, "eth2", "eth3")
		x := p.bond("x", 1500, true, "eth4", "eth5")
		if err := p.history.UpdateBond(context.Background(), y, poolnet.BondSpec{NameLabel: "y", Members: []string{"eth2", "eth3"},
			Mode: xenapi.BondModeBalanceSLB, MTU: 9000}); err != nil {
			t.Fatal(err)
		}
		give := bondUpdate(x, "x", 1500, known(false))
		wantFindings(t, "plan, y not planned", judge(t, p.plan(), give))
		wantFindings(t, "apply", checkApply(t, p.plan(), give), "error management-mtu at management")
	})
}

func checkApply(t *testing.T, m *poolnet.Model, c poolnet.Change) poolnet.Judgement {
	t.Helper()
	j, err := m.CheckApply(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// Management on a VLAN, moved there by hand: raising the VLAN's MTU moves
// the management interface to MTU 9000.
func TestPlanRefusesAJumboManagementVLAN(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	parent := p.bond("trunk", 9000, false, "eth2", "eth3")
	v := p.vlan("mgmt", parent, 10, 1500)
	moveManagementTo(t, p, v)
	m := p.plan()
	wantFindings(t, "the trunk, unchanged", judge(t, m, bondUpdate(parent, "trunk", 9000, guardrail.Null[bool]())))
	wantFindings(t, "VLAN raised", judge(t, m, vlanUpdate(v, "mgmt", parent, 10, 9000)), "error management-mtu at mtu")
}

// moveManagementTo moves every host's management onto its PIF on the
// network, by hand, as an operator with xe would.
func moveManagementTo(t *testing.T, p *planPool, network string) {
	t.Helper()
	ctx := context.Background()
	s := snapshot(t, p.history)
	netRef, _, _ := s.NetworkByUUID(network)
	for i, host := range s.HostRefs() {
		pifRef, _, _ := s.NetworkPIF(host, netRef)
		if err := p.client.PIFReconfigureIP(ctx, pifRef, xenapi.IPConfigurationStatic,
			"198.51.100."+string(rune('1'+i)), "255.255.255.0", "", ""); err != nil {
			t.Fatal(err)
		}
		if err := p.client.HostManagementReconfigure(ctx, pifRef); err != nil {
			t.Fatal(err)
		}
	}
}

// A pool whose management is on a jumbo bond made outside xsnet breaks the
// rule already: the model says so, and an unrelated change is not blamed.
func TestPlanLeavesAPreexistingViolationToItsOwner(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	ctx := context.Background()
	// Made by hand: a bond over the management NIC, at 9000.
	s := snapshot(t, p.history)
	netRef, err := p.client.NetworkCreate(ctx, xenapi.Network{NameLabel: "by hand", MTU: 9000, OtherConfig: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range s.HostRefs() {
		a, _, _ := s.DevicePIF(host, "eth0")
		b, _, _ := s.DevicePIF(host, "eth1")
		if _, err := p.client.BondCreate(ctx, netRef, []xenapi.Ref{a, b}, "", xenapi.BondModeBalanceSLB, nil); err != nil {
			t.Fatal(err)
		}
	}
	m := p.plan()
	violations, err := m.Violations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(violations) != 1 || violations[0].Rule != guardrail.IDManagementMTU || len(violations[0].Hosts) != 2 {
		t.Fatalf("violations now: %v, want the jumbo management bond on both hosts", violations)
	}
	wantFindings(t, "an unrelated VLAN", judge(t, m, vlanCreate("v", known(p.nicNetwork("eth2")), 20, 1500)))
}

// Two resources of one plan that clash: whichever is planned second is
// told, whatever the order.
func TestPlanRefusesTheSecondOfTwoClashingResources(t *testing.T) {
	t.Run("two VLANs on one parent and tag", func(t *testing.T) {
		p := newPlanPool(t, 2, 4)
		parent := known(p.nicNetwork("eth2"))
		m := p.plan()
		wantFindings(t, "first", judge(t, m, vlanCreate("a", parent, 100, 1500)))
		wantFindings(t, "second", judge(t, m, vlanCreate("b", parent, 100, 1500)), "error vlan-tag-unique at tag")
	})
	t.Run("a VLAN at 9000 over a bond planned at 1500", func(t *testing.T) {
		p := newPlanPool(t, 2, 4)
		m := p.plan()
		wantFindings(t, "bond", judge(t, m, bondCreate("b", 1500, guardrail.Null[bool](), "eth2", "eth3")))
		wantFindings(t, "VLAN", judge(t, m, vlanCreate("v", guardrail.Unknown[string](), 100, 9000)), "error vlan-mtu-parent at mtu")
	})
	t.Run("a parent lowered under its VLAN, parent planned first", func(t *testing.T) {
		p := newPlanPool(t, 2, 4)
		b := p.bond("b", 9000, false, "eth2", "eth3")
		v := p.vlan("v", b, 100, 9000)
		m := p.plan()
		wantFindings(t, "bond", judge(t, m, bondUpdate(b, "b", 1500, guardrail.Null[bool]())))
		wantFindings(t, "VLAN", judge(t, m, vlanUpdate(v, "v", b, 100, 9000)), "error vlan-mtu-parent at mtu")
	})
	t.Run("a parent lowered under its VLAN, VLAN planned first", func(t *testing.T) {
		p := newPlanPool(t, 2, 4)
		b := p.bond("b", 9000, false, "eth2", "eth3")
		v := p.vlan("v", b, 100, 9000)
		m := p.plan()
		wantFindings(t, "VLAN", judge(t, m, vlanUpdate(v, "v", b, 100, 9000)))
		wantFindings(t, "bond", judge(t, m, bondUpdate(b, "b", 1500, guardrail.Null[bool]())), "error vlan-mtu-parent at mtu")
	})
	t.Run("both lowered together passes", func(t *testing.T) {
		p := newPlanPool(t, 2, 4)
		b := p.bond("b", 9000, false, "eth2", "eth3")
		v := p.vlan("v", b, 100, 9000)
		m := p.plan()
		wantFindings(t, "bond", judge(t, m, bondUpdate(b, "b", 1500, guardrail.Null[bool]())))
		wantFindings(t, "VLAN", judge(t, m, vlanUpdate(v, "v", b, 100, 1500)))
	})
	t.Run("two bonds asking for management", func(t *testing.T) {
		p := newPlanPool(t, 2, 6)
		m := p.plan()
		wantFindings(t, "first", judge(t, m, bondCreate("a", 1500, known(true), "eth2", "eth3")))
		wantFindings(t, "second", judge(t, m, bondCreate("b", 1500, known(true), "eth4", "eth5")), "error management-single at management")
	})
	t.Run("two bonds claiming one NIC", func(t *testing.T) {
		p := newPlanPool(t, 2, 6)
		m := p.plan()
		wantFindings(t, "first", judge(t, m, bondCreate("a", 1500, guardrail.Null[bool](), "eth2", "eth3")))
		wantFindings(t, "second", judge(t, m, bondCreate("b", 1500, guardrail.Null[bool](), "eth3", "eth4")), "error bond-member-free at members")
	})
}

// What the old per-resource checks refused and the end state allows.
func TestPlanAllowsWhatEndsWell(t *testing.T) {
	t.Run("management moved from bond a to bond b in one plan, either order", func(t *testing.T) {
		for _, aFirst := range []bool{true, false} {
			p := newPlanPool(t, 2, 6)
			a := p.bond("a", 1500, false, "eth0", "eth1") // xapi moved management onto it with eth0
			m := p.plan()
			give := bondUpdate(a, "a", 1500, known(false))
			take := bondCreate("b", 1500, known(true), "eth2", "eth3")
			first, second := give, take
			if !aFirst {
				first, second = take, give
			}
			j1, j2 := judge(t, m, first), judge(t, m, second)
			if aFirst {
				// Until b is planned, where management goes is open; apply
				// waits for it.
				wantFindings(t, "a first", j1, "undecided management-mtu at mtu", "undecided management-mtu at mtu")
				wantFindings(t, "b second", j2)
				if v, ok := j2.Management.Get(); !ok || !v {
					t.Errorf("b, planned second, should show management = true: %v", j2.Management)
				}
			} else {
				wantFindings(t, "b first", j1)
				wantFindings(t, "a second", j2)
				if v, ok := j2.Management.Get(); !ok || v {
					t.Errorf("a, planned second, should show management = false: %v", j2.Management)
				}
			}
		}
	})
	t.Run("a 1500 management bond replaced by a 9000 bond on other NICs", func(t *testing.T) {
		p := newPlanPool(t, 2, 6)
		old := p.bond("mgmt", 1500, false, "eth0", "eth1")
		m := p.plan()
		// Terraform plans a replacement twice: against the state, then as
		// a create.
		wantFindings(t, "the old bond", judge(t, m, bondDelete(old, "mgmt")))
		j := judge(t, m, bondCreate("mgmt", 9000, guardrail.Null[bool](), "eth2", "eth3"))
		wantFindings(t, "the new bond", j)
		if v, ok := j.Management.Get(); !ok || v {
			t.Errorf("management should return to eth0, not the new bond: %v", j.Management)
		}
	})
	t.Run("bonding NICs that carry VLANs moves them, and says so", func(t *testing.T) {
		p := newPlanPool(t, 2, 4)
		p.vlan("storage", p.nicNetwork("eth2"), 20, 1500)
		j := judge(t, p.plan(), bondCreate("b", 1500, guardrail.Null[bool](), "eth2", "eth3"))
		wantFindings(t, "bond", j)
		if len(j.Moves) != 1 || !strings.Contains(j.Moves[0], `VLAN "storage" of hosts`) {
			t.Errorf("moves: %q, want the VLAN named", j.Moves)
		}
	})
	t.Run("bonding the NIC under a management VLAN moves management with it", func(t *testing.T) {
		p := newPlanPool(t, 2, 4)
		v := p.vlan("mgmt", p.nicNetwork("eth2"), 10, 1500)
		moveManagementTo(t, p, v)
		j := judge(t, p.plan(), bondCreate("b", 1500, guardrail.Null[bool](), "eth2", "eth3"))
		wantFindings(t, "bond at 1500", j)
		if len(j.Moves) != 1 || !strings.Contains(j.Moves[0], "the management interface") {
			t.Errorf("moves: %q, want management named", j.Moves)
		}
		// The management VLAN keeps its own MTU on a jumbo bond.
		wantFindings(t, "bond at 9000", judge(t, p.plan(), bondCreate("b", 9000, guardrail.Null[bool](), "eth2", "eth3")))
	})
}

// A destroy is judged by where management ends up, and by nothing a create
// would make.
func TestPlanJudgesADestroyByWhereManagementEnds(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	b := p.bond("b", 1500, false, "eth2", "eth3")
	p.vlan("v", b, 100, 1500)
	wantFindings(t, "destroying a bond with a VLAN on it", judge(t, p.plan(), bondDelete(b, "b")))
}

// A VLAN that carries management cannot be destroyed: xapi refuses it
// half-way, once the VLAN is gone from the other hosts.
func TestPlanRefusesDestroyingTheManagementVLAN(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	v := p.vlan("mgmt", p.nicNetwork("eth2"), 10, 1500)
	moveManagementTo(t, p, v)
	j := judge(t, p.plan(), poolnet.Change{Kind: poolnet.Delete, ID: v, Name: "mgmt", VLAN: &poolnet.VLANChange{}})
	wantFindings(t, "destroying the management VLAN", j, "error management-kept at ")
	wantDetail(t, j, "carries the management interface of hosts xs-host-1, xs-host-2", "Move management off it first")
}
