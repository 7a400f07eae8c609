package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var _ datasource.DataSourceWithConfigure = (*pifsDataSource)(nil)

type pifsDataSource struct {
	data *providerData
}

// NewPIFsDataSource returns the xsnet_pifs data source.
func NewPIFsDataSource() datasource.DataSource { return &pifsDataSource{} }

type pifsDataSourceModel struct {
	Device     types.String `tfsdk:"device"`
	Host       types.String `tfsdk:"host"`
	NetworkID  types.String `tfsdk:"network_id"`
	Management types.Bool   `tfsdk:"management"`
	PIFs       types.List   `tfsdk:"pifs"`
}

// pifsEntryModel is one entry of pifs.
type pifsEntryModel struct {
	HostID types.String `tfsdk:"host_id"`
	Device types.String `tfsdk:"device"`
	pifFields
}

func pifsEntryObject() schema.NestedAttributeObject {
	attrs := pifFieldAttributes()
	attrs["host_id"] = schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the host the PIF is on."}
	attrs["device"] = schema.StringAttribute{Computed: true, MarkdownDescription: "Device name, such as `eth0` or `bond0`; " +
		"a VLAN's PIF has the device name of the PIF it is tagged on."}
	return schema.NestedAttributeObject{Attributes: attrs}
}

func (d *pifsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pifs"
}

func (d *pifsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The pool's PIFs (NICs, bond masters and VLAN PIFs) with each one's IP configuration, " +
			"optionally filtered by device, host, network and management. They come in a stable order: the pool master's first, then the other hosts' by name, " +
			"each host's by device, then by VLAN tag.",
		Attributes: map[string]schema.Attribute{
			"device": schema.StringAttribute{
				MarkdownDescription: "Only PIFs with this device name, such as `eth1`: that NIC on every host, and the " +
					"VLAN PIFs tagged on it.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"host": schema.StringAttribute{
				MarkdownDescription: "Only PIFs on this host, given by UUID or name.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"network_id": schema.StringAttribute{
				MarkdownDescription: "Only PIFs on this network, given by UUID: each host's PIF on a bond's or VLAN's " +
					"network, such as the IP configuration an `xsnet_ip_interface` gives each host.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"management": schema.BoolAttribute{
				MarkdownDescription: "Only PIFs that carry (true) or do not carry (false) their host's management interface.",
				Optional:            true,
			},
			"pifs": schema.ListNestedAttribute{
				MarkdownDescription: "The PIFs that pass every filter given.",
				Computed:            true,
				NestedObject:        pifsEntryObject(),
			},
		},
	}
}

func (d *pifsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *pifsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg pifsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireClient(d.data, &resp.Diagnostics) {
		return
	}
	snap, ok := d.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	hosts := snap.HostRefs()
	if !cfg.Host.IsNull() {
		// A host the pool does not have is a mistake, not an empty list.
		host, ok := lookupHost(snap, path.Root("host"), cfg.Host.ValueString(), &resp.Diagnostics)
		if !ok {
			return
		}
		hosts = []xenapi.Ref{host}
	}
	var network xenapi.Ref
	if !cfg.NetworkID.IsNull() {
		// A network the pool does not have is a mistake, not an empty list.
		ref, _, ok := snap.NetworkByUUID(cfg.NetworkID.ValueString())
		if !ok {
			resp.Diagnostics.AddAttributeError(path.Root("network_id"), "Network Not Found",
				"The pool has no network with UUID "+cfg.NetworkID.ValueString()+
					". `xe network-list params=uuid,name-label` lists the networks there are.")
			return
		}
		network = ref
	}
	// An empty list, not null, when nothing matches: for_each and length() take it.
	entries := []pifsEntryModel{}
	for _, host := range hosts {
		for _, p := range sortedHostPIFs(snap, host) {
			if !cfg.Device.IsNull() && p.Device != cfg.Device.ValueString() {
				continue
			}
			if network != "" && p.Network != network {
				continue
			}
			if !cfg.Management.IsNull() && p.Management != cfg.Management.ValueBool() {
				continue
			}
			entries = append(entries, pifsEntryModel{
				HostID:    types.StringValue(snap.Hosts.Get(host).UUID),
				Device:    types.StringValue(p.Device),
				pifFields: pifFieldsOf(snap, p),
			})
		}
	}
	list, diags := types.ListValueFrom(ctx, pifsEntryObject().Type(), entries)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.PIFs = list
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}

// sortedHostPIFs returns a host's PIFs by device, then VLAN tag, so that
// the list does not change from one read to the next.
func sortedHostPIFs(snap *poolnet.Snapshot, host xenapi.Ref) []xenapi.PIF {
	refs := snap.HostPIFs(host)
	pifs := make([]xenapi.PIF, len(refs))
	for i, ref := range refs {
		pifs[i] = snap.PIFs.Get(ref)
	}
	return pifs
}
