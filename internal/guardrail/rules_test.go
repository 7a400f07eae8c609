package guardrail

import (
	"bytes"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestRulesAreDocumented(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)+$`)
	seen := map[string]bool{}
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			if !kebab.MatchString(r.ID) {
				t.Errorf("ID %q is not short kebab-case words", r.ID)
			}
			if seen[r.ID] {
				t.Errorf("ID %q is used twice", r.ID)
			}
			seen[r.ID] = true
			if !isTitleCase(r.Title) {
				t.Errorf("Title %q is not Title Case", r.Title)
			}
			if len(r.Resources) == 0 {
				t.Error("no resource types")
			}
			if r.Validate == "" && r.Plan == "" {
				t.Error("says neither what validate nor what plan checks")
			}
			for field, s := range map[string]string{"Validate": r.Validate, "Plan": r.Plan} {
				if s != "" && !strings.HasSuffix(s, ".") {
					t.Errorf("%s %q does not end with a period", field, s)
				}
			}
			// One line that names a failure: a single sentence.
			if strings.Count(strings.TrimSuffix(r.Why, "."), ". ") > 0 || !strings.HasSuffix(r.Why, ".") {
				t.Errorf("Why is not one sentence: %q", r.Why)
			}
			if !strings.HasSuffix(r.Fix, ".") {
				t.Errorf("Fix is not a sentence: %q", r.Fix)
			}
			if r.Bad == "" || r.Good == "" || r.Bad == r.Good && !strings.HasPrefix(r.Bad, "#") {
				t.Error("needs a bad and a good HCL example")
			}
			if strings.Contains(r.Bad+r.Good, "{{") {
				t.Error("an example holds {{, which tfplugindocs would read as a template action")
			}
		})
	}
}

func TestRulesReturnsCopies(t *testing.T) {
	r := Rules()[0]
	first := r.Resources[0]
	r.Resources[0] = "changed"
	if again := Rules()[0]; again.Resources[0] != first {
		t.Error("changing a rule that Rules returned changed the rule itself")
	}
}

// Every rule has a configuration that makes it fire, and its error carries
// the rule's ID, Title and Why and the attribute to blame.
func TestEveryRuleFires(t *testing.T) {
	lacp := bond(func(b *Bond) { b.Mode = Known(BondModeLACP) })
	firing := map[string]Result{
		IDManagementMTU: CheckBond(Validate, bond(func(b *Bond) {
			b.Management, b.MTU = Known(true), Known[int64](9000)
		}), DefaultPolicy(), nil),
		IDManagementSingle: endResult(endPool().
			bond("net-a", "a", 1500, "eth0", "eth1").wants("net-a").
			bond("net-b", "b", 1500, "eth2", "eth3").wants("net-b")),
		IDManagementKept: endResult(func() *Pool {
			p := endPool()
			for _, h := range p.Hosts {
				h.Management, h.MovedBy, h.MovedHow = "net-gone", "net-gone", "destroying it"
			}
			return p
		}()),
		IDManagementMember: endResult(endPool().bond("net-a", "a", 1500, "eth0", "eth1").refuses("net-a")),
		IDBondMode:         CheckBond(Validate, lacp, DefaultPolicy(), nil),
		IDMTURange:         CheckNetwork(Validate, Network{MTU: Known[int64](9600)}),
		IDVLANTagRange:     CheckVLAN(Validate, vlan(func(v *VLAN) { v.Tag = Known[int64](4095) })),
		IDBondMemberCount: CheckBond(Validate, bond(func(b *Bond) { b.Members = knownList("eth2") }),
			DefaultPolicy(), nil),
		IDHashingAlgorithmLACP: CheckBond(Validate, bond(func(b *Bond) { b.HashingAlgorithm = Known(HashingSrcMAC) }),
			DefaultPolicy(), nil),
		IDVLANMTUParent:  endResult(endPool().vlan("net-v", "v", "net-eth2", 100, 9000)),
		IDVLANTagUnique:  endResult(endPool().vlan("net-v", "v", "net-eth2", 100, 1500).vlan("net-w", "w", "net-eth2", 100, 1500)),
		IDBondMemberFree: CheckBond(Plan, bond(func(b *Bond) { b.Members = knownList("eth2", "eth9") }), DefaultPolicy(), pool()),
		IDIPConfig:       CheckIPInterface(Validate, storage(func(ip *IPInterface) { ip.Netmask = Null[string]() }), nil),
		IDIPAddressUnique: endResult(endPool().hostIP("xs2", "net-eth0", "192.0.2.12").
			ip("ip-a", "net-eth2", "", "192.0.2.12")),
		IDIPInterfaceMgmt: endResult(endPool().ip("ip-m", "net-eth0", "", "192.0.2.11")),
		IDPoolJoinHost: CheckPoolJoin(Plan, PoolJoin{Address: Known("xs5")}, with(pool(), func(f *Facts) {
			f.JoiningHosts = map[string]JoiningHost{"xs5": {Bonds: []string{"bond0"}, NetworkBackend: BackendOpenvswitch}}
		})),
	}
	var ids []string
	for _, r := range Rules() {
		ids = append(ids, r.ID)
		res, ok := firing[r.ID]
		if !ok {
			t.Errorf("rule %s has no firing case here", r.ID)
			continue
		}
		i := slices.IndexFunc(res.Diagnostics, func(d Diagnostic) bool { return d.Rule == r.ID && d.Severity == Error })
		if i < 0 {
			t.Errorf("rule %s did not fire:\n%s", r.ID, dump(res))
			continue
		}
		d := res.Diagnostics[i]
		// A destroy is blamed on the resource as a whole.
		if d.Summary != r.Title || !strings.Contains(d.Detail, r.Why) || (len(d.Path) == 0 && r.ID != IDManagementKept) {
			t.Errorf("rule %s: diagnostic lacks its title, why or attribute: %v", r.ID, d)
		}
		checkWording(t, res)
	}
	for id := range firing {
		if !slices.Contains(ids, id) {
			t.Errorf("firing case for %s, which Rules() does not list", id)
		}
	}
}

// The examples in the guide are canonical HCL, as terraform fmt writes it.
func TestExamplesAreCanonicalHCL(t *testing.T) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on PATH; the HCL examples are checked where it is")
	}
	for _, r := range Rules() {
		for name, src := range map[string]string{"Bad": r.Bad, "Good": r.Good} {
			cmd := exec.CommandContext(t.Context(), tf, "fmt", "-no-color", "-")
			cmd.Stdin = strings.NewReader(src + "\n")
			var out, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &stderr
			if err := cmd.Run(); err != nil {
				t.Errorf("%s %s: terraform fmt: %v\n%s", r.ID, name, err, stderr.String())
				continue
			}
			if got := strings.TrimSuffix(out.String(), "\n"); got != src {
				t.Errorf("%s %s is not as terraform fmt writes it:\n%s", r.ID, name, got)
			}
		}
	}
}
