package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
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
		h := snap.Hosts[ref]
		device, mtu := types.StringNull(), types.Int64Null()
		if _, pif, ok := snap.ManagementPIF(ref); ok {
			device, mtu = types.StringValue(pif.Device), types.Int64Value(pif.MTU)
		}
		obj, d := types.ObjectValue(poolHostAttrTypes, map[string]attr.Value{
			"uuid":              types.StringValue(h.UUID),
			"name_label":        types.StringValue(h.NameLabel),
			"address":           types.StringValue(h.Address),
			"enabled":           types.BoolValue(h.Enabled),
			"live":              types.BoolValue(snap.Live(ref)),
			"management_device": device,
			"management_mtu":    mtu,
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
