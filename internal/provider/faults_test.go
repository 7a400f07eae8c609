package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// What an operator meets when a call to xapi fails in the middle of an
// apply: the fault-point sweep. Each scenario is one change (a create, an
// update, a destroy) applied to a fresh simulated pool. A clean run of it
// gives, from the simulator's trace, every call that changes the pool; then
// each of those calls in turn fails, in a pool of its own, and the sweep
// checks what the operator sees and what the pool and the state hold:
//
//	(a) the apply fails with an error that names the failure, and says
//	    "Nothing was left behind" only when nothing was;
//	(b) the state agrees with the pool: every network xsnet marked is in
//	    the state, and every network in the state is in the pool;
//	(c) nothing leaked: every network, bond and VLAN beyond the baseline
//	    belongs to a network in the state;
//	(d) the same command again, without the fault, succeeds;
//	(e) a plan after it is empty;
//	(f) destroy leaves the pool as it was before the scenario.

// sweepFault is the error every swept call fails with: its parameter shows
// where it surfaces.
const sweepFault = "INTERNAL_ERROR:fault-injected"

// sweepScenario is one change an operator applies, in a pool of two hosts
// with four NICs each.
type sweepScenario struct {
	name string
	// prepare changes the pool by hand before its baseline is taken.
	prepare func(t *testing.T, p *testPool)
	// relaxed runs under a policy that allows every bond mode.
	relaxed bool
	// before is applied first, and must succeed; empty for nothing.
	before string
	// after is the configuration the change applies; empty means
	// terraform destroy.
	after string
	// undoFails fails, besides each point, the next call after it of
	// each method listed: the calls that take back what the change had
	// done before the point, so that the undoing fails too and something
	// is left for the state to hold.
	undoFails []string
}

const sweepBondMTU9000 = `
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  mtu        = 9000
}`

const sweepBond = `
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
}`

const sweepManagementBond = `
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  management = %t
}`

const sweepActiveBackupBond = `
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  mode       = "active-backup"
}`

const sweepVLAN = `
data "xsnet_network" "eth1" {
  device = "eth1"
}

resource "xsnet_vlan" "v100" {
  name_label        = "VLAN 100"
  tag               = 100
  parent_network_id = data.xsnet_network.eth1.id
  mtu               = %d
}`

const sweepNetwork = `
resource "xsnet_network" "private" {
  name_label   = %q
  mtu          = %d
  other_config = %s
}`

func sweepScenarios() []sweepScenario {
	return []sweepScenario{
		{name: "bond_create", after: sweepBondMTU9000},
		{name: "bond_create_undo_fails", after: sweepBondMTU9000, undoFails: []string{"Bond.destroy", "network.destroy"}},
		{name: "bond_mtu", before: sweepBond, after: sweepBondMTU9000},
		{name: "bond_management", before: fmt.Sprintf(sweepManagementBond, false), after: fmt.Sprintf(sweepManagementBond, true)},
		{name: "bond_management_undo_fails", before: fmt.Sprintf(sweepManagementBond, false), after: fmt.Sprintf(sweepManagementBond, true),
			undoFails: []string{"host.management_reconfigure", "PIF.reconfigure_ip"}},
		{name: "bond_management_off", before: fmt.Sprintf(sweepManagementBond, true), after: fmt.Sprintf(sweepManagementBond, false)},
		{name: "bond_mode", relaxed: true, before: sweepBond, after: sweepActiveBackupBond},
		{name: "bond_destroy", before: sweepBondMTU9000},
		{name: "bond_destroy_management", before: fmt.Sprintf(sweepManagementBond, true)},
		{name: "vlan_create", after: fmt.Sprintf(sweepVLAN, 1500)},
		{name: "vlan_create_undo_fails", after: fmt.Sprintf(sweepVLAN, 1500), undoFails: []string{"VLAN.destroy", "network.destroy"}},
		{name: "vlan_mtu", prepare: jumboNIC("eth1"), before: fmt.Sprintf(sweepVLAN, 1500), after: fmt.Sprintf(sweepVLAN, 9000)},
		{name: "vlan_destroy", before: fmt.Sprintf(sweepVLAN, 1500)},
		{name: "network_create", after: fmt.Sprintf(sweepNetwork, "private", 9000, `{ owner = "ops" }`)},
		{name: "network_create_undo_fails", after: fmt.Sprintf(sweepNetwork, "private", 9000, `{ owner = "ops" }`),
			undoFails: []string{"network.destroy"}},
		{name: "network_update", before: fmt.Sprintf(sweepNetwork, "private", 1500, `{}`),
			after: fmt.Sprintf(sweepNetwork, "private VMs", 9000, `{ owner = "ops" }`)},
		{name: "network_destroy", before: fmt.Sprintf(sweepNetwork, "private", 1500, `{ owner = "ops" }`)},
	}
}

