package provider

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// What an operator meets when the pool is not as the configuration left
// it, or the configuration is not what the pool holds: terraform destroy
// with drift in the pool, an import of the wrong kind, a wrong password or
// an unreachable host. Each says what is wrong and what to run next.
// (terraform destroy with unfinished work in the pool is in
// interrupt_test.go, as a killed provider leaves it.)

// flat joins terraform's wrapped output into one line, so that a phrase
// is found wherever terraform broke it.
func flat(out string) string { return strings.Join(strings.Fields(out), " ") }

// wantPhrases checks that terraform's output holds each phrase.
func wantPhrases(t *testing.T, what, out string, phrases ...string) {
	t.Helper()
	for _, p := range phrases {
		if !strings.Contains(flat(out), p) {
			t.Errorf("%s lacks %q:\n%s", what, p, out)
		}
	}
}

// Drift that breaks a guardrail (management moved by hand onto a bond at
// MTU 9000, the outage the guardrails exist to prevent) is warned of, and
// does not stop terraform destroy, which takes management back.
func TestFailures_destroyWithDriftThatBreaksAGuardrail(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	if pool.sim == nil {
		t.Skip("moves management by hand: only on the simulated pool")
	}
	w := newWorkdir(t, nil)
	installed := pool.baseline(t)
	w.write(t, "main.tf", requiredProviders+pool.config(sweepBondMTU9000))
	if out, ok := w.run("apply", "-auto-approve"); !ok {
		t.Fatalf("apply:\n%s", out)
	}
	state, err := parseStateFile(w)
	if err != nil {
		t.Fatal(err)
	}
	// Another tool moves management onto the jumbo bond.
	if err := pool.model.UpdateBond(bg, state[0].id, poolnet.BondSpec{NameLabel: "Bond 2+3", Members: []string{"eth2", "eth3"},
		Mode: xenapi.BondModeBalanceSLB, MTU: 9000, Management: true}); err != nil {
		t.Fatal(err)
	}

	// The bond's plan changes nothing: the guardrail warns and refuses
	// nothing, as terraform destroy plans it that way first.
	out, ok := w.run("plan", "-detailed-exitcode")
	if !ok {
		t.Fatalf("terraform plan with drift that changes nothing failed:\n%s", out)
	}
	wantPhrases(t, "terraform plan", out, "Warning: Management Interface MTU Must Be 1500", "This plan changes nothing of the resource")

	out, ok = w.run("destroy", "-auto-approve")
	if !ok {
		t.Fatalf("terraform destroy failed with drift in the pool:\n%s", out)
	}
	wantPhrases(t, "terraform destroy", out, "Warning: The Pool Breaks A Guardrail Already", "Destroy complete! Resources: 1 destroyed.")
	if err := pool.nothingLeftOver(installed)(nil); err != nil {
		t.Error(err)
	}
}

// A private network that something outside xsnet has put a PIF on cannot
// be destroyed: xapi refuses. The error says what is on it and what to run
// next, and once that is done, terraform destroy goes on.
func TestFailures_destroyOfANetworkSomethingElseUses(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	if pool.sim == nil {
		t.Skip("puts a VLAN on the network by hand: only on the simulated pool")
	}
	w := newWorkdir(t, nil)
	installed := pool.baseline(t)
	w.write(t, "main.tf", requiredProviders+pool.config(fmt.Sprintf(sweepNetwork, "private", 1500, "{}")))
	if out, ok := w.run("apply", "-auto-approve"); !ok {
		t.Fatalf("apply:\n%s", out)
	}
	state, err := parseStateFile(w)
	if err != nil {
		t.Fatal(err)
	}
	snap := pool.snapshot(t)
	network, _, _ := snap.NetworkByUUID(state[0].id)
	eth1, _, _ := snap.DevicePIF(snap.Pool.Master, "eth1")
	vlan, err := pool.client.VLANCreate(bg, eth1, 200, network)
	if err != nil {
		t.Fatal(err)
	}

	out, ok := w.run("destroy", "-auto-approve")
	if ok {
		t.Fatalf("terraform destroy destroyed a network with a PIF on it:\n%s", out)
	}
	wantPhrases(t, "terraform destroy", out, "Cannot Destroy Network", `network "private"`, "VLAN 200 on host xs-host-1",
		"xe vlan-destroy", "run terraform destroy again", "terraform state rm")

	if err := pool.client.VLANDestroy(bg, vlan); err != nil {
		t.Fatal(err)
	}
	if out, ok := w.run("destroy", "-auto-approve"); !ok {
		t.Fatalf("terraform destroy after the VLAN went:\n%s", out)
	}
	if err := pool.nothingLeftOver(installed)(nil); err != nil {
		t.Error(err)
	}
}

// parseStateFile reads the managed resources of a working directory's
// state.
func parseStateFile(w *workdir) ([]stateResource, error) {
	r := &sweepRun{w: w}
	return r.state()
}

