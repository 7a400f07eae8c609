package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// cliEnv is the environment that points the terraform command at the pool:
// the simulator's address and credentials, or the real pool's.
func (p *testPool) cliEnv() []string {
	if p.sim != nil {
		return []string{envHost + "=" + p.sim.URL(), envUsername + "=" + p.sim.Username(), envPassword + "=" + p.sim.Password()}
	}
	return []string{envHost + "=" + os.Getenv(envHost), envUsername + "=" + os.Getenv(envUsername), envPassword + "=" + os.Getenv(envPassword)}
}

// A pool networked by hand, in XenCenter or with xe, comes under xsnet the
// way Terraform 1.5 and later adopt existing infrastructure: import blocks,
// and `terraform plan -generate-config-out` to write the configuration.
// What terraform writes must describe the pool exactly: planned with the
// import blocks it imports every object and changes nothing, and once
// applied the next plan is empty. Every resource type is covered: a bond, a
// VLAN over it, a private network, and the pool.
func TestAccImport_generatedConfigPlansEmpty(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	installed := pool.snapshot(t)
	ids := pool.networkByHand(t)

	w := newWorkdir(t, pool.cliEnv())
	var imports strings.Builder
	imports.WriteString(requiredProviders)
	for _, addr := range slices.Sorted(maps.Keys(ids)) {
		fmt.Fprintf(&imports, "\nimport {\n  to = %s\n  id = %q\n}\n", addr, ids[addr])
	}
	w.write(t, "imports.tf", imports.String())

	if out, ok := w.run("plan", "-generate-config-out=generated.tf"); !ok {
		t.Fatalf("terraform plan -generate-config-out failed:\n%s", out)
	}
	generated, err := os.ReadFile(filepath.Join(w.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for addr := range ids {
		typ, name, _ := strings.Cut(addr, ".")
		if !strings.Contains(string(generated), fmt.Sprintf("resource %q %q {", typ, name)) {
			t.Errorf("generated.tf has no block for %s:\n%s", addr, generated)
		}
	}

	if out, ok := w.run("plan", "-out=import.tfplan"); !ok {
		t.Fatalf("terraform plan with the generated configuration failed:\n%s\ngenerated.tf:\n%s", out, generated)
	}
	out, ok := w.run("show", "-json", "import.tfplan")
	if !ok {
		t.Fatalf("terraform show failed:\n%s", out)
	}
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions   []string        `json:"actions"`
				Importing json.RawMessage `json:"importing"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("reading the plan: %v", err)
	}
	imported := map[string]bool{}
	for _, rc := range plan.ResourceChanges {
		if strings.Join(rc.Change.Actions, ",") != "no-op" {
			t.Errorf("%s: the generated configuration plans %v, want only an import\ngenerated.tf:\n%s", rc.Address, rc.Change.Actions, generated)
		}
		imported[rc.Address] = len(rc.Change.Importing) > 0 && string(rc.Change.Importing) != "null"
	}
	for addr := range ids {
		if !imported[addr] {
			t.Errorf("%s is not imported by the plan", addr)
		}
	}
	if t.Failed() {
		return
	}

	if out, ok := w.run("apply", "import.tfplan"); !ok {
		t.Fatalf("terraform apply of the import plan failed:\n%s", out)
	}
	if out, ok := w.run("plan", "-detailed-exitcode"); !ok {
		t.Errorf("after the import, a plan is not empty (or failed):\n%s", out)
	}

	// terraform writes the VLAN's parent as the bond's UUID. Written as a
	// reference instead, as the importing guide says, it orders the VLAN
	// after the bond, which a destroy needs: Bond.destroy moves the bond's
	// VLANs onto a member while the VLAN's own destroy runs. The plan stays
	// empty.
	literal := fmt.Sprintf("parent_network_id = %q", ids["xsnet_bond.vm"])
	if !strings.Contains(string(generated), literal) {
		t.Fatalf("generated.tf does not give the VLAN's parent as %s:\n%s", literal, generated)
	}
	w.write(t, "generated.tf", strings.Replace(string(generated), literal, "parent_network_id = xsnet_bond.vm.id", 1))
	if out, ok := w.run("plan", "-detailed-exitcode"); !ok {
		t.Errorf("with the parent as a reference, a plan is not empty (or failed):\n%s", out)
	}

	// Destroy removes what was imported: the bond, the VLAN and the network
	// go, and the pool is only forgotten. The members' networks keep the
	// MTU that Bond.create gave them: xsnet records the MTUs it replaces
	// only on the bonds it makes itself.
	if out, ok := w.run("destroy", "-auto-approve"); !ok {
		t.Fatalf("terraform destroy failed:\n%s", out)
	}
	after := pool.snapshot(t)
	if after.Bonds.Len() != installed.Bonds.Len() || after.VLANs.Len() != installed.VLANs.Len() {
		t.Errorf("after destroy the pool has %d bonds and %d VLANs, want %d and %d as installed",
			after.Bonds.Len(), after.VLANs.Len(), installed.Bonds.Len(), installed.VLANs.Len())
	}
	for addr, id := range ids {
		if _, n, ok := after.NetworkByUUID(id); ok && addr != "xsnet_pool.this" {
			t.Errorf("after destroy %s's network %q is still there", addr, n.NameLabel)
		}
	}
	if after.Pool.UUID != installed.Pool.UUID || after.Pool.NameLabel != installed.Pool.NameLabel {
		t.Errorf("destroying xsnet_pool changed the pool: %+v", after.Pool)
	}
}

// networkByHand makes, through the XenAPI client as XenCenter would, a bond
// of eth2 and eth3 at MTU 9000 on every host, VLAN 100 over it, and a
// private network, and returns the import ID of each, by the address it is
// to be imported to.
func (p *testPool) networkByHand(t *testing.T) map[string]string {
	t.Helper()
	c := p.client
	snap := p.snapshot(t)

	bondNet, err := c.NetworkCreate(bg, xenapi.Network{NameLabel: "Bond 2+3", MTU: 9000, OtherConfig: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	var masterBond xenapi.Ref
	for _, host := range snap.HostRefs() {
		eth2, _, ok2 := snap.DevicePIF(host, "eth2")
		eth3, _, ok3 := snap.DevicePIF(host, "eth3")
		if !ok2 || !ok3 {
			t.Fatalf("host %s lacks eth2 or eth3", snap.Hosts.Get(host).NameLabel)
		}
		bond, err := c.BondCreate(bg, bondNet, []xenapi.Ref{eth2, eth3}, "", xenapi.BondModeBalanceSLB, map[string]string{})
		if err != nil {
			t.Fatal(err)
		}
		if host == snap.Pool.Master {
			masterBond = bond
		}
	}
	b, err := xenapi.GetRecord[xenapi.Bond](bg, c, masterBond)
	if err != nil {
		t.Fatal(err)
	}

	vlanNet, err := c.NetworkCreate(bg, xenapi.Network{NameLabel: "VLAN 100", MTU: 9000, OtherConfig: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PoolCreateVLANFromPIF(bg, b.Master, vlanNet, 100); err != nil {
		t.Fatal(err)
	}

	private, err := c.NetworkCreate(bg, xenapi.Network{NameLabel: "Private (VM to VM)", MTU: 1500, OtherConfig: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}

	uuid := func(ref xenapi.Ref) string {
		n, err := xenapi.GetRecord[xenapi.Network](bg, c, ref)
		if err != nil {
			t.Fatal(err)
		}
		return n.UUID
	}
	return map[string]string{
		"xsnet_bond.vm":         uuid(bondNet),
		"xsnet_vlan.vm_100":     uuid(vlanNet),
		"xsnet_network.private": uuid(private),
		"xsnet_pool.this":       snap.Pool.UUID,
	}
}
