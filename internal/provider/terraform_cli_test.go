package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
)

// Some guarantees are about the terraform command itself, as a reviewer's
// CI runs it: `terraform validate` with no credentials and no pool, and the
// warnings a plan prints. These tests build the provider and run terraform
// against it through a development override, in a CLI configuration of
// their own.
//
// They run the CLI that terraform-plugin-testing runs: terraform from PATH,
// or the binary TF_ACC_TERRAFORM_PATH names, such as OpenTofu's tofu, which
// installs providers from the registry TF_ACC_PROVIDER_HOST names.

// underOpenTofu reports whether the tests run OpenTofu rather than
// Terraform.
func underOpenTofu() bool { return os.Getenv("TF_ACC_PROVIDER_HOST") == "registry.opentofu.org" }

// joinPasswordAttribute is the xsnet_pool join argument that carries a
// joining host's password: password_wo, or password under OpenTofu 1.10,
// which has no write-only arguments.
func joinPasswordAttribute() string {
	if underOpenTofu() {
		return "password"
	}
	return "password_wo"
}

// terraformBinary is the Terraform CLI the tests run.
func terraformBinary() string {
	if path := os.Getenv("TF_ACC_TERRAFORM_PATH"); path != "" {
		return path
	}
	return "terraform"
}

// providerAddress is xsnet's address in the registry that the CLI installs
// from: registry.terraform.io for Terraform, registry.opentofu.org for
// OpenTofu. The development override must name that address, or the CLI
// looks for xsnet in the registry.
func providerAddress() string {
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = "registry.terraform.io"
	}
	return host + "/xsnet/xsnet"
}

var providerBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "xsnet-provider-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-xsnet"), "github.com/xsnet/terraform-provider-xsnet")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return dir, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// terraformCLI runs terraform once in a directory holding main.tf; see
// newWorkdir.
func terraformCLI(t *testing.T, mainTF string, env []string, args ...string) (string, bool) {
	t.Helper()
	w := newWorkdir(t, env)
	w.write(t, "main.tf", mainTF)
	return w.run(args...)
}

// workdir is a Terraform working directory that uses the provider built
// from this tree and nothing from the user's own CLI configuration.
type workdir struct {
	ctx context.Context
	dir string
	env []string
	// inProcess serves the provider in the test's own process for each
	// command instead of the built binary.
	inProcess *testing.T
}

func newWorkdir(t *testing.T, env []string) *workdir {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs terraform; set TF_ACC=1")
	}
	bin, err := providerBinary()
	if err != nil {
		t.Fatalf("building the provider: %v", err)
	}
	dir := t.TempDir()
	cliConfig := filepath.Join(dir, ".terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", providerAddress(), bin)
	if err := os.WriteFile(cliConfig, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	return &workdir{ctx: t.Context(), dir: dir, env: append(cleanEnv(), append([]string{
		"TF_CLI_CONFIG_FILE=" + cliConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
	}, env...)...)}
}