// An import of the wrong kind of network is refused with what the UUID
// is and how to import it: a private network is not a bond, a bond's
// network is not a private network.
func TestFailures_importOfTheWrongKind(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	w := newWorkdir(t, nil)
	private, err := pool.model.CreateNetwork(bg, poolnet.NetworkSpec{NameLabel: "private", MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	bond := pool.bondByHand(t, "Bond 2+3", "eth2", "eth3")
	vlan := pool.vlanByHand(t, "VLAN 100", pool.nicNetworkUUID(t, "eth1"), 100)
	t.Cleanup(func() {
		for _, destroy := range []func() error{
			func() error { return pool.model.DestroyVLAN(bg, vlan) },
			func() error { return pool.model.DestroyBond(bg, bond) },
			func() error { return pool.model.DestroyNetwork(bg, private) },
		} {
			if err := destroy(); err != nil {
				t.Error(err)
			}
		}
	})
	w.write(t, "main.tf", requiredProviders+pool.config(`
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
}

resource "xsnet_network" "private" {
  name_label = "private"
}
`))
	for _, c := range []struct {
		address, id string
		want        []string
	}{
		{"xsnet_bond.vm", private, []string{"Wrong Kind Of Network", private, `("private") is a network without PIFs`,
			"xsnet_bond manages a bond's network", "Import it as xsnet_network."}},
		{"xsnet_network.private", bond, []string{"Wrong Kind Of Network", bond, `("Bond 2+3") is a bond's network`,
			"xsnet_network manages a network without PIFs", "Import it as xsnet_bond."}},
		{"xsnet_bond.vm", vlan, []string{"Wrong Kind Of Network", vlan, `("VLAN 100") is a VLAN's network`, "Import it as xsnet_vlan."}},
	} {
		out, ok := w.run("import", c.address, c.id)
		if ok {
			t.Errorf("terraform import %s %s succeeded:\n%s", c.address, c.id, out)
			continue
		}
		wantPhrases(t, "terraform import "+c.address, out, c.want...)
	}
	if state, err := parseStateFile(w); err != nil || len(state) != 0 {
		t.Errorf("the state after the refused imports: %v, %v; want nothing", state, err)
	}
}

// nicNetworkUUID is the pool-wide network of a NIC.
func (p *testPool) nicNetworkUUID(t *testing.T, device string) string {
	t.Helper()
	snap := p.snapshot(t)
	_, pif, ok := snap.DevicePIF(snap.Pool.Master, device)
	if !ok {
		t.Fatalf("the master has no %s", device)
	}
	return snap.Networks.Get(pif.Network).UUID
}

// A wrong password, or a host nothing answers on, fails terraform plan of
// a configuration of networks and VLANs, whose validation needs no pool:
// the provider reads the pool when it is configured, and the error is on
// the attribute to fix.
func TestFailures_wrongPasswordOrUnreachableHostFailsThePlan(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	if pool.sim == nil {
		t.Skip("needs the simulated pool's address")
	}
	closed := closedPort(t)
	const resources = `
data "xsnet_network" "eth1" {
  device = "eth1"
}

resource "xsnet_network" "private" {
  name_label = "private"
}

resource "xsnet_vlan" "v100" {
  name_label        = "VLAN 100"
  tag               = 100
  parent_network_id = data.xsnet_network.eth1.id
}
`
	for _, c := range []struct {
		name, provider string
		want           []string
	}{
		{"wrong_password", fmt.Sprintf("provider \"xsnet\" {\n  host     = %q\n  username = %q\n  password = \"not-the-password\"\n}\n",
			pool.sim.URL(), pool.sim.Username()),
			[]string{"Error: XenServer Refused the Credentials", `password = "not-the-password"`, "Check username and password",
				"SESSION_AUTHENTICATION_FAILED"}},
		{"unreachable_host", fmt.Sprintf("provider \"xsnet\" {\n  host     = %q\n  username = %q\n  password = %q\n}\n",
			closed, pool.sim.Username(), pool.sim.Password()),
			[]string{"Error: Cannot Reach the Pool", fmt.Sprintf("host = %q", closed), "Check host (or XENSERVER_HOST)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorkdir(t, nil)
			w.write(t, "main.tf", requiredProviders+c.provider+resources)
			if out, ok := w.run("validate"); !ok {
				t.Fatalf("terraform validate needs no pool, and failed:\n%s", out)
			}
			out, ok := w.run("plan")
			if ok {
				t.Fatalf("terraform plan succeeded:\n%s", out)
			}
			wantPhrases(t, "terraform plan", out, c.want...)
			if strings.Count(out, "not-the-password") > 1 {
				t.Errorf("the password appears beyond the line of configuration terraform quotes:\n%s", out)
			}
		})
	}
}

// closedPort is the URL of a port on this machine that nothing listens
// on: connections to it are refused.
func closedPort(t *testing.T) string {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}
