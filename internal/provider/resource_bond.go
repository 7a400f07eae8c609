package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var (
	_ resource.ResourceWithConfigure      = (*bondResource)(nil)
	_ resource.ResourceWithImportState    = (*bondResource)(nil)
	_ resource.ResourceWithValidateConfig = (*bondResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*bondResource)(nil)
)

type bondResource struct {
	data       *providerData
	validation *validationPolicy
}

// NewBondResource returns the xsnet_bond resource, for a provider without
// a guardrails block.
func NewBondResource() resource.Resource { return &bondResource{} }

type bondModel struct {
	ID               types.String `tfsdk:"id"`
	NameLabel        types.String `tfsdk:"name_label"`
	NameDescription  types.String `tfsdk:"name_description"`
	Members          types.Set    `tfsdk:"members"`
	Mode             types.String `tfsdk:"mode"`
	MTU              types.Int64  `tfsdk:"mtu"`
	Management       types.Bool   `tfsdk:"management"`
	HashingAlgorithm types.String `tfsdk:"hashing_algorithm"`
	Bridge           types.String `tfsdk:"bridge"`
	Hosts            types.Map    `tfsdk:"hosts"`
}

var bondHostAttrTypes = map[string]attr.Type{
	"bond_id":       types.StringType,
	"master_pif_id": types.StringType,
	"device":        types.StringType,
	"links_up":      types.Int64Type,
}

func (r *bondResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bond"
}

func (r *bondResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A bond on every host of the pool: one network, and on each host a bond of the same NICs. " +
			"xsnet makes it the way XenCenter does (the network, then the bonds host by host, the pool master last) " +
			"and undoes everything on any error. A host that lacks the bond, such as one that joined later, shows " +
			"as a change, and apply bonds it.\n\n" +
			"Guardrails: a bond that carries management must use MTU 1500, and the mode must be `balance-slb` " +
			"unless the provider's `guardrails` block allows more.",
		Attributes: map[string]schema.Attribute{
			"id":               idAttribute("UUID of the bond's network."),
			"name_label":       schema.StringAttribute{MarkdownDescription: "Name of the bond's network.", Required: true},
			"name_description": nameDescriptionAttribute(),
			"members": schema.SetAttribute{
				MarkdownDescription: "NIC devices to bond, such as `[\"eth0\", \"eth1\"]`, the same on every host. " +
					"Two to four (exactly two on the bridge backend). Changing members makes a new bond.",
				ElementType:   types.StringType,
				Required:      true,
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
			},
			"mode": schema.StringAttribute{
				MarkdownDescription: "Bond mode: `balance-slb` (the default; source-MAC balancing that needs no switch " +
					"support), `active-backup`, or `lacp` (needs the switch ports in a LAG). Changes in place.",
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(string(xenapi.BondModeBalanceSLB)),
				Validators: []validator.String{stringvalidator.OneOf(
					string(xenapi.BondModeBalanceSLB), string(xenapi.BondModeActiveBackup), string(xenapi.BondModeLACP))},
			},
			"mtu": mtuAttribute("MTU of the bond's network, and so of each bond. Changes in place: xsnet replugs each " +
				"bond so the MTU takes effect, and reads it back."),
			"management": schema.BoolAttribute{
				MarkdownDescription: "Whether the bond carries each host's management interface. When true, management " +
					"moves onto the bond on every host; set back to false, it moves back where it came from. When a " +
					"member is a host's management NIC, xapi moves management onto the bond anyway, and the plan shows true.",
				Optional: true,
				Computed: true,
			},
			"hashing_algorithm": schema.StringAttribute{
				MarkdownDescription: "How an `lacp` bond spreads traffic: `src_mac` or `tcpudp_ports` (xapi's default). " +
					"Only with `mode = \"lacp\"`.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.OneOf(guardrail.HashingSrcMAC, guardrail.HashingTCPUDPPorts)},
			},
			"bridge": bridgeAttribute(),
			"hosts": computedObjectMap("The bond on each host, by host UUID.", map[string]schema.Attribute{
				"bond_id":       schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the host's Bond object."},
				"master_pif_id": schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the bond master PIF."},
				"device":        schema.StringAttribute{Computed: true, MarkdownDescription: "Device of the bond master PIF, such as `bond0`."},
				"links_up":      schema.Int64Attribute{Computed: true, MarkdownDescription: "Members whose link is up."},
			}),
		},
	}
}

