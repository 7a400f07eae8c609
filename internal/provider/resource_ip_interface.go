package provider

import (
	"context"
	"net/netip"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var (
	_ resource.ResourceWithConfigure      = (*ipInterfaceResource)(nil)
	_ resource.ResourceWithImportState    = (*ipInterfaceResource)(nil)
	_ resource.ResourceWithValidateConfig = (*ipInterfaceResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*ipInterfaceResource)(nil)
)

// adoptedKey is the private state key that marks an IP interface taken
// over by import: xsnet has no record of what its PIFs had before.
const adoptedKey = "adopted"

type ipInterfaceResource struct {
	data *providerData
}

// NewIPInterfaceResource returns the xsnet_ip_interface resource.
func NewIPInterfaceResource() resource.Resource { return &ipInterfaceResource{} }

type ipInterfaceModel struct {
	ID             types.String   `tfsdk:"id"`
	NetworkID      types.String   `tfsdk:"network_id"`
	Mode           types.String   `tfsdk:"mode"`
	Addresses      types.Map      `tfsdk:"addresses"`
	StartAddress   types.String   `tfsdk:"start_address"`
	Netmask        types.String   `tfsdk:"netmask"`
	PrefixLength   types.Int64    `tfsdk:"prefix_length"`
	Gateway        types.String   `tfsdk:"gateway"`
	DNS            types.List     `tfsdk:"dns"`
	Purpose        types.String   `tfsdk:"purpose"`
	DisallowUnplug types.Bool     `tfsdk:"disallow_unplug"`
	Hosts          types.Map      `tfsdk:"hosts"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

var ipHostAttrTypes = map[string]attr.Type{
	"pif_id":             types.StringType,
	"device":             types.StringType,
	"mode":               types.StringType,
	"ip":                 types.StringType,
	"netmask":            types.StringType,
	"gateway":            types.StringType,
	"dns":                types.ListType{ElemType: types.StringType},
	"purpose":            types.StringType,
	"disallow_unplug":    types.BoolType,
	"currently_attached": types.BoolType,
}

var ipHostType = types.ObjectType{AttrTypes: ipHostAttrTypes}

// The modes as xsnet_ip_interface spells xapi's ip_configuration_mode.
var ipModes = map[string]xenapi.IPConfigurationMode{
	guardrail.IPModeStatic: xenapi.IPConfigurationStatic,
	guardrail.IPModeDHCP:   xenapi.IPConfigurationDHCP,
	guardrail.IPModeNone:   xenapi.IPConfigurationNone,
}

func modeName(m xenapi.IPConfigurationMode) string {
	for name, mode := range ipModes {
		if mode == m {
			return name
		}
	}
	return guardrail.IPModeNone
}

func (r *ipInterfaceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip_interface"
}

func (r *ipInterfaceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
		MarkdownDescription: "An IP configuration on one network (a NIC's, a bond's or a VLAN's) on every host of the " +
			"pool: what XenCenter's \"Configure IP Addresses\" makes for storage traffic (iSCSI, NFS), as a secondary " +
			"interface on each host. xsnet writes down what each host's PIF had before it changes it, plugs the PIF " +
			"(a PIF with an address comes back plugged after every reboot, as xapi brings it up at start of day), and " +
			"on destroy gives each PIF exactly that back: no address, unplugged where it had been. A host that joins " +
			"the pool later shows as a change, and apply configures it.\n\n" +
			"The network that carries management is management's: use `xsnet_management_interface` to move it. " +
			"Guardrails refuse an address used twice across the pool or already on another PIF, and an interface " +
			"whose `purpose` names management on a network whose MTU is not 1500.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("UUID of the network, as `network_id`."),
			"network_id": schema.StringAttribute{
				MarkdownDescription: "UUID of the network whose PIFs carry the addresses, such as an `xsnet_vlan`'s or " +
					"`xsnet_bond`'s `id`. Changing it makes a new interface.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.RegexMatches(uuidPattern, "must be a network UUID")},
			},
			"mode": schema.StringAttribute{
				MarkdownDescription: "`static` (addresses from `addresses` or `start_address`), `dhcp`, or `none` (the " +
					"PIFs plugged without an address; xapi brings a VLAN's PIF without an address back unplugged after a " +
					"reboot, and the next plan shows it and plugs it again). Changes in place.",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(guardrail.IPModeStatic, guardrail.IPModeDHCP, guardrail.IPModeNone)},
			},
			"addresses": schema.MapAttribute{
				MarkdownDescription: "Each host's IPv4 address, by host UUID or name, for `static`: every host of the " +
					"pool needs one.",
				ElementType: types.StringType,
				Optional:    true,
				Validators: []validator.Map{mapvalidator.ConflictsWith(path.MatchRoot("start_address")),
					mapvalidator.SizeAtLeast(1)},
			},
			"start_address": schema.StringAttribute{
				MarkdownDescription: "The pool master's IPv4 address, for `static`: every other host takes the next " +
					"one in the pool's host order (the master first, then by name), as XenCenter numbers them. A host " +
					"that joins later takes its place in that order, and the plan shows every address that moves; " +
					"where none may move, give `addresses` instead.",
				Optional: true,
			},
			"netmask": schema.StringAttribute{
				MarkdownDescription: "The subnet's netmask, such as `255.255.255.0`, for `static`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("prefix_length"))},
			},
			"prefix_length": schema.Int64Attribute{
				MarkdownDescription: "The subnet's prefix length, such as `24`, instead of `netmask`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, 32)},
			},
			"gateway": schema.StringAttribute{
				MarkdownDescription: "IPv4 gateway, for `static`. A storage network seldom needs one.",
				Optional:            true,
			},
			"dns": schema.ListAttribute{
				MarkdownDescription: "IPv4 name servers, for `static`.",
				ElementType:         types.StringType,
				Optional:            true,
			},
			"purpose": schema.StringAttribute{
				MarkdownDescription: "What the interface is for, such as `Storage`: XenCenter keeps it in each PIF's " +
					"`other_config:management_purpose` and shows it as the interface's name. A purpose that names " +
					"management holds the network to MTU 1500.",
				Optional: true,
			},
			"disallow_unplug": schema.BoolAttribute{
				MarkdownDescription: "Whether xapi refuses to unplug the PIFs (`PIF_DOES_NOT_ALLOW_UNPLUG`), as XenCenter " +
					"sets for the interfaces it configures. Defaults to true.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"hosts": schema.MapNestedAttribute{
				MarkdownDescription: "Each host's PIF on the network, by host UUID, as the pool has it.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"pif_id":             schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the PIF."},
					"device":             schema.StringAttribute{Computed: true, MarkdownDescription: "Device of the PIF, such as `bond1`."},
					"mode":               schema.StringAttribute{Computed: true, MarkdownDescription: "`static`, `dhcp` or `none`."},
					"ip":                 schema.StringAttribute{Computed: true, MarkdownDescription: "IPv4 address; empty without one."},
					"netmask":            schema.StringAttribute{Computed: true, MarkdownDescription: "IPv4 netmask; empty without one."},
					"gateway":            schema.StringAttribute{Computed: true, MarkdownDescription: "IPv4 gateway; empty without one."},
					"dns":                schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Name servers."},
					"purpose":            schema.StringAttribute{Computed: true, MarkdownDescription: "`other_config:management_purpose`; empty without one."},
					"disallow_unplug":    schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether xapi refuses to unplug the PIF."},
					"currently_attached": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the PIF is plugged."},
				}},
			},
		},
	}
}

func (r *ipInterfaceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// guardrailIP is the interface as the guardrails see it.
func guardrailIP(m ipInterfaceModel) guardrail.IPInterface {
	addrs := guardrail.Unknown[map[string]guardrail.Value[string]]()
	switch {
	case m.Addresses.IsNull():
		addrs = guardrail.Null[map[string]guardrail.Value[string]]()
	case !m.Addresses.IsUnknown():
		out := map[string]guardrail.Value[string]{}
		for k, v := range m.Addresses.Elements() {
			if s, ok := v.(types.String); ok {
				out[k] = gString(s)
			}
		}
		addrs = guardrail.Known(out)
	}
	return guardrail.IPInterface{
		Mode: gString(m.Mode), Addresses: addrs, StartAddress: gString(m.StartAddress), Netmask: gString(m.Netmask),
		PrefixLength: gInt(m.PrefixLength), Gateway: gString(m.Gateway), DNS: gStrings(m.DNS), Purpose: gString(m.Purpose),
	}
}

// addressesByUUID are the static addresses the interface gives the pool's
// hosts, by host UUID; unknown while any value they need is.
func addressesByUUID(snap *poolnet.Snapshot, m ipInterfaceModel) guardrail.Value[map[string]string] {
	switch {
	case m.Mode.IsUnknown():
		return guardrail.Unknown[map[string]string]()
	case m.Mode.ValueString() != guardrail.IPModeStatic:
		return guardrail.Null[map[string]string]()
	}
	addrs, ok := guardrail.IPAddresses(guardrailIP(m), snap.Facts().Hosts)
	if !ok {
		return guardrail.Unknown[map[string]string]()
	}
	out := map[string]string{}
	for _, a := range addrs {
		out[a.Host.UUID] = a.Address
	}
	return guardrail.Known(out)
}

// ipChange is what the plan ledger records of the interface.
func ipChange(snap *poolnet.Snapshot, kind poolnet.ChangeKind, m ipInterfaceModel) poolnet.Change {
	c := poolnet.Change{Kind: kind, IP: &poolnet.IPChange{
		Network: gString(m.NetworkID), Addresses: addressesByUUID(snap, m), Numbered: !m.StartAddress.IsNull(),
		Purpose: gString(m.Purpose),
	}}
	if kind != poolnet.Create {
		c.ID = poolnet.IPChangeID(m.ID.ValueString())
	}
	return c
}

// netmaskOf is the dotted netmask netmask or prefix_length gives.
func netmaskOf(m ipInterfaceModel) types.String {
	switch {
	case m.Netmask.IsUnknown() || m.PrefixLength.IsUnknown():
		return types.StringUnknown()
	case !m.Netmask.IsNull():
		return m.Netmask
	case m.PrefixLength.IsNull():
		return types.StringValue("")
	}
	n := m.PrefixLength.ValueInt64()
	if n < 1 || n > 32 {
		return types.StringValue("")
	}
	mask := ^uint32(0) << (32 - n)
	return types.StringValue(netip.AddrFrom4([4]byte{byte(mask >> 24), byte(mask >> 16), byte(mask >> 8), byte(mask)}).String())
}

func (r *ipInterfaceResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg ipInterfaceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	addGuardrailDiagnostics(guardrail.CheckIPInterface(guardrail.Validate, guardrailIP(cfg), nil), &resp.Diagnostics)
}

// ModifyPlan runs the interface's own guardrails with the pool's hosts,
// records it in the plan ledger and judges the pool as the plan leaves
// it, and plans each host's PIF as apply will leave it: a host whose PIF
// differs, or one that joined since, shows as a change.
func (r *ipInterfaceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	var state *ipInterfaceModel
	if !req.State.Raw.IsNull() {
		state = new(ipInterfaceModel)
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	if req.Plan.Raw.IsNull() {
		if state != nil {
			r.data.judge(ctx, ipChange(snap, poolnet.Delete, *state), false, &resp.Diagnostics)
		}
		return
	}
	var plan ipInterfaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	unchanged := state != nil && req.Plan.Raw.Equal(req.State.Raw)
	addGuardrailDiagnostics(planFindings(guardrail.CheckIPInterface(guardrail.Plan, guardrailIP(plan), snap.Facts()), unchanged),
		&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// Terraform plans a replacement twice: first against the state, where
	// the ledger learns the old interface goes, then as a plain create.
	change := ipChange(snap, poolnet.Update, plan)
	switch {
	case state == nil:
		change = ipChange(snap, poolnet.Create, plan)
	case !plan.NetworkID.Equal(state.NetworkID):
		change = ipChange(snap, poolnet.Delete, *state)
	}
	if _, ok := r.data.judge(ctx, change, unchanged, &resp.Diagnostics); !ok || resp.Diagnostics.HasError() {
		return
	}
	if change.Kind == poolnet.Delete {
		plan.ID, plan.Hosts = types.StringUnknown(), types.MapUnknown(ipHostType)
	} else {
		// The interface is known by its network's UUID.
		plan.ID, plan.Hosts = plan.NetworkID, expectedIPHosts(snap, plan)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// expectedIPHosts is every host's PIF on the network as apply leaves it:
// known where the configuration and the pool decide it, unknown where
// the network is not made yet or a DHCP server is still to answer.
func expectedIPHosts(snap *poolnet.Snapshot, m ipInterfaceModel) types.Map {
	if m.NetworkID.IsUnknown() || m.Mode.IsUnknown() {
		return types.MapUnknown(ipHostType)
	}
	netRef, _, ok := snap.NetworkByUUID(m.NetworkID.ValueString())
	if !ok {
		return types.MapUnknown(ipHostType)
	}
	addrs, _ := addressesByUUID(snap, m).Get()
	mode := m.Mode.ValueString()
	purpose := m.Purpose
	if purpose.IsNull() {
		purpose = types.StringValue("")
	}
	gateway := m.Gateway
	if gateway.IsNull() {
		gateway = types.StringValue("")
	}
	dns := m.DNS
	if dns.IsNull() {
		dns = types.ListValueMust(types.StringType, []attr.Value{})
	}
	unknownIP := map[string]attr.Value{
		"ip": types.StringUnknown(), "netmask": types.StringUnknown(), "gateway": types.StringUnknown(),
		"dns": types.ListUnknown(types.StringType),
	}
	hosts := map[string]attr.Value{}
	for _, host := range snap.HostRefs() {
		h := snap.Hosts.Get(host)
		_, p, ok := snap.NetworkPIF(host, netRef)
		if !ok {
			hosts[h.UUID] = types.ObjectUnknown(ipHostAttrTypes)
			continue
		}
		v := map[string]attr.Value{
			"pif_id": types.StringValue(p.UUID), "device": types.StringValue(p.Device), "mode": types.StringValue(mode),
			"purpose": purpose, "disallow_unplug": m.DisallowUnplug, "currently_attached": types.BoolValue(true),
		}
		switch {
		case mode == guardrail.IPModeStatic:
			ip := types.StringUnknown()
			if a, ok := addrs[h.UUID]; ok {
				ip = types.StringValue(a)
			}
			v["ip"], v["netmask"], v["gateway"], v["dns"] = ip, netmaskOf(m), gateway, dns
		case mode == guardrail.IPModeDHCP && p.IPConfigurationMode == xenapi.IPConfigurationDHCP:
			v["ip"], v["netmask"], v["gateway"] = types.StringValue(p.IP), types.StringValue(p.Netmask), types.StringValue(p.Gateway)
			v["dns"] = stringList(poolnet.SplitDNS(p.DNS))
		case mode == guardrail.IPModeDHCP:
			for k, u := range unknownIP {
				v[k] = u
			}
		default:
			v["ip"], v["netmask"], v["gateway"] = types.StringValue(""), types.StringValue(""), types.StringValue("")
			v["dns"] = types.ListValueMust(types.StringType, []attr.Value{})
		}
		hosts[h.UUID] = types.ObjectValueMust(ipHostAttrTypes, v)
	}
	return types.MapValueMust(ipHostType, hosts)
}

func stringList(ss []string) types.List {
	vals := make([]attr.Value, len(ss))
	for i, s := range ss {
		vals[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, vals)
}

// checkBeforeApply runs the guardrails one last time with every value
// known and the pool as it is now.
func (r *ipInterfaceResource) checkBeforeApply(ctx context.Context, snap *poolnet.Snapshot, change poolnet.Change, plan *ipInterfaceModel, diags *diag.Diagnostics) bool {
	if plan != nil {
		res := guardrail.CheckIPInterface(guardrail.Apply, guardrailIP(*plan), snap.Facts())
		addGuardrailDiagnostics(res, diags)
		if res.HasError() {
			return false
		}
	}
	return r.data.checkApply(ctx, change, diags)
}

// spec is what poolnet makes of the interface.
func (r *ipInterfaceResource) spec(snap *poolnet.Snapshot, m ipInterfaceModel, adopted bool) poolnet.IPSpec {
	addrs, _ := addressesByUUID(snap, m).Get()
	s := poolnet.IPSpec{
		NetworkUUID:    m.NetworkID.ValueString(),
		Mode:           ipModes[m.Mode.ValueString()],
		Addresses:      addrs,
		Purpose:        m.Purpose.ValueString(),
		DisallowUnplug: m.DisallowUnplug.ValueBool(),
		Adopted:        adopted,
	}
	if s.Mode == xenapi.IPConfigurationStatic {
		s.Netmask, s.Gateway, s.DNS = netmaskOf(m).ValueString(), m.Gateway.ValueString(), knownStringElements(m.DNS)
	}
	return s
}

func (r *ipInterfaceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan ipInterfaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok || !r.checkBeforeApply(ctx, snap, ipChange(snap, poolnet.Create, plan), &plan, &resp.Diagnostics) {
		return
	}
	network := plan.NetworkID.ValueString()
	err := r.data.model.CreateIP(ctx, r.spec(snap, plan, false))
	uuid := network
	if err != nil {
		uuid = ""
	}
	afterCreate(ctx, "IP interface", uuid, err, func(uuid string, diags *diag.Diagnostics) (ipInterfaceModel, bool) {
		return r.read(ctx, uuid, &plan, diags)
	}, func(uuid string) ipInterfaceModel {
		m := plan
		m.ID = types.StringValue(uuid)
		if m.Hosts.IsUnknown() {
			m.Hosts = types.MapValueMust(ipHostType, nil)
		}
		return m
	}, &resp.State, &resp.Diagnostics)
}

func (r *ipInterfaceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readBack(ctx, r.data, req, resp, func(m ipInterfaceModel) types.String { return m.ID }, r.read, nil)
}

func (r *ipInterfaceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan ipInterfaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok || !r.checkBeforeApply(ctx, snap, ipChange(snap, poolnet.Update, plan), &plan, &resp.Diagnostics) {
		return
	}
	adopted, d := req.Private.GetKey(ctx, adoptedKey)
	resp.Diagnostics.Append(d...)
	err := r.data.model.UpdateIP(ctx, r.spec(snap, plan, adopted != nil))
	afterUpdate(ctx, "Update IP Interface", err, func() (ipInterfaceModel, bool) {
		return r.read(ctx, plan.ID.ValueString(), &plan, &resp.Diagnostics)
	}, &resp.State, &resp.Diagnostics)
}

func (r *ipInterfaceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state ipInterfaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	ctx, cancel := bounded(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok || !r.checkBeforeApply(ctx, snap, ipChange(snap, poolnet.Delete, state), nil, &resp.Diagnostics) {
		return
	}
	adopted, d := req.Private.GetKey(ctx, adoptedKey)
	resp.Diagnostics.Append(d...)
	if err := r.data.model.DestroyIP(ctx, state.ID.ValueString(), adopted != nil); err != nil {
		resp.Diagnostics.AddError("Cannot Destroy IP Interface", err.Error()+destroyNextStep)
	}
}

// ImportState takes over the IP configuration of a network's PIFs, as
// XenCenter or xe left it, by the network's UUID. xsnet has no record of
// what the PIFs had before: destroying the imported interface clears it,
// as removing it in XenCenter would.
func (r *ipInterfaceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !uuidPattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid Import ID",
			"Import xsnet_ip_interface by the UUID of the network whose PIFs carry the addresses, such as "+
				"3f6c1a3e-5c0b-4d7e-9f6a-2b1e0c9d8a7f (`xe pif-list IP=10.0.20.11 params=network-uuid` prints it); got "+quote(req.ID)+".")
		return
	}
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	if _, _, ok := snap.NetworkByUUID(req.ID); !ok {
		resp.Diagnostics.AddError("No Such Network", "The pool has no network with UUID "+req.ID+
			". `xe network-list params=uuid,name-label` lists the networks there are.")
		return
	}
	if _, ok := poolnet.ReadIP(snap, req.ID); !ok {
		resp.Diagnostics.AddError("No IP Configuration To Import",
			"No PIF on network "+req.ID+" has an IP configuration, so there is no interface to import. "+
				"Write an xsnet_ip_interface for it and apply instead.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), types.StringValue(req.ID))...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, adoptedKey, []byte("true"))...)
}

// read returns the interface as the pool has it, against prior (the
// state or plan; its zero value on import, whose configuration is then
// read from the pool); found is false when the network is gone or no PIF
// on it is configured any more.
func (r *ipInterfaceResource) read(ctx context.Context, uuid string, prior *ipInterfaceModel, diags *diag.Diagnostics) (ipInterfaceModel, bool) {
	snap, ok := r.data.snapshot(ctx, diags)
	if !ok {
		return ipInterfaceModel{}, false
	}
	pi, ok := poolnet.ReadIP(snap, uuid)
	if !ok {
		return ipInterfaceModel{}, false
	}
	hosts := map[string]attr.Value{}
	var first *poolnet.HostIP
	for _, host := range snap.HostRefs() {
		h, ok := pi.Hosts[snap.Hosts.Get(host).UUID]
		if !ok {
			continue
		}
		if first == nil || first.Mode == xenapi.IPConfigurationNone && h.Mode != xenapi.IPConfigurationNone {
			first = &h
		}
		hosts[h.HostUUID] = types.ObjectValueMust(ipHostAttrTypes, map[string]attr.Value{
			"pif_id": types.StringValue(h.PIFUUID), "device": types.StringValue(h.Device), "mode": types.StringValue(modeName(h.Mode)),
			"ip": types.StringValue(h.IP), "netmask": types.StringValue(h.Netmask), "gateway": types.StringValue(h.Gateway),
			"dns": stringList(h.DNS), "purpose": types.StringValue(h.Purpose), "disallow_unplug": types.BoolValue(h.DisallowUnplug),
			"currently_attached": types.BoolValue(h.CurrentlyAttached),
		})
	}
	m := *prior
	m.ID, m.NetworkID = types.StringValue(pi.NetworkUUID), types.StringValue(pi.NetworkUUID)
	m.Hosts = types.MapValueMust(ipHostType, hosts)
	if prior.Mode.IsNull() && first != nil {
		fromPool(snap, &m, pi, *first)
	}
	return m, true
}

// fromPool fills an imported interface's configuration from its PIFs: the
// addresses by host name (by UUID where two hosts share a name), the rest
// from the first PIF that has a configuration.
func fromPool(snap *poolnet.Snapshot, m *ipInterfaceModel, pi poolnet.PoolIP, first poolnet.HostIP) {
	orNull := func(s string) types.String {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	m.Mode = types.StringValue(modeName(first.Mode))
	m.Addresses, m.StartAddress, m.PrefixLength = types.MapNull(types.StringType), types.StringNull(), types.Int64Null()
	m.Netmask, m.Gateway, m.DNS = types.StringNull(), types.StringNull(), types.ListNull(types.StringType)
	if first.Mode == xenapi.IPConfigurationStatic {
		addrs := map[string]attr.Value{}
		for _, h := range pi.Hosts {
			key := h.HostName
			if len(snap.HostsByNameLabel(key)) != 1 {
				key = h.HostUUID
			}
			if h.IP != "" {
				addrs[key] = types.StringValue(h.IP)
			}
		}
		m.Addresses = types.MapValueMust(types.StringType, addrs)
		m.Netmask, m.Gateway = orNull(first.Netmask), orNull(first.Gateway)
		if len(first.DNS) > 0 {
			m.DNS = stringList(first.DNS)
		}
	}
	m.Purpose = orNull(first.Purpose)
	m.DisallowUnplug = types.BoolValue(first.DisallowUnplug)
}
