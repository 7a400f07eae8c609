package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
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
	_ resource.ResourceWithUpgradeState   = (*bondResource)(nil)
)

type bondResource struct {
	data       *providerData
	validation *validationPolicy
}

type bondModel struct {
	ID               types.String   `tfsdk:"id"`
	NameLabel        types.String   `tfsdk:"name_label"`
	NameDescription  types.String   `tfsdk:"name_description"`
	Members          types.List     `tfsdk:"members"`
	Mode             types.String   `tfsdk:"mode"`
	MTU              types.Int64    `tfsdk:"mtu"`
	Management       types.Bool     `tfsdk:"management"`
	HashingAlgorithm types.String   `tfsdk:"hashing_algorithm"`
	Bridge           types.String   `tfsdk:"bridge"`
	Hosts            types.Map      `tfsdk:"hosts"`
	Timeouts         timeouts.Value `tfsdk:"timeouts"`
}

var bondHostAttrTypes = map[string]attr.Type{
	"bond_id":       types.StringType,
	"master_pif_id": types.StringType,
	"device":        types.StringType,
}

func (r *bondResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bond"
}

func (r *bondResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
		// Version 1 holds members as a list, so that a NIC listed twice
		// reaches the guardrails instead of vanishing into a set.
		Version: 1,
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
			"members": schema.ListAttribute{
				MarkdownDescription: "NIC devices to bond, such as `[\"eth0\", \"eth1\"]`, the same on every host: two to four " +
					"distinct NICs (exactly two on the bridge backend). Their order does not matter. Changing which NICs " +
					"are members makes a new bond.",
				ElementType:   types.StringType,
				Required:      true,
				PlanModifiers: []planmodifier.List{sameMembers{}},
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
			}),
		},
	}
}