func (w *workdir) write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// run runs terraform with the arguments and returns its combined output and
// whether it succeeded.
func (w *workdir) run(args ...string) (string, bool) {
	cmd := exec.CommandContext(w.ctx, terraformBinary(), append(args, "-no-color")...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// cleanEnv is the environment without anything that would point terraform
// or the provider elsewhere.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "XENSERVER_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

const requiredProviders = `
terraform {
  required_providers {
    xsnet = { source = "xsnet/xsnet" }
  }
}
`

// The review-time guarantee: with no credentials, no pool and no provider
// settings at all, terraform validate refuses a jumbo management bond and
// an LACP bond, each with its rule, its why and its fix.
func TestTerraformValidate_refusesTheTwoOutagesWithoutAPool(t *testing.T) {
	t.Parallel()
	out, ok := terraformCLI(t, requiredProviders+`
resource "xsnet_bond" "management" {
  name_label = "Bond 0+1"
  members    = ["eth0", "eth1"]
  management = true
  mtu        = 9000
}

resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  mode       = "lacp"
}
`, nil, "validate")
	if ok {
		t.Fatalf("terraform validate accepted the configuration:\n%s", out)
	}
	for _, want := range []string{
		"Management Interface MTU Must Be 1500", "management-mtu", "drop out of the pool", "mtu = 1500",
		"Bond Mode Must Be Allowed", "bond-mode", "intermittent", "balance-slb",
		`with xsnet_bond.management`, `with xsnet_bond.vm`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terraform validate output lacks %q:\n%s", want, out)
		}
	}
}

// A relaxed policy lets validate pass an LACP bond.
func TestTerraformValidate_relaxedPolicyAllowsLACP(t *testing.T) {
	t.Parallel()
	out, ok := terraformCLI(t, requiredProviders+`
provider "xsnet" {
  guardrails {
    allowed_bond_modes = ["balance-slb", "lacp"]
  }
}

resource "xsnet_bond" "vm" {
  name_label        = "Bond 2+3"
  members           = ["eth2", "eth3"]
  mode              = "lacp"
  hashing_algorithm = "src_mac"
}
`, nil, "validate")
	if !ok {
		t.Fatalf("terraform validate refused an LACP bond under a policy that allows it:\n%s", out)
	}
}

// Every example in examples/ is valid as written.
func TestTerraformValidate_examples(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob("../../examples/*/*")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../../examples/*")
	dirs = append(dirs, more...)
	checked := 0
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
		if len(files) == 0 {
			continue
		}
		t.Run(strings.TrimPrefix(dir, "../../"), func(t *testing.T) {
			var src strings.Builder
			hasTerraformBlock := false
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				hasTerraformBlock = hasTerraformBlock || strings.Contains(string(b), "required_providers")
				src.Write(b)
				src.WriteString("\n")
			}
			config := src.String()
			if underOpenTofu() && strings.Contains(config, "ephemeral = true") {
				t.Skip("an ephemeral variable and a write-only argument: OpenTofu 1.10 has neither, and gives xsnet_pool's join a password instead")
			}
			if !hasTerraformBlock {
				config = requiredProviders + config
			}
			if out, ok := terraformCLI(t, config, nil, "validate"); !ok {
				t.Errorf("%s does not validate:\n%s", dir, out)
			}
		})
		checked++
	}
	if checked < 6 {
		t.Fatalf("found only %d example directories", checked)
	}
}

// Under a relaxed policy an LACP bond is planned, and the plan says, on the
// bond, that the guardrail is relaxed: review sees it every time.
func TestTerraformPlan_relaxedPolicyWarnsOnEveryPlan(t *testing.T) {
	t.Parallel()
	sim := xapisim.Run(t, xapisim.Config{Hosts: 2, NICs: 4})
	out, ok := terraformCLI(t, requiredProviders+fmt.Sprintf(`
provider "xsnet" {
  host     = %q
  username = %q
  password = %q
  guardrails {
    allowed_bond_modes = ["balance-slb", "lacp"]
  }
}

resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  mode       = "lacp"
}
`, sim.URL(), sim.Username(), sim.Password()), nil, "plan")
	if !ok {
		t.Fatalf("terraform plan failed:\n%s", out)
	}
	for _, want := range []string{"Warning: Bond Mode Guardrail Relaxed", "with xsnet_bond.vm", "bond-mode", "Plan: 1 to add"} {
		if !strings.Contains(out, want) {
			t.Errorf("terraform plan output lacks %q:\n%s", want, out)
		}
	}
}

// The examples are formatted as terraform fmt formats them: users copy them.
func TestTerraformFmt_examples(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs terraform; set TF_ACC=1")
	}
	cmd := exec.CommandContext(t.Context(), terraformBinary(), "fmt", "-check", "-recursive", "-list=true", "../../examples")
	cmd.Env = cleanEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("terraform fmt would change these examples (run make fmt):\n%s", out)
	}
}
