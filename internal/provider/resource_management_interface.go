package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var (
	_ resource.ResourceWithConfigure   = (*managementInterfaceResource)(nil)
	_ resource.ResourceWithImportState = (*managementInterfaceResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*managementInterfaceResource)(nil)
)

type managementInterfaceResource struct {
	data *providerData
}

// NewManagementInterfaceResource returns the xsnet_management_interface
// resource.
func NewManagementInterfaceResource() resource.Resource { return &managementInterfaceResource{} }

type managementInterfaceModel struct {
	ID              types.String   `tfsdk:"id"`
	NetworkID       types.String   `tfsdk:"network_id"`
	OriginNetworkID types.String   `tfsdk:"origin_network_id"`
	Hosts           types.Map      `tfsdk:"hosts"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
}

var managementHostAttrTypes = map[string]attr.Type{
	"pif_id": types.StringType,
	"device": types.StringType,
	"ip":     types.StringType,
}

var managementHostType = types.ObjectType{AttrTypes: managementHostAttrTypes}

func (r *managementInterfaceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_management_interface"
}

func (r *managementInterfaceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
		MarkdownDescription: "Where every host's management interface lives: on a NIC's, a bond's or a VLAN's network, " +
			"such as a tagged management VLAN. There is one per pool, as there is one management interface per host; " +
			"it asks for management as `management = true` on an `xsnet_bond` does, and the two are refused together.\n\n" +
			"Each host keeps its IP configuration: xsnet copies it onto the host's PIF on the network, moves management " +
			"there (pool members first, the master last) and clears the old PIF, the way XenCenter does. Where that PIF " +
			"has an address of its own, management takes it and the old PIF keeps its own, and xsnet follows the " +
			"master to its new address. Changing `network_id` moves management in place. Destroy moves management back " +
			"to the network xsnet found it on (`origin_network_id`), the host keeping its address; an imported one, " +
			"with no origin recorded, leaves management where it is.\n\n" +
			"It is a resource of its own, not an attribute of `xsnet_pool`: `xsnet_pool` adopts the pool and only forgets " +
			"it on destroy, while a management move needs a destroy that moves management back, timeouts of its own, and " +
			"an import; and as its own resource it reads beside `xsnet_bond.management`, the other way to ask for " +
			"management, with one rule (`management-single`) keeping a single owner of where management lives.\n\n" +
			"Guardrails: the interface that carries management must have MTU 1500 (a VLAN at 1500 over a jumbo bond " +
			"is fine), and no `xsnet_ip_interface` may be on its network.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The pool's UUID: one management interface per pool."),
			"network_id": schema.StringAttribute{
				MarkdownDescription: "UUID of the network to carry every host's management, such as an `xsnet_vlan`'s or " +
					"`xsnet_bond`'s `id`, or a NIC's network from the `xsnet_network` data source. Every host needs a PIF " +
					"on it. Changes in place.",
				Required:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(uuidPattern, "must be a network UUID")},
			},
			"origin_network_id": schema.StringAttribute{
				MarkdownDescription: "UUID of the network management was on before xsnet first moved it, which destroy " +
					"moves it back to; null for an imported interface.",
				Computed: true,
			},
			"hosts": schema.MapNestedAttribute{
				MarkdownDescription: "Each host's management interface, by host UUID.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"pif_id": schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the management PIF."},
					"device": schema.StringAttribute{Computed: true, MarkdownDescription: "Its device, such as `eth1` or `bond0`."},
					"ip":     schema.StringAttribute{Computed: true, MarkdownDescription: "The host's management address."},
				}},
			},
		},
	}
}

func (r *managementInterfaceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// managementChange is what the plan ledger records of the interface.
func managementChange(kind poolnet.ChangeKind, m managementInterfaceModel) poolnet.Change {
	c := poolnet.Change{Kind: kind, Management: &poolnet.ManagementChange{Network: gString(m.NetworkID)}}
	if kind != poolnet.Create {
		c.ID = poolnet.ManagementChangeID(m.ID.ValueString())
	}
	return c
}

// ModifyPlan records the interface in the plan ledger and judges the pool
// as the plan leaves it, and plans each host's management as apply leaves
// it: a host whose management is elsewhere, or one that joined since,
// shows as a change.
func (r *managementInterfaceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	var state *managementInterfaceModel
	if !req.State.Raw.IsNull() {
		state = new(managementInterfaceModel)
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if req.Plan.Raw.IsNull() {
		if state != nil && !resp.Diagnostics.HasError() {
			r.data.judge(ctx, managementChange(poolnet.Delete, *state), false, &resp.Diagnostics)
		}
		return
	}
	var plan managementInterfaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	kind := poolnet.Update
	if state == nil {
		kind = poolnet.Create
		plan.ID = types.StringValue(snap.Pool.UUID)
	}
	unchanged := state != nil && req.Plan.Raw.Equal(req.State.Raw)
	if _, ok := r.data.judge(ctx, managementChange(kind, plan), unchanged, &resp.Diagnostics); !ok || resp.Diagnostics.HasError() {
		return
	}
	plan.Hosts, plan.OriginNetworkID = expectedManagement(snap, plan.NetworkID)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// expectedManagement is every host's management as apply leaves it on
// the network, and the origin destroy will return it to: unknown while
// the network is not made yet.
func expectedManagement(snap *poolnet.Snapshot, network types.String) (types.Map, types.String) {
	if network.IsUnknown() {
		return types.MapUnknown(managementHostType), types.StringUnknown()
	}
	netRef, _, ok := snap.NetworkByUUID(network.ValueString())
	if !ok {
		return types.MapUnknown(managementHostType), types.StringUnknown()
	}
	mp := poolnet.ReadManagement(snap)
	origin := types.StringNull()
	switch {
	case mp.OriginUUID != "":
		origin = types.StringValue(mp.OriginUUID)
	default:
		if m, ok := mp.Hosts[snap.Hosts.Get(snap.Pool.Master).UUID]; ok && m.NetworkUUID != network.ValueString() {
			origin = types.StringValue(m.NetworkUUID)
		}
	}
	hosts := map[string]attr.Value{}
	for _, host := range snap.HostRefs() {
		h := snap.Hosts.Get(host)
		_, p, ok := snap.NetworkPIF(host, netRef)
		if !ok {
			hosts[h.UUID] = types.ObjectUnknown(managementHostAttrTypes)
			continue
		}
		// The PIF's own address, or the one management brings along, which
		// a DHCP server gives anew on the new interface.
		ip := types.StringValue(p.IP)
		if p.IPConfigurationMode == xenapi.IPConfigurationNone || p.IPConfigurationMode == "" {
			cur := mp.Hosts[h.UUID]
			ip = types.StringValue(cur.IP)
			if cur.Mode == xenapi.IPConfigurationDHCP {
				ip = types.StringUnknown()
			}
		}
		hosts[h.UUID] = types.ObjectValueMust(managementHostAttrTypes, map[string]attr.Value{
			"pif_id": types.StringValue(p.UUID), "device": types.StringValue(p.Device), "ip": ip})
	}
	return types.MapValueMust(managementHostType, hosts), origin
}

func (r *managementInterfaceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan managementInterfaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	r.place(ctx, poolnet.Create, plan, plan.Timeouts.Create, &resp.State, &resp.Diagnostics)
}

// place moves every host's management where the plan says, for a create
// or an update alike. Management is wherever the move left it: the state
// says so, and the next apply goes on from there.
func (r *managementInterfaceResource) place(ctx context.Context, kind poolnet.ChangeKind, plan managementInterfaceModel,
	limit func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), st *tfsdk.State, diags *diag.Diagnostics) {
	ctx, cancel := bounded(ctx, limit, diags)
	defer cancel()
	if !r.data.checkApply(ctx, managementChange(kind, plan), diags) {
		return
	}
	err := r.data.model.PlaceManagement(ctx, plan.NetworkID.ValueString())
	afterUpdate(ctx, "Move Management", err, func() (managementInterfaceModel, bool) { return r.read(ctx, &plan, diags) }, st, diags)
}

func (r *managementInterfaceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var prior managementInterfaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	state, ok := r.read(ctx, &prior, &resp.Diagnostics)
	if ok {
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	}
}

func (r *managementInterfaceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan managementInterfaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	r.place(ctx, poolnet.Update, plan, plan.Timeouts.Update, &resp.State, &resp.Diagnostics)
}

func (r *managementInterfaceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state managementInterfaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	if !r.data.checkApply(ctx, managementChange(poolnet.Delete, state), &resp.Diagnostics) {
		return
	}
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	if poolnet.ReadManagement(snap).OriginUUID == "" {
		resp.Diagnostics.AddWarning("Management Stays Where It Is",
			"xsnet recorded no network that management came from (the interface was imported, or management was "+
				"there already), so destroying xsnet_management_interface leaves every host's management where it is.")
	}
	if err := r.data.model.ReturnManagement(ctx); err != nil {
		resp.Diagnostics.AddError("Cannot Move Management Back", err.Error()+destroyNextStep)
	}
}

func (r *managementInterfaceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !uuidPattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid Import ID",
			"Import xsnet_management_interface by the pool's UUID (`xe pool-list params=uuid` prints it); got "+quote(req.ID)+".")
		return
	}
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	if snap.Pool.UUID != req.ID {
		resp.Diagnostics.AddError("Different Pool",
			fmt.Sprintf("The provider is connected to pool %s, not %s. Import the management interface of the pool "+
				"the provider manages.", snap.Pool.UUID, req.ID))
		return
	}
	if poolnet.ReadManagement(snap).NetworkUUID == "" {
		resp.Diagnostics.AddError("Management On Different Networks",
			"The pool's hosts do not have their management on one network, so there is no one interface to import. "+
				"Write an xsnet_management_interface with the network every host's management should be on, and apply.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), types.StringValue(req.ID))...)
}

// read returns where management is, against prior (the state or plan;
// its zero value on import). Where every host's management is on one
// network, that is network_id; where they differ, network_id stays as
// prior has it and hosts shows where each is, so that the plan moves them.
func (r *managementInterfaceResource) read(ctx context.Context, prior *managementInterfaceModel, diags *diag.Diagnostics) (managementInterfaceModel, bool) {
	snap, ok := r.data.snapshot(ctx, diags)
	if !ok {
		return managementInterfaceModel{}, false
	}
	if id := prior.ID.ValueString(); id != "" && id != snap.Pool.UUID {
		diags.AddError("Different Pool",
			fmt.Sprintf("This resource manages the management interface of pool %s, but the provider is connected to "+
				"pool %s. Point the provider at that pool, or remove this resource from the state.", id, snap.Pool.UUID))
		return managementInterfaceModel{}, false
	}
	mp := poolnet.ReadManagement(snap)
	hosts := map[string]attr.Value{}
	for uuid, h := range mp.Hosts {
		hosts[uuid] = types.ObjectValueMust(managementHostAttrTypes, map[string]attr.Value{
			"pif_id": types.StringValue(h.PIFUUID), "device": types.StringValue(h.Device), "ip": types.StringValue(h.IP)})
	}
	m := *prior
	m.ID = types.StringValue(snap.Pool.UUID)
	if mp.NetworkUUID != "" {
		m.NetworkID = types.StringValue(mp.NetworkUUID)
	}
	m.OriginNetworkID = types.StringNull()
	if mp.OriginUUID != "" {
		m.OriginNetworkID = types.StringValue(mp.OriginUUID)
	}
	m.Hosts = types.MapValueMust(managementHostType, hosts)
	return m, true
}
