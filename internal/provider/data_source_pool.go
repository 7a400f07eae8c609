package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
)

var _ datasource.DataSourceWithConfigure = (*poolDataSource)(nil)

type poolDataSource struct {
	data *providerData
}

// NewPoolDataSource returns the xsnet_pool data source.
func NewPoolDataSource() datasource.DataSource { return &poolDataSource{} }

type poolDataSourceModel struct {
	ID              types.String `tfsdk:"id"`
	NameLabel       types.String `tfsdk:"name_label"`
	NameDescription types.String `tfsdk:"name_description"`
	Master          types.String `tfsdk:"master"`
	NetworkBackend  types.String `tfsdk:"network_backend"`
	// ManagementNetworkID is the network that carries every host's
	// management, null when the hosts differ.
	ManagementNetworkID types.String `tfsdk:"management_network_id"`
	Hosts               types.List   `tfsdk:"hosts"`
}

// poolHostAttrTypes is the shape of one entry of hosts, shared by the data
// source and the xsnet_pool resource.
var poolHostAttrTypes = map[string]attr.Type{
	"uuid":                  types.StringType,
	"name_label":            types.StringType,
	"address":               types.StringType,
	"enabled":               types.BoolType,
	"live":                  types.BoolType,
	"management_device":     types.StringType,
	"management_mtu":        types.Int64Type,
	"management_network_id": types.StringType,
	"management_vlan":       types.Int64Type,
	"management_ip":         types.StringType,
}

func poolHostsSchema() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		MarkdownDescription: "The pool's hosts, master first.",
		Computed:            true,
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"uuid":       schema.StringAttribute{Computed: true, MarkdownDescription: "Host UUID."},
				"name_label": schema.StringAttribute{Computed: true, MarkdownDescription: "Host name."},
				"address":    schema.StringAttribute{Computed: true, MarkdownDescription: "Management address."},
				"enabled":    schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the host accepts new VMs (false in maintenance)."},
				"live": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the pool hears from the host. " +
					"A host that has fallen out of the pool, as XenServer 6.1 hosts did after a reboot with a jumbo-frame management bond, is not live."},
				"management_device": schema.StringAttribute{Computed: true, MarkdownDescription: "Device of the PIF carrying management, such as `eth0` or `bond0`."},
				"management_mtu":    schema.Int64Attribute{Computed: true, MarkdownDescription: "MTU of that PIF."},
				"management_network_id": schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of that PIF's network: " +
					"a NIC's, a bond's or a VLAN's."},
				"management_vlan": schema.Int64Attribute{Computed: true, MarkdownDescription: "VLAN tag of that PIF, -1 when untagged."},
				"management_ip":   schema.StringAttribute{Computed: true, MarkdownDescription: "The host's management address."},
			},
		},
	}
}

func (d *poolDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pool"
}

func (d *poolDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The pool the provider is connected to: its master, network backend, where management " +
			"lives, and each host's liveness and management interface.",
		Attributes: map[string]schema.Attribute{
			"id":               schema.StringAttribute{Computed: true, MarkdownDescription: "Pool UUID."},
			"name_label":       schema.StringAttribute{Computed: true, MarkdownDescription: "Pool name."},
			"name_description": schema.StringAttribute{Computed: true, MarkdownDescription: "Pool description."},
			"master":           schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the pool master."},
			"network_backend":  schema.StringAttribute{Computed: true, MarkdownDescription: "`openvswitch` or `bridge`."},
			"management_network_id": schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the network that " +
				"carries every host's management (a NIC's, a bond's or a VLAN's), as `xsnet_management_interface` places it; " +
				"null when the hosts' management is on different networks."},
			"hosts": poolHostsSchema(),
		},
	}
}

func (d *poolDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *poolDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	snap, ok := d.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	hosts, diags := poolHostsValue(snap)
	managementNetwork := types.StringNull()
	if n := poolnet.ReadManagement(snap).NetworkUUID; n != "" {
		managementNetwork = types.StringValue(n)
	}
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, poolDataSourceModel{
		ID:                  types.StringValue(snap.Pool.UUID),
		NameLabel:           types.StringValue(snap.Pool.NameLabel),
		NameDescription:     types.StringValue(snap.Pool.NameDescription),
		Master:              types.StringValue(snap.Hosts.Get(snap.Pool.Master).UUID),
		NetworkBackend:      types.StringValue(snap.NetworkBackend()),
		ManagementNetworkID: managementNetwork,
		Hosts:               hosts,
	})...)
}
