package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// bench runs terraform against simulated pools with the provider built
// from this tree, in a temporary directory of its own: terraform reads a
// CLI configuration written there, never the user's ~/.terraformrc.
type bench struct {
	dir       string
	cliConfig string
	provider  string // the real provider the wrapper runs
	inert     string // the inert provider, once built
	runs      int    // numbers the working directories

	parallelism int
	probeVLANs  int
	// stepDone, when set, is told of every step as it ends.
	stepDone func(step)
}

// newBench builds the provider into dir and points a development override
// at the wrapper: a link, named as the provider, to the running binary.
func newBench(ctx context.Context, dir string) (*bench, error) {
	b := &bench{dir: dir, parallelism: 10, probeVLANs: 10}
	b.provider = filepath.Join(dir, "provider", "terraform-provider-xsnet")
	build := exec.CommandContext(ctx, "go", "build", "-o", b.provider, "github.com/xsnet/terraform-provider-xsnet")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	override := filepath.Join(dir, "override")
	if err := os.MkdirAll(override, 0o755); err != nil {
		return nil, err
	}
	if err := os.Symlink(self, filepath.Join(override, "terraform-provider-xsnet")); err != nil {
		return nil, err
	}
	b.cliConfig = filepath.Join(dir, "terraform.rc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"xsnet/xsnet\" = %q\n  }\n  direct {}\n}\n", override)
	return b, os.WriteFile(b.cliConfig, []byte(rc), 0o600)
}

// errBudget ends a run that has used its wall-time budget.
var errBudget = errors.New("over the wall-time budget")

// run applies the size's configuration to a fresh simulated pool with the
// latency, and measures each step; past the budget it stops and says so.
func (b *bench) run(ctx context.Context, k runKey, budget time.Duration) (result, error) {
	r := result{runKey: k}
	sim, err := xapisim.New(xapisim.Config{Hosts: k.Size.Hosts, NICs: nics, Latency: k.Latency})
	if err != nil {
		return r, err
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return r, err
	}
	defer func() { _ = sim.Close() }()
	// The bench's own reads of the pool happen between steps, outside what
	// is measured.
	client, err := xenapi.NewClient(xenapi.Config{URL: sim.URL(), Username: sim.Username(), Password: sim.Password()})
	if err != nil {
		return r, err
	}
	defer client.CloseIdleConnections()
	w, err := b.workdir(xsnetConfig(k.Size))
	if err != nil {
		return r, err
	}
	env := []string{
		"XENSERVER_HOST=" + sim.URL(),
		"XENSERVER_USERNAME=" + sim.Username(),
		"XENSERVER_PASSWORD=" + sim.Password(),
		wrapProviderEnv + "=" + b.provider,
	}
	if k.Mode == cacheOff {
		env = append(env, poolCacheEnv+"=off")
	}
	ctx, cancel := context.WithTimeoutCause(ctx, budget, errBudget)
	defer cancel()

	probe := "-var=" + probeVariable + "=" + strconv.Itoa(b.probeVLANs)
	par := "-parallelism=" + strconv.Itoa(b.parallelism)
	steps := []struct {
		name      string
		resources int
		args      []string
		check     func(output string, code int) error
		pool      poolShape // what the pool holds after the step
	}{
		{stepApply, k.Size.resources(), []string{"apply", "-auto-approve", "-input=false", par}, nil,
			poolShape{Bonds: 2 * k.Size.Hosts, VLANs: k.Size.VLANs * k.Size.Hosts}},
		{stepPlan, k.Size.resources(), []string{"plan", "-detailed-exitcode", "-input=false", par}, planIsEmpty,
			poolShape{Bonds: 2 * k.Size.Hosts, VLANs: k.Size.VLANs * k.Size.Hosts}},
		{stepVLANCreate, b.probeVLANs, []string{"apply", "-auto-approve", "-input=false", par, probe, "-target=" + probeAddress}, nil,
			poolShape{Bonds: 2 * k.Size.Hosts, VLANs: (k.Size.VLANs + b.probeVLANs) * k.Size.Hosts}},
		{stepDestroy, k.Size.resources() + b.probeVLANs, []string{"destroy", "-auto-approve", "-input=false", par, probe}, nil,
			poolShape{}},
	}
	for _, s := range steps {
		before := sim.Calls()
		st, err := b.step(ctx, w, env, s.name, s.resources, s.args, s.check)
		if err == nil {
			st.Calls = diffCalls(before, sim.Calls())
			r.Steps = append(r.Steps, st)
			if b.stepDone != nil {
				b.stepDone(st)
			}
			err = checkPool(ctx, client, s.pool)
		}
		if err != nil {
			if errors.Is(context.Cause(ctx), errBudget) {
				r.Stopped = fmt.Sprintf("stopped in %s at the budget of %s", s.name, budget.Round(100*time.Millisecond))
				return r, nil
			}
			return r, fmt.Errorf("%s, %s: %w", k.Size, s.name, err)
		}
	}
	return r, nil
}

