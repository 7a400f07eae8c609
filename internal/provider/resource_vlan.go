package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
)

var (
	_ resource.ResourceWithConfigure      = (*vlanResource)(nil)
	_ resource.ResourceWithImportState    = (*vlanResource)(nil)
	_ resource.ResourceWithValidateConfig = (*vlanResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*vlanResource)(nil)
)

type vlanResource struct {
	data *providerData
}

// NewVLANResource returns the xsnet_vlan resource.
func NewVLANResource() resource.Resource { return &vlanResource{} }

type vlanModel struct {
	ID              types.String `tfsdk:"id"`
	NameLabel       types.String `tfsdk:"name_label"`
	NameDescription types.String `tfsdk:"name_description"`
	Tag             types.Int64  `tfsdk:"tag"`
	ParentNetworkID types.String `tfsdk:"parent_network_id"`
	MTU             types.Int64  `tfsdk:"mtu"`
	Bridge          types.String `tfsdk:"bridge"`
	Hosts           types.Map    `tfsdk:"hosts"`
}

var vlanHostAttrTypes = map[string]attr.Type{
	"vlan_id":         types.StringType,
	"tagged_pif_id":   types.StringType,
	"untagged_pif_id": types.StringType,
}

func (r *vlanResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_vlan"
}

func (r *vlanResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
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
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"mtu":    mtuAttribute("MTU of the VLAN's network, no larger than the parent network's. Changes in place."),
			"bridge": bridgeAttribute(),
			"hosts": computedObjectMap("The VLAN on each host, by host UUID.", map[string]schema.Attribute{
				"vlan_id":         schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the host's VLAN object."},
				"tagged_pif_id":   schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the PIF that carries the tagged traffic."},
				"untagged_pif_id": schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the VLAN's own (untagged) PIF."},
			}),
		},
	}
}

func (r *vlanResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func guardrailVLAN(m vlanModel, network string) guardrail.VLAN {
	return guardrail.VLAN{
		Network:       network,
		Tag:           gInt(m.Tag),
		MTU:           gInt(m.MTU),
		ParentNetwork: gString(m.ParentNetworkID),
		// The parent's MTU comes from the pool's facts.
		ParentMTU: guardrail.Null[int64](),
	}
}

func (r *vlanResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg vlanModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	addGuardrailDiagnostics(guardrail.CheckVLAN(guardrail.Validate, guardrailVLAN(cfg, ""), nil), &resp.Diagnostics)
}

func (r *vlanResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var cfg, plan vlanModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *vlanModel
	if !req.State.Raw.IsNull() {
		state = new(vlanModel)
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	network := ""
	if state != nil {
		network = state.ID.ValueString()
	}
	addGuardrailDiagnostics(guardrail.CheckVLAN(guardrail.Plan, guardrailVLAN(cfg, network), snap.Facts()), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if state != nil && !hostsCovered(snap, state.Hosts) {
		plan.Hosts = types.MapUnknown(types.ObjectType{AttrTypes: vlanHostAttrTypes})
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
	}
}

func (r *vlanResource) checkBeforeApply(ctx context.Context, plan vlanModel, network string, diags *diag.Diagnostics) bool {
	snap, ok := r.data.snapshot(ctx, diags)
	if !ok {
		return false
	}
	res := guardrail.CheckVLAN(guardrail.Apply, guardrailVLAN(plan, network), snap.Facts())
	addGuardrailDiagnostics(res, diags)
	return !res.HasError()
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
	if !r.checkBeforeApply(ctx, plan, "", &resp.Diagnostics) {
		return
	}
	uuid, err := poolnet.CreateVLAN(ctx, r.data.client, vlanSpec(plan))
	if err != nil {
		resp.Diagnostics.AddError("Cannot Create VLAN", err.Error()+"\n\nNothing was left behind in the pool: xsnet undid every step it had made.")
		return
	}
	state, found := r.read(ctx, uuid, &plan, &resp.Diagnostics)
	if !found {
		resp.Diagnostics.AddError("VLAN Vanished", "The VLAN's network "+uuid+" was created but is gone when read back.")
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *vlanResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var prior vlanModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	state, found := r.read(ctx, prior.ID.ValueString(), &prior, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		resp.State.RemoveResource(ctx)
		return
	}
	if state.ParentNetworkID.IsNull() {
		// No host has the VLAN any more: keep what it was over, so the
		// plan puts it back rather than replacing it.
		state.Tag, state.ParentNetworkID = prior.Tag, prior.ParentNetworkID
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *vlanResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan vlanModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	id := plan.ID.ValueString()
	if !r.checkBeforeApply(ctx, plan, id, &resp.Diagnostics) {
		return
	}
	err := poolnet.UpdateVLAN(ctx, r.data.client, id, vlanSpec(plan))
	state, found := r.read(ctx, id, &plan, &resp.Diagnostics)
	if found {
		if state.ParentNetworkID.IsNull() {
			state.Tag, state.ParentNetworkID = plan.Tag, plan.ParentNetworkID
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot Update VLAN", err.Error())
	}
}

func (r *vlanResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state vlanModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	if err := poolnet.DestroyVLAN(ctx, r.data.client, state.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Cannot Destroy VLAN", err.Error())
	}
}

func (r *vlanResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByUUID(ctx, "VLAN", req, resp)
}

// read returns the VLAN as the pool has it, against prior (the state or
// plan it is compared with; its zero value on import); found is false when
// its network is gone. An MTU that differs from prior on the network or on
// any host's VLAN PIF is the one reported, so that the plan shows it and
// apply sets and replugs.
func (r *vlanResource) read(ctx context.Context, uuid string, prior *vlanModel, diags *diag.Diagnostics) (vlanModel, bool) {
	snap, ok := r.data.snapshot(ctx, diags)
	if !ok {
		return vlanModel{}, false
	}
	pv, ok := poolnet.ReadVLAN(snap, uuid)
	if !ok {
		return vlanModel{}, false
	}
	mtus := []int64{pv.NetworkMTU}
	hosts := map[string]attr.Value{}
	for _, hv := range pv.Hosts {
		mtus = append(mtus, hv.MTU)
		obj, d := types.ObjectValue(vlanHostAttrTypes, map[string]attr.Value{
			"vlan_id":         types.StringValue(hv.VLANUUID),
			"tagged_pif_id":   types.StringValue(hv.TaggedPIFUUID),
			"untagged_pif_id": types.StringValue(hv.UntaggedPIFUUID),
		})
		diags.Append(d...)
		hosts[hv.HostUUID] = obj
	}
	hostsValue, d := types.MapValue(types.ObjectType{AttrTypes: vlanHostAttrTypes}, hosts)
	diags.Append(d...)
	m := vlanModel{
		ID:              types.StringValue(pv.NetworkUUID),
		NameLabel:       types.StringValue(pv.NameLabel),
		NameDescription: types.StringValue(pv.NameDescription),
		Tag:             types.Int64Null(),
		ParentNetworkID: types.StringNull(),
		MTU:             types.Int64Value(drifted(prior.MTU.ValueInt64(), mtus...)),
		Bridge:          types.StringValue(pv.Bridge),
		Hosts:           hostsValue,
	}
	if pv.ParentNetworkUUID != "" {
		m.Tag, m.ParentNetworkID = types.Int64Value(pv.Tag), types.StringValue(pv.ParentNetworkUUID)
	}
	return m, true
}
