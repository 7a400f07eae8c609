package provider

import (
	"context"
	"fmt"
	"slices"
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
	_ datasource.DataSourceWithConfigure        = (*networkDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*networkDataSource)(nil)
)

type networkDataSource struct {
	data *providerData
}

// NewNetworkDataSource returns the xsnet_network data source.
func NewNetworkDataSource() datasource.DataSource { return &networkDataSource{} }

type networkDataSourceModel struct {
	ID              types.String `tfsdk:"id"`
	NameLabel       types.String `tfsdk:"name_label"`
	Device          types.String `tfsdk:"device"`
	NameDescription types.String `tfsdk:"name_description"`
	MTU             types.Int64  `tfsdk:"mtu"`
	Bridge          types.String `tfsdk:"bridge"`
	OtherConfig     types.Map    `tfsdk:"other_config"`
	PIFIDs          types.List   `tfsdk:"pif_ids"`
}

func (d *networkDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_network"
}

func (d *networkDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One network of the pool, found by name or, for the networks XenServer makes for each NIC, " +
			"by the NIC's device name. Set exactly one of `name_label` and `device`. Its `id` is what `xsnet_vlan`'s " +
			"`parent_network_id` takes.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Network UUID."},
			"name_label": schema.StringAttribute{
				MarkdownDescription: "Name of the network to find, as XenCenter shows it. XenServer does not keep network " +
					"names unique: a name several networks share is an error.",
				Optional: true,
				Computed: true,
			},
			"device": schema.StringAttribute{
				MarkdownDescription: "Device name of a NIC, such as `eth1`, to find the pool-wide network of that NIC: " +
					"the one network every host's `eth1` is on.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name_description": schema.StringAttribute{Computed: true, MarkdownDescription: "Description of the network."},
			"mtu":              schema.Int64Attribute{Computed: true, MarkdownDescription: "MTU of the network."},
			"bridge":           schema.StringAttribute{Computed: true, MarkdownDescription: "The bridge of the network on each host, such as `xenbr1` or `xapi3`."},
			"other_config": schema.MapAttribute{
				MarkdownDescription: "XenServer's free-form `other_config` map of the network, without the `xsnet_` keys " +
					"xsnet keeps for itself.",
				ElementType: types.StringType,
				Computed:    true,
			},
			"pif_ids": schema.ListAttribute{
				MarkdownDescription: "UUIDs of the network's PIFs, the pool master's first; empty for a private network.",
				ElementType:         types.StringType,
				Computed:            true,
			},
		},
	}
}

func (d *networkDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("name_label"), path.MatchRoot("device")),
	}
}

func (d *networkDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *networkDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg networkDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireClient(d.data, &resp.Diagnostics) {
		return
	}
	snap, ok := d.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	var ref xenapi.Ref
	if !cfg.Device.IsNull() {
		ref, ok = networkOfDevice(snap, path.Root("device"), cfg.Device.ValueString(), &resp.Diagnostics)
	} else {
		ref, ok = networkByNameLabel(snap, path.Root("name_label"), cfg.NameLabel.ValueString(), &resp.Diagnostics)
	}
	if !ok {
		return
	}
	n := snap.Networks.Get(ref)
	oc, diags := types.MapValueFrom(ctx, types.StringType, poolnet.UserOtherConfig(n.OtherConfig))
	resp.Diagnostics.Append(diags...)
	pifIDs := []string{}
	for _, host := range snap.HostRefs() {
		for _, p := range sortedHostPIFs(snap, host) {
			if p.Network == ref {
				pifIDs = append(pifIDs, p.UUID)
			}
		}
	}
	pifs, diags := types.ListValueFrom(ctx, types.StringType, pifIDs)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, networkDataSourceModel{
		ID:              types.StringValue(n.UUID),
		NameLabel:       types.StringValue(n.NameLabel),
		Device:          cfg.Device,
		NameDescription: types.StringValue(n.NameDescription),
		MTU:             types.Int64Value(n.MTU),
		Bridge:          types.StringValue(n.Bridge),
		OtherConfig:     oc,
		PIFIDs:          pifs,
	})...)
}