func (r *bondResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// guardrailBond is the bond as the guardrails see it.
func guardrailBond(ctx context.Context, m bondModel, network string) guardrail.Bond {
	return guardrail.Bond{
		Network:          network,
		Members:          gStrings(ctx, m.Members),
		Mode:             gString(m.Mode),
		MTU:              gInt(m.MTU),
		Management:       gBool(m.Management),
		HashingAlgorithm: gString(m.HashingAlgorithm),
	}
}

func (r *bondResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg bondModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	res := guardrail.CheckBond(guardrail.Validate, guardrailBond(ctx, cfg, ""), r.validation.get(), nil)
	addGuardrailDiagnostics(res.Result, &resp.Diagnostics)
}

// ModifyPlan runs the guardrails with the pool's facts, shows management =
// true where xapi will move management onto the bond, and plans an update
// when a host lacks the bond.
func (r *bondResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var cfg, plan bondModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *bondModel
	if !req.State.Raw.IsNull() {
		state = new(bondModel)
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	network, facts := "", snap.Facts()
	if state != nil {
		network = state.ID.ValueString()
	} else {
		var members []string
		_ = cfg.Members.ElementsAs(ctx, &members, false)
		facts = snap.FactsReplacing(members)
	}
	res := guardrail.CheckBond(guardrail.Plan, guardrailBond(ctx, cfg, network), r.data.policy, facts)
	addGuardrailDiagnostics(res.Result, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	if cfg.Management.IsNull() {
		if m, ok := res.Management.Get(); ok {
			plan.Management = types.BoolValue(m)
		}
	}
	switch {
	case !cfg.HashingAlgorithm.IsNull():
	case plan.Mode.ValueString() != string(xenapi.BondModeLACP):
		plan.HashingAlgorithm = types.StringNull()
	case state != nil && state.Mode.ValueString() == string(xenapi.BondModeLACP):
		plan.HashingAlgorithm = state.HashingAlgorithm
	}
	if state != nil && !hostsCovered(snap, state.Hosts) {
		plan.Hosts = types.MapUnknown(types.ObjectType{AttrTypes: bondHostAttrTypes})
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// hostsCovered reports whether the state has the object on every host of
// the pool.
func hostsCovered(snap *poolnet.Snapshot, hosts types.Map) bool {
	if hosts.IsNull() || hosts.IsUnknown() {
		return false
	}
	have := hosts.Elements()
	for _, h := range snap.Hosts {
		if _, ok := have[h.UUID]; !ok {
			return false
		}
	}
	return true
}

// checkBeforeApply runs the guardrails one last time with every value
// known and the pool as it is now, before anything changes: rules that
// could not decide at plan decide here, and none is skipped.
func (r *bondResource) checkBeforeApply(ctx context.Context, plan bondModel, network string, diags *diag.Diagnostics) bool {
	snap, ok := r.data.snapshot(ctx, diags)
	if !ok {
		return false
	}
	res := guardrail.CheckBond(guardrail.Apply, guardrailBond(ctx, plan, network), r.data.policy, snap.Facts())
	addGuardrailDiagnostics(res.Result, diags)
	return !res.HasError()
}

func (r *bondResource) spec(ctx context.Context, m bondModel) poolnet.BondSpec {
	var members []string
	_ = m.Members.ElementsAs(ctx, &members, false)
	slices.Sort(members)
	return poolnet.BondSpec{
		NameLabel:        m.NameLabel.ValueString(),
		NameDescription:  m.NameDescription.ValueString(),
		Members:          members,
		Mode:             xenapi.BondMode(m.Mode.ValueString()),
		MTU:              m.MTU.ValueInt64(),
		Management:       m.Management.ValueBool(),
		HashingAlgorithm: m.HashingAlgorithm.ValueString(),
	}
}

func (r *bondResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan bondModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	if !r.checkBeforeApply(ctx, plan, "", &resp.Diagnostics) {
		return
	}
	uuid, err := poolnet.CreateBond(ctx, r.data.client, r.spec(ctx, plan))
	if err != nil {
		resp.Diagnostics.AddError("Cannot Create Bond", err.Error()+"\n\nNothing was left behind in the pool: xsnet undid every step it had made.")
		return
	}
	state, found := r.read(ctx, uuid, &plan, &resp.Diagnostics)
	if !found {
		resp.Diagnostics.AddError("Bond Vanished", "The bond's network "+uuid+" was created but is gone when read back.")
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *bondResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var prior bondModel
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
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *bondResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan bondModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	id := plan.ID.ValueString()
	if !r.checkBeforeApply(ctx, plan, id, &resp.Diagnostics) {
		return
	}
	err := poolnet.UpdateBond(ctx, r.data.client, id, r.spec(ctx, plan))
	state, found := r.read(ctx, id, &plan, &resp.Diagnostics)
	if found {
		// Whatever happened, the state says what the pool has now.
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot Update Bond", err.Error())
	}
}

func (r *bondResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state bondModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	if err := poolnet.DestroyBond(ctx, r.data.client, state.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Cannot Destroy Bond", err.Error())
	}
}

func (r *bondResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByUUID(ctx, "bond", req, resp)
}

// read returns the bond as the pool has it, against prior (the state or
// plan it is compared with; its zero value on import). found is false when
// the bond's network is gone. Where hosts disagree with each other or with
// prior, the value reported is one that differs from prior, so that the
// plan shows the drift and apply repairs it.
func (r *bondResource) read(ctx context.Context, uuid string, prior *bondModel, diags *diag.Diagnostics) (bondModel, bool) {
	snap, ok := r.data.snapshot(ctx, diags)
	if !ok {
		return bondModel{}, false
	}
	pb, ok := poolnet.ReadBond(snap, uuid)
	if !ok {
		return bondModel{}, false
	}

	var priorMembers []string
	_ = prior.Members.ElementsAs(ctx, &priorMembers, false)
	slices.Sort(priorMembers)
	priorMode := prior.Mode.ValueString()

	mtus := []int64{pb.NetworkMTU}
	var members []string
	mode := ""
	management := len(pb.Hosts) > 0
	hashing := types.StringNull()
	hosts := map[string]attr.Value{}
	for _, host := range snap.HostRefs() {
		hb, ok := pb.Hosts[snap.Hosts[host].UUID]
		if !ok {
			continue
		}
		mtus = append(mtus, hb.MTU)
		if members == nil || !slices.Equal(hb.Members, priorMembers) {
			members = hb.Members
		}
		if mode == "" || string(hb.Mode) != priorMode {
			mode = string(hb.Mode)
			if hb.Mode == xenapi.BondModeLACP {
				if h, ok := hb.Properties["hashing_algorithm"]; ok {
					hashing = types.StringValue(h)
				}
			}
		}
		management = management && hb.Management
		obj, d := types.ObjectValue(bondHostAttrTypes, map[string]attr.Value{
			"bond_id":       types.StringValue(hb.BondUUID),
			"master_pif_id": types.StringValue(hb.MasterUUID),
			"device":        types.StringValue(hb.Device),
			"links_up":      types.Int64Value(hb.LinksUp),
		})
		diags.Append(d...)
		hosts[hb.HostUUID] = obj
	}
	if len(pb.Hosts) == 0 {
		// No host has the bond any more, only its network: keep what the
		// configuration said, and let the plan bond every host again.
		members, mode = priorMembers, priorMode
		if mode == "" {
			mode = string(xenapi.BondModeBalanceSLB)
		}
	}
	membersValue, d := types.SetValueFrom(ctx, types.StringType, members)
	diags.Append(d...)
	hostsValue, d := types.MapValue(types.ObjectType{AttrTypes: bondHostAttrTypes}, hosts)
	diags.Append(d...)
	return bondModel{
		ID:               types.StringValue(pb.NetworkUUID),
		NameLabel:        types.StringValue(pb.NameLabel),
		NameDescription:  types.StringValue(pb.NameDescription),
		Members:          membersValue,
		Mode:             types.StringValue(mode),
		MTU:              types.Int64Value(drifted(prior.MTU.ValueInt64(), mtus...)),
		Management:       types.BoolValue(management),
		HashingAlgorithm: hashing,
		Bridge:           types.StringValue(pb.Bridge),
		Hosts:            hostsValue,
	}, true
}
