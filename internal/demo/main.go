// Command demo shows what xsnet does in a few minutes, with nothing but Go,
// Terraform and this repository: it builds the provider, starts a simulated
// four-host XenServer pool, applies examples/pool-networking to it with the
// terraform command, draws the pool's network as it now is, shows
// terraform validate refusing the two configurations that took pools down,
// destroys everything and stops the pool.
//
// It touches nothing outside a temporary directory of its own: terraform
// runs with a CLI configuration written there, never the user's
// ~/.terraformrc or TF_CLI_CONFIG_FILE.
//
// Run it with `make demo`. The -terraform flag names another CLI to run,
// such as OpenTofu's tofu.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

func main() {
	terraform := flag.String("terraform", "terraform", "the Terraform CLI to run: terraform, or OpenTofu's tofu")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, *terraform)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// demo holds what the steps share.
type demo struct {
	out     io.Writer
	outErr  error  // the first failure to write to out
	cli     string // the Terraform CLI: terraform, or OpenTofu's tofu
	dir     string // the temporary directory everything lives in
	workdir string // where terraform applies the example
	env     []string
	step    int
}

const steps = 6

// say writes to the demo's output. A failure to write stops nothing now
// and is reported when the demo ends.
func (d *demo) say(format string, args ...any) {
	if _, err := fmt.Fprintf(d.out, format, args...); err != nil && d.outErr == nil {
		d.outErr = err
	}
}

func (d *demo) heading(title string) {
	d.step++
	d.say("\n==> %d/%d  %s\n\n", d.step, steps, title)
}

func run(ctx context.Context, out io.Writer, terraform string) (err error) {
	start := time.Now()
	dir, err := os.MkdirTemp("", "xsnet-demo-")
	if err != nil {
		return err
	}
	d := &demo{out: out, cli: terraform, dir: dir, workdir: filepath.Join(dir, "pool-networking")}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()

	d.heading("Building the provider from this repository")
	bin := filepath.Join(dir, "bin")
	if err := d.command(ctx, "", nil, "go", "build", "-o", filepath.Join(bin, "terraform-provider-xsnet"), "."); err != nil {
		return err
	}
	d.say("built %s\n", filepath.Join(bin, "terraform-provider-xsnet"))

	d.heading("Starting a simulated XenServer pool: 4 hosts, 4 NICs each, management on eth0")
	sim, err := xapisim.New(xapisim.Config{Hosts: 4, NICs: 4})
	if err != nil {
		return err
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, sim.Close())
		}
	}()
	d.say("the pool master answers XenAPI (XML-RPC and JSON-RPC) at %s\n", sim.URL())
	client, err := xenapi.NewClient(xenapi.Config{URL: sim.URL(), Username: sim.Username(), Password: sim.Password()})
	if err != nil {
		return err
	}
	if err := d.writeCLIConfig(ctx, bin); err != nil {
		return err
	}
	d.env = append(d.env,
		"XENSERVER_HOST="+sim.URL(), "XENSERVER_USERNAME="+sim.Username(), "XENSERVER_PASSWORD="+sim.Password())
	if err := d.showPool(ctx, client, "The pool as installed:"); err != nil {
		return err
	}

	d.heading("terraform apply examples/pool-networking")
	d.say("A management bond on eth0+eth1 at MTU 1500, a VM bond on eth2+eth3 at MTU 9000,\n" +
		"VLANs 100-103 over the VM bond, a storage VLAN with an address on every host, and a private\n" +
		"network: two bonds and five VLANs on every host.\n\n")
	if err := copyDir(filepath.Join("examples", "pool-networking"), d.workdir); err != nil {
		return err
	}
	if err := d.terraform(ctx, d.workdir, "apply", "-auto-approve", "-compact-warnings"); err != nil {
		return err
	}
	if err := d.showPool(ctx, client, "The pool's network now, read back from the pool itself:"); err != nil {
		return err
	}

	d.heading("terraform validate refuses the two configurations that took pools down")
	for _, bad := range badConfigs {
		d.say("--- %s\n%s\n", bad.title, indent(bad.hcl))
		dir := filepath.Join(d.dir, bad.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(requiredProviders+bad.hcl), 0o644); err != nil {
			return err
		}
		// No pool, no credentials: this is what code-review CI runs.
		output, err := d.terraformOutput(ctx, dir, false, "validate")
		if err == nil {
			return fmt.Errorf("terraform validate accepted %s", bad.name)
		}
		d.say("terraform validate (no credentials, no pool) says:\n%s\n", indent(errorsOnly(output)))
	}

	d.heading("terraform destroy")
	if err := d.terraform(ctx, d.workdir, "destroy", "-auto-approve", "-compact-warnings"); err != nil {
		return err
	}
	if err := d.showPool(ctx, client, "The pool is back as it was installed:"); err != nil {
		return err
	}

	d.heading("Stopping the simulated pool")
	if err := sim.Close(); err != nil {
		return err
	}
	d.say("done in %s; nothing is left running and the temporary directory is removed.\n"+
		"Next: `make test` runs the whole suite; README.md says how to point xsnet at a real pool.\n",
		time.Since(start).Round(time.Second))
	return d.outErr
}

