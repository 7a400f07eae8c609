//go:build linux

package provider

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// What an operator meets when an apply is cut short or held up: the
// provider or terraform itself killed, or the pool master power-cycled,
// in the middle of an apply; a call that outlasts the request timeout;
// sessions that expire under ten operations at once. The journal xsnet
// keeps in the pool is all the next run has to go on: nothing is kept on
// the machine terraform runs on. These tests read /proc to find the
// provider processes they kill.

// interruptible is a terraform working directory whose provider is the
// binary built from this tree, started through a wrapper that writes down
// each provider process's pid, so that a test can kill the provider at
// work.
type interruptible struct {
	*workdir
	t    *testing.T
	pool *testPool
	pids string
}

func newInterruptible(t *testing.T, pool *testPool) *interruptible {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs terraform; set TF_ACC=1")
	}
	if pool.sim == nil {
		t.Skip("interrupting an apply needs the simulated pool")
	}
	bin, err := providerBinary()
	if err != nil {
		t.Fatalf("building the provider: %v", err)
	}
	dir := t.TempDir()
	pids := filepath.Join(dir, "provider.pids")
	wrapper := filepath.Join(dir, "provider")
	if err := os.Mkdir(wrapper, 0o755); err != nil {
		t.Fatal(err)
	}
	// exec keeps the pid the wrapper wrote down.
	script := fmt.Sprintf("#!/bin/sh\necho $$ >> %q\nexec %q \"$@\"\n", pids, filepath.Join(bin, "terraform-provider-xsnet"))
	if err := os.WriteFile(filepath.Join(wrapper, "terraform-provider-xsnet"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "terraformrc")
	overrides := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", providerAddress(), wrapper)
	if err := os.WriteFile(rc, []byte(overrides), 0o600); err != nil {
		t.Fatal(err)
	}
	w := &interruptible{workdir: newWorkdir(t, []string{"TF_CLI_CONFIG_FILE=" + rc}), t: t, pool: pool, pids: pids}
	// A provider whose terraform was killed may outlive it: it is this
	// test's to end.
	t.Cleanup(func() {
		for _, pid := range w.providers() {
			if providerAlive(pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	return w
}

// providers are the pids of the provider processes started so far, oldest
// first.
func (w *interruptible) providers() []int {
	b, _ := os.ReadFile(w.pids)
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// providerAlive reports whether pid is a provider process still running
// (and not a zombie, nor a process that took the pid over).
func providerAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i < 0 || i+2 >= len(s) || s[i+2] == 'Z' {
		return false
	}
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return bytes.Contains(cmdline, []byte("terraform-provider-xsnet"))
}

// running is a terraform command under way.
type running struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

// start starts terraform with the arguments.
func (w *interruptible) start(args ...string) *running {
	w.t.Helper()
	r := &running{cmd: exec.CommandContext(w.ctx, terraformBinary(), append(args, "-no-color")...)}
	r.cmd.Dir = w.dir
	r.cmd.Env = w.env
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if err := r.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	return r
}

// wait waits for the command and returns its output and whether it
// succeeded.
func (r *running) wait() (string, bool) {
	err := r.cmd.Wait()
	return r.out.String(), err == nil
}

// awaitCalls waits until the pool has received n calls of method (Async
// calls counted with it), the moment a test interrupts the apply.
func (w *interruptible) awaitCalls(method string, n int, r *running) {
	w.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		calls := w.pool.sim.Calls()
		if calls[method]+calls["Async."+method] >= n {
			return
		}
		if r == nil && time.Now().After(deadline) {
			w.t.Fatalf("the pool never received call %d of %s", n, method)
		}
		if r != nil && (r.cmd.ProcessState != nil || time.Now().After(deadline)) {
			out, _ := r.wait()
			w.t.Fatalf("the apply never made call %d of %s:\n%s", n, method, out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settle waits until xapi has finished every task: what an interrupted
// provider asked of it runs to its end all the same, as xapi's networking
// tasks do, before the operator runs terraform again.
func (w *interruptible) settle() {
	w.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		tasks, err := xenapi.GetAllRecords[xenapi.Task](bg, w.pool.client)
		if err != nil {
			w.t.Fatal(err)
		}
		pending := 0
		for _, task := range tasks {
			if task.Status == xenapi.TaskPending {
				pending++
			}
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("%d tasks still pending", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exited waits until none of the provider processes started so far is
// running: a provider whose terraform was killed ends on its own, and
// until it does its unfinished work is its own, not the next run's.
func (w *interruptible) exited() {
	w.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var alive []int
		for _, pid := range w.providers() {
			if providerAlive(pid) {
				alive = append(alive, pid)
			}
		}
		if len(alive) == 0 {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("provider processes %v still running a minute after their terraform was killed", alive)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killProvider kills the provider process at work: the one started last.
func (w *interruptible) killProvider(*running) {
	w.t.Helper()
	pids := w.providers()
	if len(pids) == 0 {
		w.t.Fatal("no provider process was started")
	}
	if err := syscall.Kill(pids[len(pids)-1], syscall.SIGKILL); err != nil {
		w.t.Fatal(err)
	}
}

// killTerraform kills terraform itself, leaving its provider behind.
func (w *interruptible) killTerraform(r *running) {
	w.t.Helper()
	if err := r.cmd.Process.Kill(); err != nil {
		w.t.Fatal(err)
	}
}

// noUnfinishedWork checks that no network holds the journal of unfinished
// work: the run after an interrupted one finished or undid all of it.
func (p *testPool) noUnfinishedWork(t *testing.T) {
	t.Helper()
	for n := range p.snapshot(t).Networks.Values() {
		if j := n.OtherConfig["xsnet_journal"]; j != "" {
			t.Errorf("network %q still holds unfinished work: %s", n.NameLabel, j)
		}
	}
}

// interruption is an apply (or destroy) cut short at one moment.
type interruption struct {
	name string
	// before is applied first; empty for nothing.
	before string
	// config is what the interrupted command applies, and what the next
	// apply converges on; the interrupted command is destroy when
	// destroy is set.
	config  string
	destroy bool
	// delay slows one call down, for the moment to last; at is that call,
	// and n which of its calls the interruption waits for.
	delay, at string
	n         int
	// kill interrupts: the provider or terraform.
	kill func(*interruptible, *running)
}

// Killing the provider, or terraform itself, in the middle of an apply
// leaves work in the pool that no state holds; the next apply finishes or
// undoes it, and converges; a plan after it is empty, and destroy leaves
// the pool as it was installed.
func TestInterrupt_killed(t *testing.T) {
	managementBond := fmt.Sprintf(sweepManagementBond, true)
	var cases []interruption
	for _, k := range []struct {
		who  string
		kill func(*interruptible, *running)
	}{{"provider", (*interruptible).killProvider}, {"terraform", (*interruptible).killTerraform}} {
		cases = append(cases,
			interruption{name: k.who + "_during_bond_create", config: sweepBondMTU9000,
				delay: "Bond.create#2=+2s", at: "Bond.create", n: 2, kill: k.kill},
			interruption{name: k.who + "_during_management_move", before: fmt.Sprintf(sweepManagementBond, false), config: managementBond,
				delay: "host.management_reconfigure#2=+2s", at: "host.management_reconfigure", n: 2, kill: k.kill},
			interruption{name: k.who + "_during_destroy", before: sweepBondMTU9000, config: sweepBondMTU9000, destroy: true,
				delay: "Bond.destroy#2=+2s", at: "Bond.destroy", n: 2, kill: k.kill},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			faults, err := xapisim.ParseFaults(c.delay)
			if err != nil {
				t.Fatal(err)
			}
			pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, Faults: faults})
			w := newInterruptible(t, pool)
			installed := pool.baseline(t)
			if c.before != "" {
				w.write(t, "main.tf", requiredProviders+pool.config(c.before))
				if out, ok := w.run("apply", "-auto-approve"); !ok {
					t.Fatalf("applying the configuration to interrupt:\n%s", out)
				}
			}
			w.write(t, "main.tf", requiredProviders+pool.config(c.config))
			command := "apply"
			if c.destroy {
				command = "destroy"
			}
			r := w.start(command, "-auto-approve", "-parallelism=1")
			w.awaitCalls(c.at, c.n, r)
			c.kill(w, r)
			if out, ok := r.wait(); ok {
				t.Fatalf("terraform %s succeeded with its provider killed:\n%s", command, out)
			}
			w.settle()
			w.exited()

			if out, ok := w.run("apply", "-auto-approve"); !ok {
				t.Fatalf("the apply after the interruption failed:\n%s", out)
			}
			if out, ok := w.run("plan", "-detailed-exitcode"); !ok {
				t.Errorf("the plan after the apply is not empty:\n%s", out)
			}
			pool.noUnfinishedWork(t)
			if out, ok := w.run("destroy", "-auto-approve"); !ok {
				t.Fatalf("destroy failed:\n%s", out)
			}
			if err := pool.nothingLeftOver(installed)(nil); err != nil {
				t.Error(err)
			}
		})
	}
}

// The pool master power-cycled in the middle of an apply: its endpoint
// refuses connections while it boots, it forgets every session, and a
// call under way when it went down gets no reply. Whatever the apply
// makes of that, the next apply converges, a plan after it is empty, and
// destroy leaves the pool as it was installed.
func TestInterrupt_masterPowerCycled(t *testing.T) {
	for _, c := range []struct {
		name, delay, at string
		n               int
	}{
		// A task xapi runs on while the master is down.
		{"during_bond_create", "Bond.create#2=+2s", "Bond.create", 2},
		// A synchronous call whose reply never comes: its outcome is
		// unknown, and the journal finds what it made.
		{"during_network_create", "network.create#1=+2s", "network.create", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			faults, err := xapisim.ParseFaults(c.delay)
			if err != nil {
				t.Fatal(err)
			}
			pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, Faults: faults, RebootTime: time.Second})
			w := newInterruptible(t, pool)
			installed := pool.baseline(t)
			w.write(t, "main.tf", requiredProviders+pool.config(sweepBondMTU9000))
			r := w.start("apply", "-auto-approve", "-parallelism=1")
			w.awaitCalls(c.at, c.n, r)
			if err := pool.sim.PowerCycle("xs-host-1"); err != nil {
				t.Fatal(err)
			}
			out, ok := r.wait()
			t.Logf("the apply the power cycle interrupted (succeeded: %t):\n%s", ok, out)
			w.settle()

			if out, ok := w.run("apply", "-auto-approve"); !ok {
				t.Fatalf("the apply after the power cycle failed:\n%s", out)
			}
			if out, ok := w.run("plan", "-detailed-exitcode"); !ok {
				t.Errorf("the plan after the apply is not empty:\n%s", out)
			}
			pool.noUnfinishedWork(t)
			if out, ok := w.run("destroy", "-auto-approve"); !ok {
				t.Fatalf("destroy failed:\n%s", out)
			}
			if err := pool.nothingLeftOver(installed)(nil); err != nil {
				t.Error(err)
			}
		})
	}
}

// A synchronous call that outlasts the client's request timeout: the
// provider cannot know whether xapi made the network. Whatever it
// concludes, no network is left that no state holds, none is made twice,
// and the next apply converges.
func TestInterrupt_networkCreateOutlastsTheRequestTimeout(t *testing.T) {
	for _, c := range []struct {
		name, config, network string
	}{
		{"network", fmt.Sprintf(sweepNetwork, "private", 1500, "{}"), "private"},
		{"bond", sweepBondMTU9000, "Bond 2+3"},
		{"vlan", fmt.Sprintf(sweepVLAN, 1500), "VLAN 100"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			faults, err := xapisim.ParseFaults("network.create#1=+3s")
			if err != nil {
				t.Fatal(err)
			}
			pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, Faults: faults})
			w := newInterruptible(t, pool)
			w.env = append(w.env, envRequestTimeout+"=1s")
			installed := pool.baseline(t)
			w.write(t, "main.tf", requiredProviders+pool.config(c.config))
			out, ok := w.run("apply", "-auto-approve")
			t.Logf("the apply whose network.create outlasted the timeout (succeeded: %t):\n%s", ok, out)
			if !ok && !strings.Contains(out, "xapi may have made the") {
				t.Errorf("the error does not say that xapi may have made what it reports unknown:\n%s", out)
			}
			// xapi finishes the call whoever waits for it.
			w.awaitCalls("network.create", 1, nil)
			w.exited()

			if out, ok := w.run("apply", "-auto-approve"); !ok {
				t.Fatalf("the next apply failed:\n%s", out)
			}
			if out, ok := w.run("plan", "-detailed-exitcode"); !ok {
				t.Errorf("the plan after the apply is not empty:\n%s", out)
			}
			snap := pool.snapshot(t)
			if n := len(snap.NetworksByNameLabel(c.network)); n != 1 {
				t.Errorf("the pool has %d networks named %q, want 1", n, c.network)
			}
			pool.noUnfinishedWork(t)
			if out, ok := w.run("destroy", "-auto-approve"); !ok {
				t.Fatalf("destroy failed:\n%s", out)
			}
			if err := pool.nothingLeftOver(installed)(nil); err != nil {
				t.Error(err)
			}
		})
	}
}

// Sessions that expire after every few calls, under ten operations at
// once: each expiry is answered by one shared login, and no
// SESSION_INVALID reaches the operator.
func TestInterrupt_sessionsExpireUnderParallelism10(t *testing.T) {
	t.Parallel()
	faults, err := xapisim.ParseFaults("sessions=3")
	if err != nil {
		t.Fatal(err)
	}
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, Faults: faults})
	w := newInterruptible(t, pool)
	installed := pool.baseline(t)
	w.write(t, "main.tf", requiredProviders+pool.config(`
data "xsnet_network" "eth1" {
  device = "eth1"
}

resource "xsnet_vlan" "tenant" {
  for_each          = toset([for tag in range(101, 113) : tostring(tag)])
  name_label        = "VLAN ${each.key}"
  tag               = tonumber(each.key)
  parent_network_id = data.xsnet_network.eth1.id
}`))
	for _, args := range [][]string{
		{"apply", "-auto-approve", "-parallelism=10"},
		{"plan", "-detailed-exitcode", "-parallelism=10"},
		{"destroy", "-auto-approve", "-parallelism=10"},
	} {
		out, ok := w.run(args...)
		if !ok {
			t.Fatalf("terraform %s failed:\n%s", args[0], out)
		}
		if strings.Contains(out, "SESSION_INVALID") {
			t.Errorf("terraform %s shows SESSION_INVALID:\n%s", args[0], out)
		}
		if args[0] == "apply" {
			if n := pool.snapshot(t).VLANs.Len(); n != 24 {
				t.Errorf("the pool has %d VLANs after the apply, want 12 on each of 2 hosts", n)
			}
		}
	}
	if err := pool.nothingLeftOver(installed)(nil); err != nil {
		t.Error(err)
	}
	expired := 0
	for _, e := range pool.sim.Trace() {
		if e.Error == xenapi.ErrSessionInvalid {
			expired++
		}
	}
	if expired == 0 {
		t.Error("no session expired: the test did not test what it says")
	}
	t.Logf("%d calls answered SESSION_INVALID, none of them reached the operator", expired)
}

// An unfinished bond a killed provider left in the pool, which no state
// holds, does not stand in the way of terraform destroy: destroy removes
// what the state holds and warns of the bond with the way to remove it,
// which works.
func TestInterrupt_destroyWithUnfinishedWorkInThePool(t *testing.T) {
	t.Parallel()
	faults, err := xapisim.ParseFaults("Bond.create#2=+2s")
	if err != nil {
		t.Fatal(err)
	}
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, Faults: faults})
	w := newInterruptible(t, pool)
	installed := pool.baseline(t)
	network := fmt.Sprintf(sweepNetwork, "private", 1500, "{}")
	w.write(t, "main.tf", requiredProviders+pool.config(network))
	if out, ok := w.run("apply", "-auto-approve"); !ok {
		t.Fatalf("apply:\n%s", out)
	}
	w.write(t, "main.tf", requiredProviders+pool.config(network+sweepBondMTU9000))
	r := w.start("apply", "-auto-approve", "-parallelism=1")
	w.awaitCalls("Bond.create", 2, r)
	w.killProvider(r)
	if out, ok := r.wait(); ok {
		t.Fatalf("the apply succeeded with its provider killed:\n%s", out)
	}
	w.settle()
	w.exited()
	orphan := ""
	for n := range pool.snapshot(t).Networks.Values() {
		if n.OtherConfig["xsnet_journal"] != "" {
			orphan = n.UUID
		}
	}
	if orphan == "" {
		t.Fatal("the killed apply left no unfinished bond to test with")
	}

	out, ok := w.run("destroy", "-auto-approve")
	if !ok {
		t.Fatalf("terraform destroy failed with an unfinished bond in the pool:\n%s", out)
	}
	wantPhrases(t, "terraform destroy", out, "Destroy complete! Resources: 1 destroyed.",
		"Warning: Unfinished Work In The Pool", orphan, "No provider is at work on it any more",
		"import it by that UUID as what it is (xsnet_bond, xsnet_vlan or xsnet_network) and destroy it")

	// What the warning says to do.
	if out, ok := w.run("import", "xsnet_bond.vm", orphan); !ok {
		t.Fatalf("terraform import of the unfinished bond failed:\n%s", out)
	}
	if out, ok := w.run("destroy", "-auto-approve"); !ok {
		t.Fatalf("terraform destroy of the imported bond failed:\n%s", out)
	}
	pool.noUnfinishedWork(t)
	if err := pool.nothingLeftOver(installed)(nil); err != nil {
		t.Error(err)
	}
}
