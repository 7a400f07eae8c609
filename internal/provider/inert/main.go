// Command inert is xsnet's provider with the work taken out: it serves
// xsnet's provider and resource schemas, through the same plugin framework
// and protocol server, and its operations touch no pool. Create and Update
// store the plan with every value left unknown made up; Read and Delete do
// nothing. The bench runs xsnet's configuration against it to measure what
// Terraform and the framework alone cost for xsnet's schemas: a floor
// nearer xsnet than Terraform's built-in terraform_data, which has no
// provider process, no plugin protocol and a two-attribute schema.
//
// Values made up stand in for what xapi would give, in size: each string a
// UUID, and each map (the resources' hosts) one entry for each of the
// hosts INERT_HOSTS says the pool has. It serves no data sources.
package main

import (
	"context"
	"fmt"
	"log"
	"math/big"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	xsnet "github.com/xsnet/terraform-provider-xsnet/internal/provider"
)

// hostsEnv names the variable that says how many hosts the made-up maps
// have an entry for: the bench sets it to the pool's host count.
const hostsEnv = "INERT_HOSTS"

func main() {
	hosts, err := strconv.Atoi(os.Getenv(hostsEnv))
	if err != nil || hosts < 0 {
		log.Fatalf("%s must be the pool's host count, not %q", hostsEnv, os.Getenv(hostsEnv))
	}
	newProvider := func() provider.Provider { return inertProvider{xsnet.New("inert")(), hosts} }
	if err := xsnet.Serve("registry.terraform.io/xsnet/xsnet", newProvider, false); err != nil {
		log.Fatal(err)
	}
}

// inertProvider is xsnet's provider, named and configured alike (its
// Metadata and Schema), whose resources do no work. Embedding the
// interfaces, not xsnet's types, leaves out everything else xsnet's
// provider and resources do: validation, plan modification, import.
type inertProvider struct {
	provider.Provider
	hosts int
}

// Configure reads the provider block and connects to nothing: there is no
// pool behind the inert provider.
func (inertProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p inertProvider) Resources(ctx context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, newResource := range p.Provider.Resources(ctx) {
		out = append(out, func() resource.Resource { return inertResource{newResource(), p.hosts} })
	}
	return out
}

func (inertProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// inertResource is one of xsnet's resources, named and shaped alike, with
// no work behind it.
type inertResource struct {
	resource.Resource
	hosts int
}

func (r inertResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.store(req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

// Read keeps the state as it is: the framework starts the response from it.
func (inertResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r inertResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.store(req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

// Delete does nothing: the framework takes the resource out of the state.
func (inertResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// store puts the planned value into state, with every unknown in it made
// up, as an apply of xsnet's learns it from the pool.
func (r inertResource) store(planned tftypes.Value, state *tfsdk.State, diags *diag.Diagnostics) {
	v, err := madeKnown(planned, r.hosts)
	if err != nil {
		diags.AddError("Making up the values the plan left unknown", err.Error())
		return
	}
	state.Raw = v
}

// madeKnown is v with every unknown value in it made up.
func madeKnown(v tftypes.Value, hosts int) (tftypes.Value, error) {
	return tftypes.Transform(v, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		return madeUp(v.Type(), hosts)
	})
}

// made numbers the strings madeUp makes, so that no two are alike.
var made atomic.Int64

// madeUp is a known value of type t: a string the size of a UUID, zero,
// false, a map with an entry for each host, an empty list or set, or an
// object of values made up in turn.
func madeUp(t tftypes.Type, hosts int) (tftypes.Value, error) {
	switch {
	case t.Is(tftypes.String):
		return tftypes.NewValue(t, uuid(made.Add(1))), nil
	case t.Is(tftypes.Number):
		return tftypes.NewValue(t, new(big.Float)), nil
	case t.Is(tftypes.Bool):
		return tftypes.NewValue(t, false), nil
	}
	switch t := t.(type) {
	case tftypes.Map:
		entries := make(map[string]tftypes.Value, hosts)
		for h := range hosts {
			e, err := madeUp(t.ElementType, hosts)
			if err != nil {
				return tftypes.Value{}, err
			}
			entries[uuid(int64(h))] = e
		}
		return tftypes.NewValue(t, entries), nil
	case tftypes.List:
		return tftypes.NewValue(t, []tftypes.Value{}), nil
	case tftypes.Set:
		return tftypes.NewValue(t, []tftypes.Value{}), nil
	case tftypes.Object:
		attrs := make(map[string]tftypes.Value, len(t.AttributeTypes))
		for name, at := range t.AttributeTypes {
			a, err := madeUp(at, hosts)
			if err != nil {
				return tftypes.Value{}, err
			}
			attrs[name] = a
		}
		return tftypes.NewValue(t, attrs), nil
	}
	return tftypes.Value{}, fmt.Errorf("no value to make up for a %s", t)
}

// uuid is n written as a UUID.
func uuid(n int64) string { return fmt.Sprintf("00000000-0000-4000-8000-%012x", n) }
