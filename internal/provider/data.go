package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// providerDataFrom unpacks what Configure handed over. It is nil before
// Configure has run (for example during validate), which callers allow.
func providerDataFrom(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in xsnet; please report it.", v))
		return nil
	}
	return data
}

// poolHostsValue lists the pool's hosts, master first, with liveness and
// where management lives.
func poolHostsValue(snap *poolnet.Snapshot) (types.List, diag.Diagnostics) {
	objType := types.ObjectType{AttrTypes: poolHostAttrTypes}
	var hosts []attr.Value
	var diags diag.Diagnostics
	for _, ref := range snap.HostRefs() {
		h := snap.Hosts.Get(ref)
		device, mtu, network, vlan, ip := types.StringNull(), types.Int64Null(), types.StringNull(), types.Int64Null(), types.StringNull()
		if _, pif, ok := snap.ManagementPIF(ref); ok {
			device, mtu, vlan, ip = types.StringValue(pif.Device), types.Int64Value(pif.MTU), types.Int64Value(pif.VLAN), types.StringValue(pif.IP)
			network = types.StringValue(snap.Networks.Get(pif.Network).UUID)
		}
		obj, d := types.ObjectValue(poolHostAttrTypes, map[string]attr.Value{
			"uuid":                  types.StringValue(h.UUID),
			"name_label":            types.StringValue(h.NameLabel),
			"address":               types.StringValue(h.Address),
			"enabled":               types.BoolValue(h.Enabled),
			"live":                  types.BoolValue(snap.Live(ref)),
			"management_device":     device,
			"management_mtu":        mtu,
			"management_network_id": network,
			"management_vlan":       vlan,
			"management_ip":         ip,
		})
		diags.Append(d...)
		hosts = append(hosts, obj)
	}
	list, d := types.ListValue(objType, hosts)
	diags.Append(d...)
	return list, diags
}

// snapshot returns the pool as the model has it, for a Read, a plan check
// or an apply. It reports false, with the diagnostic added, when there is
// no model or the pool cannot be read.
func (d *providerData) snapshot(ctx context.Context, diags *diag.Diagnostics) (*poolnet.Snapshot, bool) {
	if !requireClient(d, diags) {
		return nil, false
	}
	snap, err := d.model.Snapshot(ctx)
	if err != nil {
		diags.AddError("Cannot Read the Pool", "xsnet reads the pool's hosts, networks, PIFs, bonds and VLANs, and could not: "+err.Error())
		return nil, false
	}
	return snap, true
}

// afterCreate records what a create left: the object read back from the
// pool, so that the state never hides what exists. A create that failed
// but left something in the pool records that too, and Terraform marks it
// tainted, to be taken apart and made again by the next apply. A create
// that succeeded and could not be read back records the plan with its
// UUID and a warning, never an object "gone": the next plan reads it.
func afterCreate[M any](ctx context.Context, kind, uuid string, err error,
	read func(string, *diag.Diagnostics) (M, bool), planned func(string) M, state *tfsdk.State, diags *diag.Diagnostics) {
	title := strings.ToUpper(kind[:1]) + kind[1:]
	if err != nil {
		uuid = poolnet.Remains(err)
		next := " Fix the cause and run terraform apply again."
		switch {
		case uuid != "":
			next = " What is left stays in Terraform's state, marked tainted: the next terraform apply takes it apart " +
				"and makes the " + kind + " again, and terraform destroy removes it."
		case xenapi.IsOutcomeUnknown(err):
			// The journal in what xapi may have made lets the next run
			// find it: the operator need not look for it by hand.
			next = " xapi may have made the " + kind + " all the same. If it did, every plan warns of it as unfinished " +
				"work in the pool, and the next terraform apply of this resource finishes it and adopts it."
		}
		detail := err.Error()
		if !strings.HasSuffix(detail, ".") {
			detail += "."
		}
		diags.AddError("Cannot Create "+title, detail+next)
		if uuid == "" {
			return
		}
	}
	var rd diag.Diagnostics
	m, found := read(uuid, &rd)
	if !found || rd.HasError() {
		m = planned(uuid)
		if err == nil {
			diags.AddWarning(title+" Created, Not Read Back",
				fmt.Sprintf("xsnet made the %s (network %s) and could not read it back: %s. The state holds the planned "+
					"values; the next plan reads the %s from the pool again.", kind, uuid, summary(rd), kind))
		}
	} else {
		diags.Append(rd...)
	}
	diags.Append(state.Set(ctx, m)...)
}