// networkByNameLabel finds the one network with that name_label. A name no
// network has, or one several share, is an error that lists the candidates.
func networkByNameLabel(snap *poolnet.Snapshot, attr path.Path, name string, diags *diag.Diagnostics) (xenapi.Ref, bool) {
	refs := snap.NetworksByNameLabel(name)
	switch len(refs) {
	case 1:
		return refs[0], true
	case 0:
		names := make([]string, 0, snap.Networks.Len())
		for n := range snap.Networks.Values() {
			names = append(names, fmt.Sprintf("%q", n.NameLabel))
		}
		slices.Sort(names)
		diags.AddAttributeError(attr, "Network Not Found",
			fmt.Sprintf("No network of the pool is named %q. Its networks are: %s.", name, strings.Join(slices.Compact(names), ", ")))
	default:
		candidates := make([]string, 0, len(refs))
		for _, ref := range refs {
			n := snap.Networks.Get(ref)
			candidates = append(candidates, fmt.Sprintf("%s (bridge %s)", n.UUID, n.Bridge))
		}
		diags.AddAttributeError(attr, "Ambiguous Network Name",
			fmt.Sprintf("%d networks of the pool are named %q: %s. Rename all but one so the name says which network "+
				"it is, or, for a NIC's network, look it up by device instead.", len(refs), name, strings.Join(candidates, ", ")))
	}
	return "", false
}

// networkOfDevice finds the pool-wide network of a NIC: the one network
// that every host's physical PIF of that device is on. XenServer puts each
// NIC of a joining host on the network of the same device on the master,
// so the hosts agree unless someone has forgotten and reintroduced a PIF.
func networkOfDevice(snap *poolnet.Snapshot, attr path.Path, device string, diags *diag.Diagnostics) (xenapi.Ref, bool) {
	type hostNIC struct {
		host    xenapi.Ref
		network xenapi.Ref
	}
	var nics []hostNIC
	var lacking []xenapi.Ref
	nonPhysical := false
	for _, host := range snap.HostRefs() {
		_, p, ok := snap.DevicePIF(host, device)
		switch {
		case ok && p.Physical:
			nics = append(nics, hostNIC{host, p.Network})
		case ok:
			nonPhysical = true
			lacking = append(lacking, host)
		default:
			lacking = append(lacking, host)
		}
	}
	if len(nics) == 0 {
		detail := fmt.Sprintf("No host of the pool has a NIC named %q. The pool master's NICs are: %s.",
			device, strings.Join(snap.Devices(snap.Pool.Master, true), ", "))
		if nonPhysical {
			detail = fmt.Sprintf("%q is not a NIC but a bond master or other virtual PIF, whose network has no "+
				"device of its own: look that network up by name_label instead.", device)
		}
		diags.AddAttributeError(attr, "NIC Not Found", detail)
		return "", false
	}
	if len(lacking) > 0 {
		diags.AddAttributeError(attr, "NIC Not On Every Host",
			fmt.Sprintf("NIC %q is missing from %s, so it has no pool-wide network. Look the network up by "+
				"name_label instead, or give every host the NIC.", device, hostList(snap, lacking)))
		return "", false
	}
	for _, nic := range nics[1:] {
		if nic.network != nics[0].network {
			parts := make([]string, 0, len(nics))
			for _, each := range nics {
				n := snap.Networks.Get(each.network)
				parts = append(parts, fmt.Sprintf("on %q it is on %q (%s)", snap.Hosts.Get(each.host).NameLabel, n.NameLabel, n.UUID))
			}
			diags.AddAttributeError(attr, "Hosts Disagree on the NIC's Network",
				fmt.Sprintf("NIC %q is not on one network across the pool: %s. Look the network up by name_label "+
					"instead.", device, strings.Join(parts, "; ")))
			return "", false
		}
	}
	return nics[0].network, true
}
