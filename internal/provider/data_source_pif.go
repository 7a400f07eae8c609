package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var _ datasource.DataSourceWithConfigure = (*pifDataSource)(nil)

type pifDataSource struct {
	data *providerData
}

// NewPIFDataSource returns the xsnet_pif data source.
func NewPIFDataSource() datasource.DataSource { return &pifDataSource{} }

// pifFields is what xsnet_pif, and each entry of xsnet_pifs, says of a PIF.
type pifFields struct {
	ID                  types.String `tfsdk:"id"`
	NetworkID           types.String `tfsdk:"network_id"`
	MAC                 types.String `tfsdk:"mac"`
	MTU                 types.Int64  `tfsdk:"mtu"`
	VLAN                types.Int64  `tfsdk:"vlan"`
	Physical            types.Bool   `tfsdk:"physical"`
	CurrentlyAttached   types.Bool   `tfsdk:"currently_attached"`
	Management          types.Bool   `tfsdk:"management"`
	IPConfigurationMode types.String `tfsdk:"ip_configuration_mode"`
	IP                  types.String `tfsdk:"ip"`
	Netmask             types.String `tfsdk:"netmask"`
	Gateway             types.String `tfsdk:"gateway"`
	DNS                 types.List   `tfsdk:"dns"`
	DisallowUnplug      types.Bool   `tfsdk:"disallow_unplug"`
	Purpose             types.String `tfsdk:"purpose"`
	BondMasterOf        types.String `tfsdk:"bond_master_of"`
	BondSlaveOf         types.String `tfsdk:"bond_slave_of"`
}

type pifDataSourceModel struct {
	Host   types.String `tfsdk:"host"`
	Device types.String `tfsdk:"device"`
	pifFields
}

// pifFieldAttributes is the schema of pifFields.
func pifFieldAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":         schema.StringAttribute{Computed: true, MarkdownDescription: "PIF UUID."},
		"network_id": schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the network the PIF connects the host to."},
		"mac":        schema.StringAttribute{Computed: true, MarkdownDescription: "MAC address."},
		"mtu": schema.Int64Attribute{Computed: true, MarkdownDescription: "The MTU the PIF has now; a new network MTU " +
			"reaches a PIF when it is next plugged."},
		"vlan":               schema.Int64Attribute{Computed: true, MarkdownDescription: "VLAN tag of a VLAN's PIF, or -1 for a NIC or bond master."},
		"physical":           schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the PIF is a NIC (false for bond masters and VLANs)."},
		"currently_attached": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the PIF is plugged."},
		"management":         schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the PIF carries the host's management interface."},
		"ip_configuration_mode": schema.StringAttribute{Computed: true, MarkdownDescription: "How the PIF gets its IP address: " +
			"`None`, `DHCP` or `Static`."},
		"ip":      schema.StringAttribute{Computed: true, MarkdownDescription: "IPv4 address; empty when the PIF has none."},
		"netmask": schema.StringAttribute{Computed: true, MarkdownDescription: "IPv4 netmask; empty when the PIF has none."},
		"gateway": schema.StringAttribute{Computed: true, MarkdownDescription: "IPv4 gateway; empty when the PIF has none."},
		"dns":     schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "IPv4 name servers."},
		"disallow_unplug": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether xapi refuses to unplug the PIF " +
			"(`PIF_DOES_NOT_ALLOW_UNPLUG`), as XenCenter sets for the interfaces it gives an address."},
		"purpose": schema.StringAttribute{Computed: true, MarkdownDescription: "What the interface is for, as XenCenter " +
			"keeps it in `other_config:management_purpose`, such as `Storage`; empty when none is set."},
		"bond_master_of": schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the bond this PIF is the master " +
			"of, or null."},
		"bond_slave_of": schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the bond this PIF is a member " +
			"of, or null."},
	}
}

// pifFieldsOf reads a PIF's fields from the snapshot, naming networks and
// bonds by UUID as operators see them.
func pifFieldsOf(snap *poolnet.Snapshot, p xenapi.PIF) pifFields {
	f := pifFields{
		ID:                  types.StringValue(p.UUID),
		NetworkID:           types.StringNull(),
		MAC:                 types.StringValue(p.MAC),
		MTU:                 types.Int64Value(p.MTU),
		VLAN:                types.Int64Value(p.VLAN),
		Physical:            types.BoolValue(p.Physical),
		CurrentlyAttached:   types.BoolValue(p.CurrentlyAttached),
		Management:          types.BoolValue(p.Management),
		IPConfigurationMode: types.StringValue(string(p.IPConfigurationMode)),
		IP:                  types.StringValue(p.IP),
		Netmask:             types.StringValue(p.Netmask),
		Gateway:             types.StringValue(p.Gateway),
		DNS:                 stringList(poolnet.SplitDNS(p.DNS)),
		DisallowUnplug:      types.BoolValue(p.DisallowUnplug),
		Purpose:             types.StringValue(p.OtherConfig[poolnet.PurposeKey]),
		BondMasterOf:        types.StringNull(),
		BondSlaveOf:         types.StringNull(),
	}
	if n, ok := snap.Networks.Lookup(p.Network); ok {
		f.NetworkID = types.StringValue(n.UUID)
	}
	// A PIF masters at most one bond; xapi keeps the field a set all the same.
	for _, ref := range p.BondMasterOf {
		if b, ok := snap.Bonds.Lookup(ref); ok {
			f.BondMasterOf = types.StringValue(b.UUID)
			break
		}
	}
	if b, ok := snap.Bonds.Lookup(p.BondSlaveOf); ok {
		f.BondSlaveOf = types.StringValue(b.UUID)
	}
	return f
}

func (d *pifDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pif"
}

func (d *pifDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := pifFieldAttributes()
	attrs["host"] = schema.StringAttribute{
		MarkdownDescription: "UUID or name of the host the PIF is on.",
		Required:            true,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attrs["device"] = schema.StringAttribute{
		MarkdownDescription: "Device name of the NIC or bond master, such as `eth0` or `bond0`.",
		Required:            true,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One PIF: a NIC or bond master on one host, found by host and device name. It is the " +
			"device's own (untagged) PIF, never one of the VLAN PIFs that share its device name; `xsnet_pifs` lists those.",
		Attributes: attrs,
	}
}

func (d *pifDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *pifDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg pifDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireClient(d.data, &resp.Diagnostics) {
		return
	}
	snap, ok := d.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	host, ok := lookupHost(snap, path.Root("host"), cfg.Host.ValueString(), &resp.Diagnostics)
	if !ok {
		return
	}
	device := cfg.Device.ValueString()
	_, pif, ok := snap.DevicePIF(host, device)
	if !ok {
		resp.Diagnostics.AddAttributeError(path.Root("device"), "PIF Not Found",
			fmt.Sprintf("Host %q has no device %q. Its devices are: %s.",
				snap.Hosts.Get(host).NameLabel, device, strings.Join(snap.Devices(host, false), ", ")))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, pifDataSourceModel{
		Host:      cfg.Host,
		Device:    types.StringValue(pif.Device),
		pifFields: pifFieldsOf(snap, pif),
	})...)
}