// readBack is the Read of a resource backed by one network: the prior
// state, the network read back from the pool through read, and the state
// set from it (after keep, which may carry over what the pool no longer
// says), or the resource removed when the network is gone.
func readBack[M any](ctx context.Context, data *providerData, req resource.ReadRequest, resp *resource.ReadResponse,
	id func(M) types.String, read func(context.Context, string, *M, *diag.Diagnostics) (M, bool), keep func(prior M, state *M)) {
	var prior M
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() || !requireClient(data, &resp.Diagnostics) {
		return
	}
	state, found := read(ctx, id(prior).ValueString(), &prior, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		resp.State.RemoveResource(ctx)
		return
	}
	if keep != nil {
		keep(prior, &state)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// afterUpdate records what an update or a move left, read back through
// read: whatever happened, the state says what the pool has now, and an
// error says to run the apply again from there.
func afterUpdate[M any](ctx context.Context, what string, err error, read func() (M, bool), state *tfsdk.State, diags *diag.Diagnostics) {
	if m, found := read(); found {
		diags.Append(state.Set(ctx, m)...)
	}
	if err != nil {
		diags.AddError("Cannot "+what, err.Error()+updateNextStep)
	}
}

// summary joins the errors among diagnostics into one sentence.
func summary(d diag.Diagnostics) string {
	var parts []string
	for _, e := range d.Errors() {
		parts = append(parts, e.Summary()+": "+e.Detail())
	}
	if len(parts) == 0 {
		return "it was not in the pool yet"
	}
	return strings.Join(parts, "; ")
}

// importNetwork imports a resource by the UUID of its network, checking
// first that the network is of the kind the resource manages: a private
// network imported as a bond would be destroyed by the next apply, a
// bond's network imported as a network would have its MTU rewritten.
func importNetwork(ctx context.Context, data *providerData, want guardrail.NetworkKind, resourceType string,
	req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !uuidPattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid Import ID",
			"Import "+resourceType+" by the UUID of its network, such as 3f6c1a3e-5c0b-4d7e-9f6a-2b1e0c9d8a7f "+
				"(`xe network-list name-label=<name> params=uuid` prints it); got "+quote(req.ID)+".")
		return
	}
	snap, ok := data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	ref, n, ok := snap.NetworkByUUID(req.ID)
	if !ok {
		resp.Diagnostics.AddError("No Such Network", "The pool has no network with UUID "+req.ID+
			". `xe network-list params=uuid,name-label` lists the networks there are.")
		return
	}
	if poolnet.HostInternal(n) {
		resp.Diagnostics.AddError("Wrong Kind Of Network", fmt.Sprintf("Network %s (%q) is the host-internal "+
			"management network xapi keeps for guests to reach it: it cannot be destroyed, and nothing of it is "+
			"for xsnet to manage.", req.ID, n.NameLabel))
		return
	}
	if got := snap.NetworkKind(ref); got != want {
		resp.Diagnostics.AddError("Wrong Kind Of Network",
			fmt.Sprintf("Network %s (%q) is %s, and %s manages %s. %s", req.ID, n.NameLabel, kindPhrase(got),
				resourceType, kindPhrase(want), importAs(got)))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), types.StringValue(req.ID))...)
}

func kindPhrase(k guardrail.NetworkKind) string {
	switch k {
	case guardrail.NetworkBond:
		return "a bond's network"
	case guardrail.NetworkVLAN:
		return "a VLAN's network"
	case guardrail.NetworkNIC:
		return "a NIC's network"
	}
	return "a network without PIFs"
}

func importAs(k guardrail.NetworkKind) string {
	switch k {
	case guardrail.NetworkBond:
		return "Import it as xsnet_bond."
	case guardrail.NetworkVLAN:
		return "Import it as xsnet_vlan."
	case guardrail.NetworkNIC:
		return "A NIC's network is the pool's own: read it with the xsnet_network data source."
	}
	return "Import it as xsnet_network."
}