// jumboNIC sets the pool-wide network of a NIC to MTU 9000 by hand, and
// plugs its PIFs so that they take it: a parent a jumbo VLAN may ride on.
func jumboNIC(device string) func(*testing.T, *testPool) {
	return func(t *testing.T, p *testPool) {
		t.Helper()
		snap := p.snapshot(t)
		pif, _, ok := snap.DevicePIF(snap.Pool.Master, device)
		if !ok {
			t.Fatalf("the master has no %s", device)
		}
		network := snap.PIFs.Get(pif).Network
		if err := p.client.NetworkSetMTU(bg, network, 9000); err != nil {
			t.Fatal(err)
		}
		for _, ref := range snap.NetworkPIFs(network) {
			if err := p.client.PIFUnplug(bg, ref); err != nil {
				t.Fatal(err)
			}
			if err := p.client.PIFPlug(bg, ref); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// faultPoint is one call to fail: the method, as the fault rules name it,
// and which of its calls since the pool started.
type faultPoint struct {
	method string
	call   int
	// calls counts the calls of each method up to this one.
	calls map[string]int
}

func (p faultPoint) String() string { return fmt.Sprintf("%s#%d", p.method, p.call) }

// counted reports whether a call reached the simulator's fault rules:
// calls refused before them (an unknown session, a pool member's
// endpoint, a malformed call) are not counted by method#N.
func counted(e xapisim.TraceEntry) bool {
	switch e.Error {
	case xenapi.ErrSessionInvalid, xenapi.ErrHostIsSlave, xenapi.ErrMessageMethodUnknown, xenapi.ErrMessageParameterCount:
		return false
	}
	return true
}

// mutating reports whether a method changes the pool: anything but a
// getter, an event, a session or task bookkeeping.
func mutating(method string) bool {
	class, msg, _ := strings.Cut(method, ".")
	switch {
	case class == "event", class == "session", class == "system":
		return false
	case strings.HasPrefix(msg, "get_"):
		return false
	case class == "task" && msg == "destroy":
		return false
	}
	return true
}

// faultPoints are the calls in a trace that change the pool, each
// numbered among the calls of its method.
func faultPoints(trace []xapisim.TraceEntry) []faultPoint {
	seen := map[string]int{}
	var points []faultPoint
	for _, e := range trace {
		method := strings.TrimPrefix(e.Method, "Async.")
		if !counted(e) {
			continue
		}
		seen[method]++
		if mutating(method) {
			points = append(points, faultPoint{method, seen[method], maps.Clone(seen)})
		}
	}
	return points
}

// sweepStart is where every run of a scenario starts, made once: the
// pool as the before configuration leaves it, saved by the simulator, and
// the state terraform wrote.
type sweepStart struct {
	sc sweepScenario
	// simState is the simulator's state file; tfState terraform.tfstate,
	// nil when before is empty.
	simState string
	tfState  []byte
	// baseline is the pool before the scenario; pre the pool just before
	// the change.
	baseline, pre map[string]string
}

// newSweepStart builds a scenario's starting point.
func newSweepStart(t *testing.T, sc sweepScenario) *sweepStart {
	t.Helper()
	st := &sweepStart{sc: sc, simState: filepath.Join(t.TempDir(), "pool.json")}
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, StatePath: st.simState})
	if pool.sim == nil {
		t.Skip("fault injection needs the simulated pool")
	}
	if sc.prepare != nil {
		sc.prepare(t, pool)
	}
	st.baseline = pool.baseline(t)
	r := &sweepRun{t: t, sweepStart: st, pool: pool, w: newWorkdir(t, nil)}
	r.w.inProcess = t
	if sc.before != "" {
		r.write(sc.before)
		if out, code := r.w.exec("apply", "-auto-approve", "-parallelism=1"); code != 0 {
			t.Fatalf("applying the configuration the change starts from:\n%s", out)
		}
		var err error
		if st.tfState, err = os.ReadFile(filepath.Join(r.w.dir, "terraform.tfstate")); err != nil {
			t.Fatal(err)
		}
	}
	st.pre = pool.baseline(t)
	pool.stop(t)
	return st
}

// sweepRun is one run of a scenario from its starting point, in a pool of
// its own: with a fault on one call, or none.
type sweepRun struct {
	t *testing.T
	*sweepStart
	pool *testPool
	w    *workdir
	// simState is where this run's pool is saved, and hcl the
	// configuration last written.
	simState, hcl string
}

func (st *sweepStart) run(t *testing.T, faults []xapisim.Fault) *sweepRun {
	t.Helper()
	b, err := os.ReadFile(st.simState)
	if err != nil {
		t.Fatal(err)
	}
	simState := filepath.Join(t.TempDir(), "pool.json")
	if err := os.WriteFile(simState, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r := &sweepRun{t: t, sweepStart: st, pool: newTestPool(t, xapisim.Config{StatePath: simState, Faults: faults}),
		w: newWorkdir(t, nil), simState: simState}
	r.w.inProcess = t
	if st.tfState != nil {
		r.w.write(t, "terraform.tfstate", string(st.tfState))
	}
	r.write(st.sc.before)
	return r
}

// restart stops the pool and starts it again from where it was, without
// faults: a fault that did not fire during the change does not fire after.
func (r *sweepRun) restart() {
	r.t.Helper()
	r.pool.stop(r.t)
	r.pool = newTestPool(r.t, xapisim.Config{StatePath: r.simState})
	r.write(r.hcl)
}

func (r *sweepRun) write(hcl string) {
	r.hcl = hcl
	config := r.pool.config(hcl)
	if r.sc.relaxed {
		config = r.pool.configAllowing(`"balance-slb", "active-backup", "lacp"`, hcl)
	}
	r.w.write(r.t, "main.tf", requiredProviders+config)
}

// change runs the scenario's change: apply of after, or destroy.
func (r *sweepRun) change() (string, int) {
	if r.sc.after == "" {
		return r.w.exec("destroy", "-auto-approve", "-parallelism=1")
	}
	r.write(r.sc.after)
	return r.w.exec("apply", "-auto-approve", "-parallelism=1")
}

// stateResource is a resource instance in the state terraform wrote.
type stateResource struct {
	address string
	id      string
	tainted bool
}

// state reads terraform.tfstate.
func (r *sweepRun) state() ([]stateResource, error) {
	b, err := os.ReadFile(filepath.Join(r.w.dir, "terraform.tfstate"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parseState(b)
}

// parseState reads the managed resources of a state file.
func parseState(b []byte) ([]stateResource, error) {
	if b == nil {
		return nil, nil
	}
	var st struct {
		Resources []struct {
			Mode, Type, Name string
			Instances        []struct {
				Status     string         `json:"status"`
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("reading terraform.tfstate: %w", err)
	}
	var out []stateResource
	for _, res := range st.Resources {
		if res.Mode != "managed" {
			continue
		}
		for _, in := range res.Instances {
			id, _ := in.Attributes["id"].(string)
			out = append(out, stateResource{address: res.Type + "." + res.Name, id: id, tainted: in.Status == "tainted"})
		}
	}
	return out, nil
}

// stateAgrees checks (b): every network beyond the baseline that carries
// xsnet's mark is in the state, every network the state names is in the
// pool, and what a failed create left is tainted, for the next apply to
// take apart and make again.
func (r *sweepRun) stateAgrees(snap *poolnet.Snapshot, state []stateResource) error {
	before, err := parseState(r.tfState)
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	var errs []error
	for _, s := range state {
		ids[s.id] = true
		if _, _, ok := snap.NetworkByUUID(s.id); !ok {
			errs = append(errs, fmt.Errorf("the state holds %s (network %s), which the pool does not have", s.address, s.id))
		}
		made := !slices.ContainsFunc(before, func(b stateResource) bool { return b.address == s.address })
		if made && !s.tainted {
			errs = append(errs, fmt.Errorf("the state holds %s, left by a failed create, untainted", s.address))
		}
	}
	for n := range snap.Networks.Values() {
		if _, base := r.baseline["network "+n.UUID]; base || ids[n.UUID] {
			continue
		}
		if mark := n.OtherConfig["xsnet_managed"]; mark != "" {
			errs = append(errs, fmt.Errorf("network %q (%s), marked %s by xsnet, is not in the state", n.NameLabel, n.UUID, mark))
		}
	}
	return errors.Join(errs...)
}

// nothingLeaked checks (c): every network, bond and VLAN beyond the
// baseline is, or is on, a network the state holds.
func (r *sweepRun) nothingLeaked(snap *poolnet.Snapshot, state []stateResource) error {
	ids := map[string]bool{}
	for _, s := range state {
		ids[s.id] = true
	}
	var leaks []string
	for n := range snap.Networks.Values() {
		if _, base := r.baseline["network "+n.UUID]; !base && !ids[n.UUID] {
			leaks = append(leaks, fmt.Sprintf("network %q (%s)", n.NameLabel, n.UUID))
		}
	}
	for b := range snap.Bonds.Values() {
		network := snap.Networks.Get(snap.PIFs.Get(b.Master).Network)
		if _, base := r.baseline["bond "+b.UUID]; !base && !ids[network.UUID] {
			leaks = append(leaks, fmt.Sprintf("bond %s on network %q", b.UUID, network.NameLabel))
		}
	}
	for v := range snap.VLANs.Values() {
		network := snap.Networks.Get(snap.PIFs.Get(v.UntaggedPIF).Network)
		if _, base := r.baseline["vlan "+v.UUID]; !base && !ids[network.UUID] {
			leaks = append(leaks, fmt.Sprintf("VLAN %d (%s) on network %q", v.Tag, v.UUID, network.NameLabel))
		}
	}
	if len(leaks) == 0 {
		return nil
	}
	sort.Strings(leaks)
	return fmt.Errorf("not in the state: %s", strings.Join(leaks, "; "))
}

// operationPrefix is how a pool-wide operation's error starts: the
// operation, then, after a colon, the step that failed.
var operationPrefix = regexp.MustCompile(`^(creating|destroying) (bond|VLAN|network) "[^"]*"( \(tag [^)]*\))?( failed)?: `)

// stepNamed reports whether the error of a failed call names the step it
// failed in: the XenAPI error follows words of their own, not only the
// operation. Creating a network without PIFs is one call, network.create,
// so there the operation is the step.
func stepNamed(out string) bool {
	at := strings.Index(out, "fault-injected")
	start := strings.LastIndex(out[:max(at, 0)], "Error: ")
	if at < 0 || start < 0 {
		return false
	}
	var words []string
	for _, line := range strings.Split(out[start:at], "\n")[1:] {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "with ") || strings.HasPrefix(line, "on main.tf") || sourceLine.MatchString(line) {
			continue
		}
		words = append(words, strings.Fields(line)...)
	}
	detail, _, _ := strings.Cut(strings.Join(words, " "), "XenAPI error")
	if regexp.MustCompile(`^(creating|destroying) network "[^"]*": $`).MatchString(detail) {
		return true
	}
	for {
		rest := operationPrefix.ReplaceAllString(detail, "")
		if rest == detail {
			return strings.TrimSpace(detail) != ""
		}
		detail = rest
	}
}

// sourceLine is a line of configuration terraform quotes under an error.
var sourceLine = regexp.MustCompile(`^\d+:`)

// fingerprintDiff says how two fingerprints differ, or "" when they agree.
func fingerprintDiff(before, after map[string]string) string {
	if maps.Equal(before, after) {
		return ""
	}
	var diffs []string
	for k, v := range after {
		if before[k] != v {
			diffs = append(diffs, fmt.Sprintf("+ %s: %s", k, v))
		}
	}
	for k, v := range before {
		if after[k] != v {
			diffs = append(diffs, fmt.Sprintf("- %s: %s", k, v))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "\n")
}

// sweepTally counts the points tried and the failures of each kind.
type sweepTally struct {
	mu       sync.Mutex
	points   int
	failures map[byte][]string
}

func (s *sweepTally) add(points int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.points += points
}

func (s *sweepTally) fail(kind byte, point, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures == nil {
		s.failures = map[byte][]string{}
	}
	s.failures[kind] = append(s.failures[kind], point+": "+detail)
}

// sweepKinds names each kind of failure.
var sweepKinds = []struct {
	kind byte
	what string
}{
	{'a', "the error does not name the failure, or hides what was left"},
	{'b', "the state disagrees with the pool"},
	{'c', "an object leaked"},
	{'d', "the next run does not converge"},
	{'e', "the plan after it is not empty"},
	{'f', "destroy does not return the pool to its baseline"},
}

// sweepPoint fails one call of a scenario and checks (a) to (f).
func sweepPoint(t *testing.T, st *sweepStart, point faultPoint, tally *sweepTally) {
	rules := []string{point.String() + "=" + sweepFault}
	for _, m := range st.sc.undoFails {
		rules = append(rules, faultPoint{method: m, call: point.calls[m] + 1}.String()+"="+sweepFault)
	}
	faults, err := xapisim.ParseFaults(strings.Join(rules, ";"))
	if err != nil {
		t.Fatal(err)
	}
	sc := st.sc
	r := st.run(t, faults)
	name := sc.name + " " + point.String()
	fail := func(kind byte, format string, args ...any) {
		detail := fmt.Sprintf(format, args...)
		tally.fail(kind, name, detail)
		t.Errorf("(%c) %s", kind, detail)
	}

	out, code := r.change()
	snap := r.pool.snapshot(t)
	switch {
	case code == 0:
		fail('a', "the change succeeded with %s failing:\n%s", point, out)
	case !strings.Contains(out, "Error: ") || !strings.Contains(out, "fault-injected"):
		fail('a', "the error does not say what failed:\n%s", out)
	case !stepNamed(out):
		fail('a', "the error names the operation, not the step that failed:\n%s", out)
	}
	if strings.Contains(out, "Nothing was left behind") {
		if d := fingerprintDiff(r.pre, fingerprint(snap)); d != "" {
			fail('a', "the error says nothing was left behind, and the pool holds:\n%s\n%s", d, out)
		}
	}
	state, err := r.state()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.stateAgrees(snap, state); err != nil {
		fail('b', "%v\n%s", err, out)
	}
	if err := r.nothingLeaked(snap, state); err != nil {
		fail('c', "%v\n%s", err, out)
	}
	r.restart()

	if sc.after == "" {
		if out, code := r.w.exec("destroy", "-auto-approve", "-parallelism=1"); code != 0 {
			fail('d', "destroy again failed:\n%s", out)
		}
		if out, code := r.w.exec("plan", "-destroy", "-detailed-exitcode", "-parallelism=1"); code != 0 {
			fail('e', "plan -destroy after destroy is not empty:\n%s", out)
		}
	} else {
		if out, code := r.w.exec("apply", "-auto-approve", "-parallelism=1"); code != 0 {
			fail('d', "apply again failed:\n%s", out)
		}
		if out, code := r.w.exec("plan", "-detailed-exitcode", "-parallelism=1"); code != 0 {
			fail('e', "plan after apply is not empty:\n%s", out)
		}
		for n := range r.pool.snapshot(t).Networks.Values() {
			if j := n.OtherConfig["xsnet_journal"]; j != "" {
				fail('d', "network %q still holds unfinished work after the apply: %s", n.NameLabel, j)
			}
		}
		if out, code := r.w.exec("destroy", "-auto-approve", "-parallelism=1"); code != 0 {
			fail('f', "destroy failed:\n%s", out)
			return
		}
	}
	if d := fingerprintDiff(r.baseline, r.pool.baseline(t)); d != "" {
		fail('f', "after destroy the pool differs from its baseline:\n%s", d)
	}
}

// TestFaultSweep fails, one at a time, every call that changes the pool in
// each scenario, and checks what the operator sees and what is left.
func TestFaultSweep(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs terraform; set TF_ACC=1")
	}
	tally := &sweepTally{}
	// Each point's pool, terraform and provider wait on each other much
	// of the time: more points than CPUs at once keep the CPUs busy.
	slots := make(chan struct{}, 4*runtime.GOMAXPROCS(0))
	acquire := func() func() {
		slots <- struct{}{}
		return func() { <-slots }
	}
	var scenarios sync.WaitGroup
	for _, sc := range sweepScenarios() {
		scenarios.Go(func() {
			t.Run(sc.name, func(t *testing.T) {
				release := acquire()
				st := newSweepStart(t, sc)
				clean := st.run(t, nil)
				out, code := clean.change()
				release()
				if code != 0 {
					t.Fatalf("the change fails without a fault:\n%s", out)
				}
				points := faultPoints(clean.pool.sim.Trace())
				if len(points) == 0 {
					t.Fatal("the change made no call that changes the pool")
				}
				t.Logf("%d points: %v", len(points), points)
				tally.add(len(points))
				var wg sync.WaitGroup
				for _, p := range points {
					wg.Go(func() {
						defer acquire()()
						t.Run(p.String(), func(t *testing.T) { sweepPoint(t, st, p, tally) })
					})
				}
				wg.Wait()
			})
		})
	}
	scenarios.Wait()
	t.Logf("fault points tried: %d", tally.points)
	for _, k := range sweepKinds {
		t.Logf("(%c) %s: %d", k.kind, k.what, len(tally.failures[k.kind]))
		for _, f := range slices.Sorted(slices.Values(tally.failures[k.kind])) {
			t.Logf("    %s", strings.SplitN(f, "\n", 2)[0])
		}
	}
}

// exec runs terraform with the arguments and returns its combined output
// and exit code.
func (w *workdir) exec(args ...string) (string, int) {
	cmd := exec.CommandContext(w.ctx, terraformBinary(), append(args, "-no-color")...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	if w.inProcess != nil {
		reattach, stop, err := serveInProcess(w.ctx, w.inProcess)
		if err != nil {
			return err.Error(), -1
		}
		defer stop()
		cmd.Env = append(slices.Clone(w.env), "TF_REATTACH_PROVIDERS="+reattach)
	}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	return string(out) + err.Error(), -1
}

// serveInProcess serves a fresh provider in this process for one
// terraform command to reattach to, as terraform-plugin-testing does for
// each command of a TestCase, and returns TF_REATTACH_PROVIDERS.
func serveInProcess(ctx context.Context, t *testing.T) (string, func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	configs := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- tf6server.Serve(providerAddress(), protocolServer(New("test")),
			tf6server.WithDebug(ctx, configs, closed), tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(t))
	}()
	var c *plugin.ReattachConfig
	select {
	case c = <-configs:
	case err := <-served:
		cancel()
		return "", nil, fmt.Errorf("serving the provider: %w", err)
	}
	b, err := json.Marshal(map[string]any{providerAddress(): map[string]any{
		"Protocol": c.Protocol, "ProtocolVersion": c.ProtocolVersion, "Pid": c.Pid, "Test": c.Test,
		"Addr": map[string]string{"Network": c.Addr.Network(), "String": c.Addr.String()},
	}})
	if err != nil {
		cancel()
		return "", nil, err
	}
	return string(b), func() { cancel(); <-closed }, nil
}