func (r *bondResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// guardrailBond is the bond as the guardrails see it.
func guardrailBond(m bondModel) guardrail.Bond {
	return guardrail.Bond{
		Members:          gStrings(m.Members),
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
	res := guardrail.CheckBond(guardrail.Validate, guardrailBond(cfg), r.validation.get(), nil)
	addGuardrailDiagnostics(res, &resp.Diagnostics)
}

// bondChange is what the plan ledger records of the bond.
func bondChange(kind poolnet.ChangeKind, id string, cfg, plan bondModel) poolnet.Change {
	return poolnet.Change{Kind: kind, ID: id, Name: plan.NameLabel.ValueString(), Bond: &poolnet.BondChange{
		Members:    knownStrings(gStrings(plan.Members)),
		MTU:        gInt(plan.MTU),
		Management: gBool(cfg.Management),
	}}
}

// ModifyPlan runs the bond's own guardrails with the pool's facts, then
// records the bond in the plan ledger and judges the pool as the plan
// leaves it. It shows management = true where management ends up on the
// bond, xapi's default hashing for an LACP bond, what bonding moves, and an
// update where a host lacks the bond.
func (r *bondResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	var state *bondModel
	if !req.State.Raw.IsNull() {
		state = new(bondModel)
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if req.Plan.Raw.IsNull() {
		if state != nil && !resp.Diagnostics.HasError() {
			r.data.judge(ctx, bondChange(poolnet.Delete, state.ID.ValueString(), *state, *state), false, &resp.Diagnostics)
		}
		return
	}
	var cfg, plan bondModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	unchanged := state != nil && req.Plan.Raw.Equal(req.State.Raw)
	addGuardrailDiagnostics(planFindings(guardrail.CheckBond(guardrail.Plan, guardrailBond(cfg), r.data.policy, snap.Facts()), unchanged),
		&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	switch {
	case !cfg.HashingAlgorithm.IsNull():
	case plan.Mode.ValueString() != string(xenapi.BondModeLACP):
		plan.HashingAlgorithm = types.StringNull()
	case state != nil && state.Mode.ValueString() == string(xenapi.BondModeLACP) && !state.HashingAlgorithm.IsNull():
		plan.HashingAlgorithm = state.HashingAlgorithm
	default:
		// xapi gives an LACP bond this hashing when none is asked for:
		// the plan says so, and the guardrails know it.
		plan.HashingAlgorithm = types.StringValue(guardrail.HashingTCPUDPPorts)
	}

	// Terraform plans a replacement twice: first against the state, where
	// the ledger learns the old bond goes, then as a plain create.
	var change poolnet.Change
	switch {
	case state == nil:
		change = bondChange(poolnet.Create, "", cfg, plan)
	case membersReplace(state.Members, plan.Members):
		change = bondChange(poolnet.Delete, state.ID.ValueString(), *state, *state)
	default:
		change = bondChange(poolnet.Update, state.ID.ValueString(), cfg, plan)
	}
	j, ok := r.data.judge(ctx, change, unchanged, &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	if cfg.Management.IsNull() && change.Kind != poolnet.Delete {
		if m, ok := j.Management.Get(); ok {
			plan.Management = types.BoolValue(m)
		} else {
			plan.Management = types.BoolUnknown()
		}
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
	for h := range snap.Hosts.Values() {
		if _, ok := have[h.UUID]; !ok {
			return false
		}
	}
	return true
}

// checkBeforeApply runs the guardrails one last time with every value
// known and the pool as it is now, before anything changes: rules that
// could not decide at plan decide here, and none is skipped.
func (r *bondResource) checkBeforeApply(ctx context.Context, change poolnet.Change, plan *bondModel, diags *diag.Diagnostics) bool {
	if plan != nil {
		snap, ok := r.data.snapshot(ctx, diags)
		if !ok {
			return false
		}
		res := guardrail.CheckBond(guardrail.Apply, guardrailBond(*plan), r.data.policy, snap.Facts())
		addGuardrailDiagnostics(res, diags)
		if res.HasError() {
			return false
		}
	}
	return r.data.checkApply(ctx, change, diags)
}

func (r *bondResource) spec(m bondModel) poolnet.BondSpec {
	members := knownStringElements(m.Members)
	slices.SortFunc(members, poolnet.CompareDevices)
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
	var cfg, plan bondModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	if !r.checkBeforeApply(ctx, bondChange(poolnet.Create, "", cfg, plan), &plan, &resp.Diagnostics) {
		return
	}
	uuid, err := r.data.model.CreateBond(ctx, r.spec(plan))
	afterCreate(ctx, "bond", uuid, err, func(uuid string, diags *diag.Diagnostics) (bondModel, bool) {
		return r.read(ctx, uuid, &plan, diags)
	}, func(uuid string) bondModel {
		m := plan
		m.ID = types.StringValue(uuid)
		m.Bridge = knownOr(m.Bridge, "")
		m.Management = types.BoolValue(m.Management.ValueBool())
		if m.HashingAlgorithm.IsUnknown() {
			m.HashingAlgorithm = types.StringNull()
		}
		if m.Hosts.IsUnknown() {
			m.Hosts = types.MapValueMust(types.ObjectType{AttrTypes: bondHostAttrTypes}, nil)
		}
		return m
	}, &resp.State, &resp.Diagnostics)
}

func (r *bondResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readBack(ctx, r.data, req, resp, func(m bondModel) types.String { return m.ID }, r.read, nil)
}

func (r *bondResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var cfg, plan bondModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	id := plan.ID.ValueString()
	if !r.checkBeforeApply(ctx, bondChange(poolnet.Update, id, cfg, plan), &plan, &resp.Diagnostics) {
		return
	}
	err := r.data.model.UpdateBond(ctx, id, r.spec(plan))
	afterUpdate(ctx, "Update Bond", err, func() (bondModel, bool) { return r.read(ctx, id, &plan, &resp.Diagnostics) },
		&resp.State, &resp.Diagnostics)
}

func (r *bondResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state bondModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	if !r.checkBeforeApply(ctx, bondChange(poolnet.Delete, state.ID.ValueString(), state, state), nil, &resp.Diagnostics) {
		return
	}
	if err := r.data.model.DestroyBond(ctx, state.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Cannot Destroy Bond", err.Error()+destroyNextStep)
	}
}

func (r *bondResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importNetwork(ctx, r.data, guardrail.NetworkBond, "xsnet_bond", req, resp)
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

	priorMembers := knownStringElements(prior.Members)
	priorMode := prior.Mode.ValueString()

	var mtus []hostMTU
	var members []string
	var modes []hostMode
	mode := ""
	management := len(pb.Hosts) > 0
	hashing := types.StringNull()
	hosts := map[string]attr.Value{}
	for _, host := range snap.HostRefs() {
		hb, ok := pb.Hosts[snap.Hosts.Get(host).UUID]
		if !ok {
			continue
		}
		mtus = append(mtus, hostMTU{snap.Hosts.Get(host).NameLabel, hb.MTU})
		modes = append(modes, hostMode{snap.Hosts.Get(host).NameLabel, string(hb.Mode)})
		if members == nil || !sameNICs(hb.Members, priorMembers) {
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
	mode = commonMode(pb.NameLabel, mode, modes, diags)
	if sameNICs(members, priorMembers) {
		// The configuration's order, so that a reordered list is no change.
		members = priorMembers
	}
	membersValue, d := types.ListValueFrom(ctx, types.StringType, members)
	diags.Append(d...)
	hostsValue, d := types.MapValue(types.ObjectType{AttrTypes: bondHostAttrTypes}, hosts)
	diags.Append(d...)
	return bondModel{
		ID:               types.StringValue(pb.NetworkUUID),
		NameLabel:        types.StringValue(pb.NameLabel),
		NameDescription:  types.StringValue(pb.NameDescription),
		Members:          membersValue,
		Mode:             types.StringValue(mode),
		MTU:              types.Int64Value(effectiveMTU(pb.NameLabel, pb.NetworkMTU, mtus, diags)),
		Management:       managementValue(management, pb.MoveUnfinished),
		HashingAlgorithm: hashing,
		Bridge:           types.StringValue(pb.Bridge),
		Hosts:            hostsValue,
		Timeouts:         prior.Timeouts,
	}, true
}

// managementValue is the management Read reports: whether every host's
// management interface is on the bond, or null while a move of it that a
// run began is unfinished. No configuration holds null, so every plan
// shows the bond changing, and the apply settles each host's management
// interface and finishes the move; true or false alone would match one
// configuration or the other and leave the move unfinished for good, the
// address on two PIFs of a host.
func managementValue(onBond, moveUnfinished bool) types.Bool {
	if moveUnfinished {
		return types.BoolNull()
	}
	return types.BoolValue(onBond)
}

// hostMode is the mode of one host's bond.
type hostMode struct {
	host, mode string
}

// mixedMode is what Read reports as the mode of a bond whose hosts do not
// all have the same mode: a value no configuration can hold, so that every
// plan shows the difference and apply sets the mode on every host, however
// the hosts are split. A value one of the hosts has would hide the others'
// whenever it happens to be the configured one.
const mixedMode = "mixed"

// commonMode is the mode Read reports: the hosts' mode, or, with a warning
// that says which host has which, mixedMode when they differ.
func commonMode(name, mode string, modes []hostMode, diags *diag.Diagnostics) string {
	var each []string
	differ := false
	for _, m := range modes {
		each = append(each, fmt.Sprintf("%s on host %s", m.mode, m.host))
		differ = differ || m.mode != modes[0].mode
	}
	if !differ {
		return mode
	}
	diags.AddWarning("Bond Mode Differs Across The Pool",
		fmt.Sprintf("The bonds of %q have different modes (%s): the state shows mode = %q until they agree. "+
			"terraform apply sets the configured mode on every host.", name, strings.Join(each, ", "), mixedMode))
	return mixedMode
}

// sameNICs reports whether two member lists name the same NICs, in any
// order.
func sameNICs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// sameMembers plans members: the same NICs in another order keep the
// state's list, and other NICs make a new bond.
type sameMembers struct{}

func (sameMembers) Description(context.Context) string {
	return "The same NICs in another order are no change; other NICs replace the bond."
}

func (m sameMembers) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (sameMembers) PlanModifyList(ctx context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if req.State.Raw.IsNull() || req.StateValue.IsNull() || req.PlanValue.IsNull() {
		return
	}
	if membersReplace(req.StateValue, req.PlanValue) {
		resp.RequiresReplace = true
		return
	}
	resp.PlanValue = req.StateValue
}

// membersReplace reports whether planned members make a new bond: other
// NICs than the state's, or NICs not known yet.
func membersReplace(state, plan types.List) bool {
	if plan.IsUnknown() {
		return true
	}
	for _, e := range plan.Elements() {
		if e.IsUnknown() {
			return true
		}
	}
	return !sameNICs(knownStringElements(plan), knownStringElements(state))
}

// UpgradeState reads a state written when members was a set.
func (r *bondResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	v0 := schema.Schema{Attributes: map[string]schema.Attribute{}}
	var current resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &current)
	for name, a := range current.Schema.Attributes {
		v0.Attributes[name] = a
	}
	v0.Attributes["members"] = schema.SetAttribute{ElementType: types.StringType, Required: true}
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: &v0,
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var old bondModelV0
				resp.Diagnostics.Append(req.State.Get(ctx, &old)...)
				if resp.Diagnostics.HasError() {
					return
				}
				var members []string
				resp.Diagnostics.Append(old.Members.ElementsAs(ctx, &members, false)...)
				slices.SortFunc(members, poolnet.CompareDevices)
				list, d := types.ListValueFrom(ctx, types.StringType, members)
				resp.Diagnostics.Append(d...)
				resp.Diagnostics.Append(resp.State.Set(ctx, bondModel{
					ID: old.ID, NameLabel: old.NameLabel, NameDescription: old.NameDescription, Members: list,
					Mode: old.Mode, MTU: old.MTU, Management: old.Management, HashingAlgorithm: old.HashingAlgorithm,
					Bridge: old.Bridge, Hosts: old.Hosts,
					Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
						"create": types.StringType, "update": types.StringType, "delete": types.StringType,
					})},
				})...)
			},
		},
	}
}

// bondModelV0 is the state of schema version 0, members a set.
type bondModelV0 struct {
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
