package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
)

var (
	_ resource.ResourceWithConfigure      = (*networkResource)(nil)
	_ resource.ResourceWithImportState    = (*networkResource)(nil)
	_ resource.ResourceWithValidateConfig = (*networkResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*networkResource)(nil)
)

type networkResource struct {
	data *providerData
}

// NewNetworkResource returns the xsnet_network resource.
func NewNetworkResource() resource.Resource { return &networkResource{} }

type networkModel struct {
	ID              types.String   `tfsdk:"id"`
	NameLabel       types.String   `tfsdk:"name_label"`
	NameDescription types.String   `tfsdk:"name_description"`
	MTU             types.Int64    `tfsdk:"mtu"`
	OtherConfig     types.Map      `tfsdk:"other_config"`
	Bridge          types.String   `tfsdk:"bridge"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
}

func (r *networkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_network"
}

func (r *networkResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
		MarkdownDescription: "A pool network without PIFs: a private network for VMs, reaching no NIC. " +
			"Bonds and VLANs make their own networks (`xsnet_bond`, `xsnet_vlan`).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The network's UUID."),
			"name_label": schema.StringAttribute{
				MarkdownDescription: "Name of the network, as XenCenter shows it.",
				Required:            true,
			},
			"name_description": nameDescriptionAttribute(),
			"mtu":              mtuAttribute("MTU of the network."),
			"other_config": schema.MapAttribute{
				MarkdownDescription: "XenServer's free-form `other_config` map of the network. xsnet keeps keys of its " +
					"own there, starting `xsnet_`: they are left out here and kept as they are.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     mapdefault.StaticValue(types.MapValueMust(types.StringType, nil)),
			},
			"bridge": bridgeAttribute(),
		},
	}
}

func (r *networkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *networkResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg networkModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	addGuardrailDiagnostics(guardrail.CheckNetwork(guardrail.Validate, guardrail.Network{MTU: gInt(cfg.MTU)}), &resp.Diagnostics)
}

// networkChange is what the plan ledger records of the network.
func networkChange(kind poolnet.ChangeKind, id string, m networkModel) poolnet.Change {
	return poolnet.Change{Kind: kind, ID: id, Name: m.NameLabel.ValueString(), Network: &poolnet.NetworkChange{MTU: gInt(m.MTU)}}
}

// ModifyPlan decides at plan what validate could not (an MTU that came from
// a variable or another resource), and judges the pool as the plan leaves
// it.
func (r *networkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state *networkModel
	if !req.State.Raw.IsNull() {
		state = new(networkModel)
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if req.Plan.Raw.IsNull() {
		if state != nil && r.data != nil && !resp.Diagnostics.HasError() {
			r.data.judge(ctx, networkChange(poolnet.Delete, state.ID.ValueString(), *state), false, &resp.Diagnostics)
		}
		return
	}
	var plan networkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	unchanged := state != nil && req.Plan.Raw.Equal(req.State.Raw)
	addGuardrailDiagnostics(planFindings(guardrail.CheckNetwork(guardrail.Plan, guardrail.Network{MTU: gInt(plan.MTU)}), unchanged),
		&resp.Diagnostics)
	if resp.Diagnostics.HasError() || r.data == nil {
		return
	}
	change := networkChange(poolnet.Create, "", plan)
	if state != nil {
		change = networkChange(poolnet.Update, state.ID.ValueString(), plan)
	}
	r.data.judge(ctx, change, unchanged, &resp.Diagnostics)
}

// checkBeforeApply decides, with every value known, what plan could not.
func (r *networkResource) checkBeforeApply(ctx context.Context, change poolnet.Change, plan *networkModel, diags *diag.Diagnostics) bool {
	if plan != nil {
		res := guardrail.CheckNetwork(guardrail.Apply, guardrail.Network{MTU: gInt(plan.MTU)})
		addGuardrailDiagnostics(res, diags)
		if res.HasError() {
			return false
		}
	}
	return r.data.checkApply(ctx, change, diags)
}

func (r *networkResource) spec(ctx context.Context, m networkModel, diags *diag.Diagnostics) poolnet.NetworkSpec {
	oc := map[string]string{}
	diags.Append(m.OtherConfig.ElementsAs(ctx, &oc, false)...)
	return poolnet.NetworkSpec{
		NameLabel:       m.NameLabel.ValueString(),
		NameDescription: m.NameDescription.ValueString(),
		MTU:             m.MTU.ValueInt64(),
		OtherConfig:     oc,
	}
}

func (r *networkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan networkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	if !r.checkBeforeApply(ctx, networkChange(poolnet.Create, "", plan), &plan, &resp.Diagnostics) {
		return
	}
	spec := r.spec(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	uuid, err := r.data.model.CreateNetwork(ctx, spec)
	afterCreate(ctx, "network", uuid, err, func(uuid string, diags *diag.Diagnostics) (networkModel, bool) {
		return r.read(ctx, uuid, &plan, diags)
	}, func(uuid string) networkModel {
		m := plan
		m.ID = types.StringValue(uuid)
		m.Bridge = knownOr(m.Bridge, "")
		return m
	}, &resp.State, &resp.Diagnostics)
}

func (r *networkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readBack(ctx, r.data, req, resp, func(m networkModel) types.String { return m.ID }, r.read, nil)
}

func (r *networkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan networkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	if !r.checkBeforeApply(ctx, networkChange(poolnet.Update, plan.ID.ValueString(), plan), &plan, &resp.Diagnostics) {
		return
	}
	spec := r.spec(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.model.UpdateNetwork(ctx, plan.ID.ValueString(), spec)
	afterUpdate(ctx, "Update Network", err, func() (networkModel, bool) {
		return r.read(ctx, plan.ID.ValueString(), &plan, &resp.Diagnostics)
	}, &resp.State, &resp.Diagnostics)
}

func (r *networkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state networkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	if !r.checkBeforeApply(ctx, networkChange(poolnet.Delete, state.ID.ValueString(), state), nil, &resp.Diagnostics) {
		return
	}
	if err := r.data.model.DestroyNetwork(ctx, state.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Cannot Destroy Network", err.Error()+destroyNextStep)
	}
}

func (r *networkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importNetwork(ctx, r.data, guardrail.NetworkPrivate, "xsnet_network", req, resp)
}

// read returns the network as the pool has it; found is false when it is gone.
func (r *networkResource) read(ctx context.Context, uuid string, prior *networkModel, diags *diag.Diagnostics) (networkModel, bool) {
	snap, ok := r.data.snapshot(ctx, diags)
	if !ok {
		return networkModel{}, false
	}
	_, net, ok := snap.NetworkByUUID(uuid)
	if !ok {
		return networkModel{}, false
	}
	oc, d := types.MapValueFrom(ctx, types.StringType, poolnet.UserOtherConfig(net.OtherConfig))
	diags.Append(d...)
	return networkModel{
		ID:              types.StringValue(net.UUID),
		NameLabel:       types.StringValue(net.NameLabel),
		NameDescription: types.StringValue(net.NameDescription),
		MTU:             types.Int64Value(net.MTU),
		OtherConfig:     oc,
		Bridge:          types.StringValue(net.Bridge),
		Timeouts:        prior.Timeouts,
	}, true
}
