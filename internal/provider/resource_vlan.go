package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
)

var (
	_ resource.ResourceWithConfigure      = (*vlanResource)(nil)
	_ resource.ResourceWithImportState    = (*vlanResource)(nil)
	_ resource.ResourceWithValidateConfig = (*vlanResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*vlanResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*vlanResource)(nil)
)

type vlanResource struct {
	data *providerData
}

// NewVLANResource returns the xsnet_vlan resource.
func NewVLANResource() resource.Resource { return &vlanResource{} }

type vlanModel struct {
	ID              types.String   `tfsdk:"id"`
	NameLabel       types.String   `tfsdk:"name_label"`
	NameDescription types.String   `tfsdk:"name_description"`
	Tag             types.Int64    `tfsdk:"tag"`
	ParentNetworkID types.String   `tfsdk:"parent_network_id"`
	MTU             types.Int64    `tfsdk:"mtu"`
	Bridge          types.String   `tfsdk:"bridge"`
	Hosts           types.Map      `tfsdk:"hosts"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
}

func (r *vlanResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_vlan"
}

func (r *vlanResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		// Version 1 holds in hosts each host's PIF UUID alone.
		Version: 1,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
		MarkdownDescription: "An 802.1Q VLAN on every host of the pool: one network, and on each host a VLAN over " +
			"that host's PIF on the parent network (a NIC's pool-wide network or a bond's network). xsnet makes it " +
			"with `pool.create_VLAN_from_PIF`, which rolls itself back on any host's error.",
		Attributes: map[string]schema.Attribute{
			"id":               idAttribute("UUID of the VLAN's network."),
			"name_label":       schema.StringAttribute{MarkdownDescription: "Name of the VLAN's network.", Required: true},
			"name_description": nameDescriptionAttribute(),
			"tag": schema.Int64Attribute{
				MarkdownDescription: "802.1Q VLAN ID, 1 to 4094. Changing it makes a new VLAN.",
				Required:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"parent_network_id": schema.StringAttribute{
				MarkdownDescription: "UUID of the network whose PIFs carry the tagged traffic, such as an `xsnet_bond`'s " +
					"`id` or an `xsnet_network` data source's. Changing it makes a new VLAN.",
				// ModifyPlan decides whether a new parent replaces the VLAN:
				// it needs the pool, and an attribute plan modifier is
				// built once for the schema, by a resource never configured.
				Required: true,
			},
			"mtu":    mtuAttribute("MTU of the VLAN's network, no larger than the parent network's. Changes in place."),
			"bridge": bridgeAttribute(),
			// A UUID per host and nothing more: VLANs come by the
			// thousand, and Terraform's own work on each grows with the
			// state it holds. With three UUIDs per host, a 1,000-VLAN
			// apply on sixteen hosts took Terraform three times the CPU
			// it takes with none.
			"hosts": schema.MapAttribute{
				MarkdownDescription: "The VLAN's own (untagged) PIF on each host: PIF UUID by host UUID. The `xsnet_pifs` " +
					"data source, with `network_id` set to this VLAN's `id`, reads each of them whole.",
				Computed:    true,
				ElementType: types.StringType,
			},
		},
	}
}

// UpgradeState reads a state written when hosts held, for each host, the
// VLAN object and the tagged PIF besides the VLAN's own PIF.
func (r *vlanResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	var current resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &current)
	v0 := current.Schema
	v0.Version = 0
	v0.Attributes = maps.Clone(current.Schema.Attributes)
	v0.Attributes["hosts"] = schema.MapAttribute{Computed: true, ElementType: types.ObjectType{AttrTypes: vlanHostV0}}
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: &v0,
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var m vlanModel
				resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
				if resp.Diagnostics.HasError() {
					return
				}
				if m.Hosts.IsNull() || m.Hosts.IsUnknown() {
					m.Hosts = types.MapNull(types.StringType)
				} else {
					pifs := map[string]attr.Value{}
					for host, v := range m.Hosts.Elements() {
						if o, ok := v.(types.Object); ok {
							pifs[host] = o.Attributes()["untagged_pif_id"]
						}
					}
					var d diag.Diagnostics
					m.Hosts, d = types.MapValue(types.StringType, pifs)
					resp.Diagnostics.Append(d...)
				}
				resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
			},
		},
	}
}

// vlanHostV0 is what schema version 0 held for each host.
var vlanHostV0 = map[string]attr.Type{
	"vlan_id":         types.StringType,
	"tagged_pif_id":   types.StringType,
	"untagged_pif_id": types.StringType,
}

// ridesOn reports whether the VLAN's traffic rides on the parent network
// in the pool already.
func (r *vlanResource) ridesOn(ctx context.Context, id string, parent types.String) bool {
	if r.data == nil || parent.IsUnknown() || parent.IsNull() {
		return false
	}
	snap, err := r.data.model.Snapshot(ctx)
	if err != nil {
		return false
	}
	pv, ok := poolnet.ReadVLAN(snap, id)
	return ok && pv.ParentNetworkUUID == parent.ValueString()
}

// replaces reports whether the plan makes a new VLAN: a new tag, or a new
// parent the VLAN does not ride on already.
func (r *vlanResource) replaces(ctx context.Context, state, plan vlanModel) bool {
	if !plan.Tag.Equal(state.Tag) {
		return true
	}
	return !plan.ParentNetworkID.Equal(state.ParentNetworkID) && !r.ridesOn(ctx, state.ID.ValueString(), plan.ParentNetworkID)
}

func (r *vlanResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func guardrailVLAN(m vlanModel) guardrail.VLAN {
	return guardrail.VLAN{Tag: gInt(m.Tag), MTU: gInt(m.MTU)}
}

// vlanChange is what the plan ledger records of the VLAN.
func vlanChange(kind poolnet.ChangeKind, id string, m vlanModel) poolnet.Change {
	return poolnet.Change{Kind: kind, ID: id, Name: m.NameLabel.ValueString(), VLAN: &poolnet.VLANChange{
		Parent: gString(m.ParentNetworkID), Tag: gInt(m.Tag), MTU: gInt(m.MTU),
	}}
}

func (r *vlanResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg vlanModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	addGuardrailDiagnostics(guardrail.CheckVLAN(guardrail.Validate, guardrailVLAN(cfg)), &resp.Diagnostics)
}

// ModifyPlan runs the VLAN's own guardrails, records it in the plan ledger
// and judges the pool as the plan leaves it, replaces the VLAN for a new
// parent it does not ride on, and plans an update where a host lacks the
// VLAN.
func (r *vlanResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	var state *vlanModel
	if !req.State.Raw.IsNull() {
		state = new(vlanModel)
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if req.Plan.Raw.IsNull() {
		if state != nil && !resp.Diagnostics.HasError() {
			r.data.judge(ctx, vlanChange(poolnet.Delete, state.ID.ValueString(), *state), false, &resp.Diagnostics)
		}
		return
	}
	var plan vlanModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	unchanged := state != nil && req.Plan.Raw.Equal(req.State.Raw)
	addGuardrailDiagnostics(planFindings(guardrail.CheckVLAN(guardrail.Plan, guardrailVLAN(plan)), unchanged), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	var change poolnet.Change
	switch {
	case state == nil:
		change = vlanChange(poolnet.Create, "", plan)
	case r.replaces(ctx, *state, plan):
		// A new parent makes a new VLAN unless the VLAN rides on it
		// already: its NIC was bonded, xapi moved it onto the bond, and the
		// configuration now names the bond.
		if !plan.ParentNetworkID.Equal(state.ParentNetworkID) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("parent_network_id"))
		}
		change = vlanChange(poolnet.Delete, state.ID.ValueString(), *state)
	default:
		change = vlanChange(poolnet.Update, state.ID.ValueString(), plan)
	}
	if _, ok := r.data.judge(ctx, change, unchanged, &resp.Diagnostics); !ok || resp.Diagnostics.HasError() {
		return
	}
	if state != nil && !hostsCovered(snap, state.Hosts) {
		plan.Hosts = types.MapUnknown(types.StringType)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
	}
}

func (r *vlanResource) checkBeforeApply(ctx context.Context, change poolnet.Change, plan *vlanModel, diags *diag.Diagnostics) bool {
	if plan != nil {
		res := guardrail.CheckVLAN(guardrail.Apply, guardrailVLAN(*plan))
		addGuardrailDiagnostics(res, diags)
		if res.HasError() {
			return false
		}
	}
	return r.data.checkApply(ctx, change, diags)
}

func vlanSpec(m vlanModel) poolnet.VLANSpec {
	return poolnet.VLANSpec{
		NameLabel:         m.NameLabel.ValueString(),
		NameDescription:   m.NameDescription.ValueString(),
		Tag:               m.Tag.ValueInt64(),
		ParentNetworkUUID: m.ParentNetworkID.ValueString(),
		MTU:               m.MTU.ValueInt64(),
	}
}

func (r *vlanResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan vlanModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	if !r.checkBeforeApply(ctx, vlanChange(poolnet.Create, "", plan), &plan, &resp.Diagnostics) {
		return
	}
	uuid, err := r.data.model.CreateVLAN(ctx, vlanSpec(plan))
	afterCreate(ctx, "VLAN", uuid, err, func(uuid string, diags *diag.Diagnostics) (vlanModel, bool) {
		m, found := r.read(ctx, uuid, &plan, diags)
		if found && m.ParentNetworkID.IsNull() {
			m.Tag, m.ParentNetworkID = plan.Tag, plan.ParentNetworkID
		}
		return m, found
	}, func(uuid string) vlanModel {
		m := plan
		m.ID = types.StringValue(uuid)
		m.Bridge = knownOr(m.Bridge, "")
		if m.Hosts.IsUnknown() {
			m.Hosts = types.MapValueMust(types.StringType, nil)
		}
		return m
	}, &resp.State, &resp.Diagnostics)
}

func (r *vlanResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readBack(ctx, r.data, req, resp, func(m vlanModel) types.String { return m.ID }, r.read, keepParent)
}

// keepParent keeps, when no host has the VLAN any more, what it was over:
// the plan then puts it back rather than replacing it.
func keepParent(prior vlanModel, state *vlanModel) {
	if state.ParentNetworkID.IsNull() {
		state.Tag, state.ParentNetworkID = prior.Tag, prior.ParentNetworkID
	}
}

func (r *vlanResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan vlanModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	id := plan.ID.ValueString()
	if !r.checkBeforeApply(ctx, vlanChange(poolnet.Update, id, plan), &plan, &resp.Diagnostics) {
		return
	}
	err := r.data.model.UpdateVLAN(ctx, id, vlanSpec(plan))
	afterUpdate(ctx, "Update VLAN", err, func() (vlanModel, bool) {
		state, found := r.read(ctx, id, &plan, &resp.Diagnostics)
		keepParent(plan, &state)
		return state, found
	}, &resp.State, &resp.Diagnostics)
}

func (r *vlanResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state vlanModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	if !r.checkBeforeApply(ctx, vlanChange(poolnet.Delete, state.ID.ValueString(), state), nil, &resp.Diagnostics) {
		return
	}
	if err := r.data.model.DestroyVLAN(ctx, state.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Cannot Destroy VLAN", err.Error()+destroyNextStep)
	}
}

func (r *vlanResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importNetwork(ctx, r.data, guardrail.NetworkVLAN, "xsnet_vlan", req, resp)
}

// read returns the VLAN as the pool has it, against prior (the state or
// plan it is compared with; its zero value on import); found is false when
// its network is gone. A VLAN whose NIC was bonded since rides on the bond
// now: while prior names the NIC's network, that is the parent reported,
// since the VLAN still leaves by the same NICs.
func (r *vlanResource) read(ctx context.Context, uuid string, prior *vlanModel, diags *diag.Diagnostics) (vlanModel, bool) {
	snap, ok := r.data.snapshot(ctx, diags)
	if !ok {
		return vlanModel{}, false
	}
	pv, ok := poolnet.ReadVLAN(snap, uuid)
	if !ok {
		return vlanModel{}, false
	}
	var mtus []hostMTU
	hosts := map[string]attr.Value{}
	for _, host := range snap.HostRefs() {
		h := snap.Hosts.Get(host)
		hv, ok := pv.Hosts[h.UUID]
		if !ok {
			continue
		}
		mtus = append(mtus, hostMTU{h.NameLabel, hv.MTU})
		hosts[hv.HostUUID] = types.StringValue(hv.UntaggedPIFUUID)
	}
	hostsValue, d := types.MapValue(types.StringType, hosts)
	diags.Append(d...)
	m := vlanModel{
		ID:              types.StringValue(pv.NetworkUUID),
		NameLabel:       types.StringValue(pv.NameLabel),
		NameDescription: types.StringValue(pv.NameDescription),
		Tag:             types.Int64Null(),
		ParentNetworkID: types.StringNull(),
		MTU:             types.Int64Value(effectiveMTU(pv.NameLabel, pv.NetworkMTU, mtus, diags)),
		Bridge:          types.StringValue(pv.Bridge),
		Hosts:           hostsValue,
		Timeouts:        prior.Timeouts,
	}
	if pv.ParentNetworkUUID != "" {
		m.Tag, m.ParentNetworkID = types.Int64Value(pv.Tag), types.StringValue(pv.ParentNetworkUUID)
		if p := prior.ParentNetworkID.ValueString(); p != "" && p != pv.ParentNetworkUUID && pv.Over(snap, p) {
			m.ParentNetworkID = prior.ParentNetworkID
		}
	}
	return m, true
}
