package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var (
	_ datasource.DataSourceWithConfigure        = (*hostDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*hostDataSource)(nil)
)

type hostDataSource struct {
	data *providerData
}

// NewHostDataSource returns the xsnet_host data source.
func NewHostDataSource() datasource.DataSource { return &hostDataSource{} }

type hostDataSourceModel struct {
	ID               types.String `tfsdk:"id"`
	UUID             types.String `tfsdk:"uuid"`
	NameLabel        types.String `tfsdk:"name_label"`
	Address          types.String `tfsdk:"address"`
	Enabled          types.Bool   `tfsdk:"enabled"`
	Live             types.Bool   `tfsdk:"live"`
	NetworkBackend   types.String `tfsdk:"network_backend"`
	ManagementPIFID  types.String `tfsdk:"management_pif_id"`
	ManagementDevice types.String `tfsdk:"management_device"`
}

func (d *hostDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_host"
}

func (d *hostDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One host of the pool, found by UUID or by name: its address, whether it is up, " +
			"and which PIF carries its management interface. Set exactly one of `uuid` and `name_label`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Host UUID."},
			"uuid": schema.StringAttribute{
				MarkdownDescription: "UUID of the host to find, as `xe host-list params=uuid,name-label` prints it.",
				Optional:            true,
				Computed:            true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(uuidPattern, "must be a host UUID, such as 3f6c1a3e-5c0b-4d7e-9f6a-2b1e0c9d8a7f"),
				},
			},
			"name_label": schema.StringAttribute{
				MarkdownDescription: "Name of the host to find, as XenCenter shows it. XenServer does not keep host " +
					"names unique: when several hosts share the name, look the host up by `uuid` instead.",
				Optional: true,
				Computed: true,
			},
			"address": schema.StringAttribute{Computed: true, MarkdownDescription: "The host's management IP address."},
			"enabled": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the host accepts new VMs (false in maintenance mode)."},
			"live": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the pool master hears from the host. " +
				"A host that has dropped out of the pool is not live."},
			"network_backend": schema.StringAttribute{Computed: true, MarkdownDescription: "The host's network backend, `openvswitch` or `bridge`."},
			"management_pif_id": schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the PIF that carries the host's " +
				"management interface; null when management is disabled."},
			"management_device": schema.StringAttribute{Computed: true, MarkdownDescription: "Device of that PIF, such as `eth0` or " +
				"`bond0`; null when management is disabled."},
		},
	}
}

func (d *hostDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("uuid"), path.MatchRoot("name_label")),
	}
}

func (d *hostDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *hostDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg hostDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireClient(d.data, &resp.Diagnostics) {
		return
	}
	snap, ok := d.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	var ref xenapi.Ref
	if !cfg.UUID.IsNull() {
		ref, ok = hostByUUID(snap, path.Root("uuid"), cfg.UUID.ValueString(), &resp.Diagnostics)
	} else {
		ref, ok = hostByNameLabel(snap, path.Root("name_label"), cfg.NameLabel.ValueString(), &resp.Diagnostics)
	}
	if !ok {
		return
	}
	h := snap.Hosts.Get(ref)
	state := hostDataSourceModel{
		ID:               types.StringValue(h.UUID),
		UUID:             types.StringValue(h.UUID),
		NameLabel:        types.StringValue(h.NameLabel),
		Address:          types.StringValue(h.Address),
		Enabled:          types.BoolValue(h.Enabled),
		Live:             types.BoolValue(snap.Live(ref)),
		NetworkBackend:   types.StringValue(h.SoftwareVersion["network_backend"]),
		ManagementPIFID:  types.StringNull(),
		ManagementDevice: types.StringNull(),
	}
	if _, pif, ok := snap.ManagementPIF(ref); ok {
		state.ManagementPIFID = types.StringValue(pif.UUID)
		state.ManagementDevice = types.StringValue(pif.Device)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// lookupHost finds a host by UUID or, failing that, by name_label: the two
// ways operators name a host, which one attribute may hold.
func lookupHost(snap *poolnet.Snapshot, attr path.Path, nameOrUUID string, diags *diag.Diagnostics) (xenapi.Ref, bool) {
	if ref, _, ok := snap.HostByUUID(nameOrUUID); ok {
		return ref, true
	}
	return hostByNameLabel(snap, attr, nameOrUUID, diags)
}

// hostByUUID finds a host by UUID, or says which hosts there are.
func hostByUUID(snap *poolnet.Snapshot, attr path.Path, uuid string, diags *diag.Diagnostics) (xenapi.Ref, bool) {
	if ref, _, ok := snap.HostByUUID(uuid); ok {
		return ref, true
	}
	diags.AddAttributeError(attr, "Host Not Found",
		fmt.Sprintf("No host of the pool has UUID %q. The pool's hosts are: %s.",
			uuid, hostList(snap, snap.HostRefs())))
	return "", false
}

// hostByNameLabel finds the one host with that name_label. A name no host
// has, or one several hosts share, is an error that says what to write.
func hostByNameLabel(snap *poolnet.Snapshot, attr path.Path, name string, diags *diag.Diagnostics) (xenapi.Ref, bool) {
	refs := snap.HostsByNameLabel(name)
	switch len(refs) {
	case 1:
		return refs[0], true
	case 0:
		diags.AddAttributeError(attr, "Host Not Found",
			fmt.Sprintf("No host of the pool is named %q. The pool's hosts are: %s.",
				name, hostList(snap, snap.HostRefs())))
	default:
		uuids := make([]string, 0, len(refs))
		for _, ref := range refs {
			h := snap.Hosts.Get(ref)
			uuids = append(uuids, fmt.Sprintf("%s (address %s)", h.UUID, h.Address))
		}
		diags.AddAttributeError(attr, "Ambiguous Host Name",
			fmt.Sprintf("%d hosts of the pool are named %q: %s. Name the host by its UUID instead.",
				len(refs), name, strings.Join(uuids, ", ")))
	}
	return "", false
}

// hostList names hosts the way an operator can write them back: each
// name_label with its UUID.
func hostList(snap *poolnet.Snapshot, refs []xenapi.Ref) string {
	names := make([]string, 0, len(refs))
	for _, ref := range refs {
		h := snap.Hosts.Get(ref)
		names = append(names, fmt.Sprintf("%q (%s)", h.NameLabel, h.UUID))
	}
	return strings.Join(names, ", ")
}