// floor runs the size's floor of the kind: the terraform_data
// configuration as large as the size's, or the size's own configuration on
// the inert provider.
func (b *bench) floor(ctx context.Context, kind string, s size, budget time.Duration) (floor, error) {
	f := floor{Kind: kind, Size: s}
	config, env := floorConfig(s.resources()), []string(nil)
	if kind == floorInert {
		inert, err := b.inertProvider(ctx)
		if err != nil {
			return f, err
		}
		config = xsnetConfig(s)
		env = []string{wrapProviderEnv + "=" + inert, inertHostsEnv + "=" + strconv.Itoa(s.Hosts)}
	}
	w, err := b.workdir(config)
	if err != nil {
		return f, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, budget, errBudget)
	defer cancel()
	par := "-parallelism=" + strconv.Itoa(b.parallelism)
	for _, st := range []struct {
		name  string
		args  []string
		check func(string, int) error
	}{
		{stepApply, []string{"apply", "-auto-approve", "-input=false", par}, nil},
		{stepPlan, []string{"plan", "-detailed-exitcode", "-input=false", par}, planIsEmpty},
		{stepDestroy, []string{"destroy", "-auto-approve", "-input=false", par}, nil},
	} {
		res, err := b.step(ctx, w, env, st.name, s.resources(), st.args, st.check)
		if err != nil {
			if errors.Is(context.Cause(ctx), errBudget) {
				f.Stopped = fmt.Sprintf("stopped in %s at the budget of %s", st.name, budget.Round(100*time.Millisecond))
				return f, nil
			}
			return f, fmt.Errorf("%s floor at %s, %s: %w", kind, s, st.name, err)
		}
		f.Steps = append(f.Steps, res)
	}
	return f, nil
}

// inertHostsEnv tells the inert provider how many hosts the pool has, for
// the values it makes up to be the size of xapi's.
const inertHostsEnv = "INERT_HOSTS"

// inertProvider builds the inert provider, the first time it is needed.
func (b *bench) inertProvider(ctx context.Context) (string, error) {
	if b.inert != "" {
		return b.inert, nil
	}
	path := filepath.Join(b.dir, "provider", "terraform-provider-xsnet-inert")
	build := exec.CommandContext(ctx, "go", "build", "-o", path, "github.com/xsnet/terraform-provider-xsnet/internal/provider/inert")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the inert provider: %w\n%s", err, out)
	}
	b.inert = path
	return path, nil
}

// workdir makes a working directory holding main.tf.
func (b *bench) workdir(mainTF string) (string, error) {
	b.runs++
	w := filepath.Join(b.dir, fmt.Sprintf("run-%d", b.runs))
	if err := os.MkdirAll(w, 0o755); err != nil {
		return "", err
	}
	return w, os.WriteFile(filepath.Join(w, "main.tf"), []byte(mainTF), 0o600)
}

