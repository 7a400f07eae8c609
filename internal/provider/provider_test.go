package provider

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// testAccProtoV6ProviderFactories serves the provider in process to the
// terraform binary on PATH.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"xsnet": func() (tfprotov6.ProviderServer, error) {
		return protocolServer(New("test"))(), nil
	},
}

// testPool is the pool an acceptance test runs against: the provider block
// that reaches it and a client for checks that go around Terraform.
type testPool struct {
	// providerSettings are the provider block's lines that reach the pool.
	providerSettings string
	client           *xenapi.Client
	// model changes the pool "by hand", around Terraform, as an operator
	// or another tool would.
	model *poolnet.Model
	sim   *xapisim.Sim // nil against a real pool
}

// newTestPool starts a simulated pool for the test, or, when XENSERVER_HOST
// is set, uses the real pool it names: one suite, two targets.
func newTestPool(t *testing.T, cfg xapisim.Config) *testPool {
	t.Helper()
	if os.Getenv(envHost) != "" {
		client, err := xenapi.NewClient(xenapi.Config{
			URL:      os.Getenv(envHost),
			Username: os.Getenv(envUsername),
			Password: os.Getenv(envPassword),
			Insecure: os.Getenv("XSNET_TEST_INSECURE") != "",
		})
		if err != nil {
			t.Fatal(err)
		}
		return &testPool{client: client, model: poolnet.NewModel(client, poolnet.Options{})}
	}
	sim := xapisim.Run(t, cfg)
	client, err := xenapi.NewClient(xenapi.Config{URL: sim.URL(), Username: sim.Username(), Password: sim.Password()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Logout(context.Background()) })
	return &testPool{
		providerSettings: fmt.Sprintf("  host     = %q\n  username = %q\n  password = %q\n",
			sim.URL(), sim.Username(), sim.Password()),
		client: client,
		model:  poolnet.NewModel(client, poolnet.Options{}),
		sim:    sim,
	}
}

// stop logs the test's client out and shuts the simulated pool down,
// saving it to its state file, before the test ends: the logout goes
// first, because against a pool that is gone it would wait out the
// client's retries, seven seconds.
func (p *testPool) stop(t *testing.T) {
	t.Helper()
	if err := p.client.Logout(context.Background()); err != nil {
		t.Fatalf("logging out of the simulated pool: %v", err)
	}
	if err := p.sim.Close(); err != nil {
		t.Fatal(err)
	}
}

// config prepends the provider block to a test configuration.
func (p *testPool) config(hcl string) string {
	return "provider \"xsnet\" {\n" + p.providerSettings + "}\n\n" + hcl
}

// configAllowing is config under a guardrails policy that allows the bond
// modes, given as HCL list elements such as `"balance-slb", "lacp"`.
func (p *testPool) configAllowing(modes, hcl string) string {
	return "provider \"xsnet\" {\n" + p.providerSettings +
		"  guardrails {\n    allowed_bond_modes = [" + modes + "]\n  }\n}\n\n" + hcl
}

// snapshot reads the pool through the client, not through Terraform.
func (p *testPool) snapshot(t *testing.T) *poolnet.Snapshot {
	t.Helper()
	s, err := poolnet.TakeSnapshot(context.Background(), p.client)
	if err != nil {
		t.Fatalf("reading the pool: %v", err)
	}
	return s
}