// showPool draws the pool's network as the pool itself reports it.
func (d *demo) showPool(ctx context.Context, client *xenapi.Client, caption string) error {
	snap, err := poolnet.TakeSnapshot(ctx, client)
	if err != nil {
		return err
	}
	d.say("\n%s\n%s", caption, drawPool(snap))
	return nil
}

const requiredProviders = `terraform {
  required_providers {
    xsnet = { source = "xsnet/xsnet" }
  }
}

`

var badConfigs = []struct{ name, title, hcl string }{
	{"jumbo-management", "A management bond with jumbo frames (XenServer 6.1 hosts fell out of the pool after every reboot)", `resource "xsnet_bond" "management" {
  name_label = "Bond 0+1 (management)"
  members    = ["eth0", "eth1"]
  management = true
  mtu        = 9000
}
`},
	{"lacp", "An LACP bond (a LAG mismatch with the switch gives intermittent loss)", `resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3 (VM traffic)"
  members    = ["eth2", "eth3"]
  mode       = "lacp"
}
`},
}

// writeCLIConfig points terraform at the provider just built, for the
// demo's commands only.
func (d *demo) writeCLIConfig(ctx context.Context, bin string) error {
	address, err := d.providerAddress(ctx)
	if err != nil {
		return err
	}
	path := filepath.Join(d.dir, "terraform.rc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", address, bin)
	if err := os.WriteFile(path, []byte(rc), 0o644); err != nil {
		return err
	}
	d.env = []string{"TF_CLI_CONFIG_FILE=" + path, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"}
	return nil
}

// providerAddress is xsnet's address in the registry the CLI installs
// from: OpenTofu reads `xsnet/xsnet` as registry.opentofu.org/xsnet/xsnet,
// Terraform as registry.terraform.io/xsnet/xsnet, and the development
// override must name the same address.
func (d *demo) providerAddress(ctx context.Context) (string, error) {
	cmd := exec.CommandContext(ctx, d.cli, "version")
	cmd.Env = append(cleanEnv(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %w", d.cli, err)
	}
	if strings.HasPrefix(string(out), "OpenTofu ") {
		return "registry.opentofu.org/xsnet/xsnet", nil
	}
	return "registry.terraform.io/xsnet/xsnet", nil
}

// terraform runs a terraform command in dir and shows its progress: what
// it creates, changes and destroys, and its summary. On failure it shows
// everything terraform said.
func (d *demo) terraform(ctx context.Context, dir string, args ...string) error {
	output, err := d.terraformOutput(ctx, dir, true, args...)
	if err != nil {
		d.say("%s", indent(withoutOverrideWarning(output)))
		return fmt.Errorf("terraform %s: %w", args[0], err)
	}
	d.say("%s", indent(progressOnly(output)))
	return nil
}

var progressLine = regexp.MustCompile(`^\S+: (Creating|Creation complete|Modifying|Modifications complete|Destroying|Destruction complete)|^(Plan:|Apply complete!|Destroy complete!)`)

func progressOnly(s string) string {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		if progressLine.MatchString(line) {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n") + "\n"
}

func (d *demo) terraformOutput(ctx context.Context, dir string, withPool bool, args ...string) (string, error) {
	env := d.env
	if !withPool {
		env = env[:3] // the CLI configuration only: no credentials
	}
	cmd := exec.CommandContext(ctx, d.cli, append(args, "-no-color")...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (d *demo) command(ctx context.Context, dir string, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = d.out, d.out
	return cmd.Run()
}

// cleanEnv is the environment without what would point terraform or the
// provider elsewhere.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "XENSERVER_") {
			env = append(env, kv)
		}
	}
	return env
}

// withoutOverrideWarning drops the development-overrides warning that
// terraform prints before every command here.
func withoutOverrideWarning(s string) string {
	var out []string
	skipping := false
	for _, line := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(line, "Warning: Provider development overrides are in effect"):
			skipping = true
			continue
		case skipping && strings.HasPrefix(line, "releases."):
			skipping = false
			continue
		case skipping:
			continue
		}
		out = append(out, line)
	}
	return strings.TrimLeft(strings.Join(out, "\n"), "\n")
}

// errorsOnly keeps terraform's Error blocks.
func errorsOnly(s string) string {
	s = withoutOverrideWarning(s)
	if i := strings.Index(s, "Error:"); i >= 0 {
		return strings.TrimSpace(s[i:]) + "\n"
	}
	return s
}

// indent sets terraform's output and HCL apart from the demo's own words.
func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "    " + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func copyDir(from, to string) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return fmt.Errorf("%w (run the demo from the repository's root, as `make demo` does)", err)
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