// step runs one terraform command in w and measures it. check, when set,
// judges the output and exit code; otherwise the command must succeed.
func (b *bench) step(ctx context.Context, w string, env []string, name string, resources int, args []string,
	check func(output string, code int) error,
) (step, error) {
	usageFile := filepath.Join(w, "usage-"+name)
	env = append(append(cleanEnv(), env...),
		"TF_CLI_CONFIG_FILE="+b.cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		wrapUsageEnv+"="+usageFile)
	start := time.Now()
	out, code, cpu, err := terraform(ctx, w, env, args...)
	wall := time.Since(start)
	switch {
	case err != nil:
		return step{}, err
	case check != nil:
		err = check(out, code)
	case code != 0:
		err = fmt.Errorf("terraform %s failed:\n%s", args[0], out)
	}
	if err != nil {
		return step{}, err
	}
	usage, err := readProviderUsage(usageFile)
	if err != nil {
		return step{}, err
	}
	return step{
		Name: name, Resources: resources, Wall: wall,
		PeakRSS: usage.PeakRSS, Providers: usage.Processes,
		ProviderCPU: usage.CPU, TerraformCPU: usage.terraformCPU(cpu),
	}, nil
}

// planIsEmpty is the check of a plan after apply: a refresh that finds
// anything to change means the provider reads back something other than
// what it applied, and the measurement would be of the wrong thing.
func planIsEmpty(output string, code int) error {
	switch code {
	case 0:
		return nil
	case 2:
		return fmt.Errorf("the plan after apply is not empty, so the provider reads back something other than it applied:\n%s", output)
	default:
		return fmt.Errorf("terraform plan failed:\n%s", output)
	}
}

// terraform runs a terraform command and returns its combined output, exit
// code and CPU time; err is for a command that could not run or was
// stopped. When ctx ends, Terraform and its providers are interrupted as by
// Ctrl-C, and killed if they have not stopped half a minute later.
//
// The CPU time is Terraform's and, on Linux, that of every process it
// waited for: the provider wrappers and, through them, the providers.
// Terraform's plugin client waits for each provider it starts before the
// command exits, so none is left out.
func terraform(ctx context.Context, dir string, env []string, args ...string) (out string, code int, cpu time.Duration, err error) {
	cmd := exec.CommandContext(ctx, "terraform", append(args, "-no-color")...)
	cmd.Dir, cmd.Env = dir, env
	startInGroup(cmd)
	cmd.Cancel = func() error { return interruptGroup(cmd) }
	cmd.WaitDelay = 30 * time.Second
	b, err := cmd.CombinedOutput()
	out = string(b)
	if cmd.ProcessState != nil {
		cpu = cpuTime(cmd.ProcessState)
	}
	if ctx.Err() != nil {
		killGroup(cmd)
		return out, -1, cpu, context.Cause(ctx)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return out, exit.ExitCode(), cpu, nil
	}
	if err != nil {
		return out, -1, cpu, err
	}
	return out, 0, cpu, nil
}

// cleanEnv is the environment without what would point terraform, the
// provider or the wrapper elsewhere.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "XENSERVER_") || strings.HasPrefix(kv, "XSNET_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// diffCalls is the calls made between two readings of the simulator's
// counters.
func diffCalls(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for m, n := range after {
		if d := n - before[m]; d > 0 {
			out[m] = d
		}
	}
	return out
}

// poolShape is how many bonds and VLANs the pool holds, counted on every
// host.
type poolShape struct{ Bonds, VLANs int }

// checkPool reads the pool, outside the measured steps, and fails unless
// it holds what the configuration says: a step that did less than asked
// would be measured as fast.
func checkPool(ctx context.Context, c *xenapi.Client, want poolShape) error {
	snap, err := poolnet.TakeSnapshot(ctx, c)
	if err != nil {
		return err
	}
	got := poolShape{Bonds: snap.Bonds.Len(), VLANs: snap.VLANs.Len()}
	if got != want {
		return fmt.Errorf("the pool holds %d bonds and %d VLANs, not %d and %d", got.Bonds, got.VLANs, want.Bonds, want.VLANs)
	}
	return nil
}
