package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Attributes every network-making resource shares.

func idAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

func nameDescriptionAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "Description of the network.",
		Optional:            true,
		Computed:            true,
		Default:             stringdefault.StaticString(""),
	}
}

// defaultMTU is Ethernet's, and the only MTU a management interface may use.
const defaultMTU = 1500

func mtuAttribute(description string) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: description + " XenCenter allows 1500 to 9216. Defaults to 1500.",
		Optional:            true,
		Computed:            true,
		Default:             int64default.StaticInt64(defaultMTU),
	}
}

func bridgeAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "The bridge XenServer made for the network on each host, such as `xapi3`.",
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// requireClient reports whether Configure handed over a client, and says
// what to do when it did not.
func requireClient(data *providerData, diags *diag.Diagnostics) bool {
	if data != nil && data.model != nil {
		return true
	}
	diags.AddError("Provider Not Configured",
		"xsnet has no connection to a pool. Configure the provider with host, username and password, "+
			"or the XENSERVER_HOST, XENSERVER_USERNAME and XENSERVER_PASSWORD environment variables.")
	return false
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// importByUUID imports an object by the UUID of its network, which is what
// `xe network-list` and XenCenter show.
func importByUUID(ctx context.Context, kind string, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !uuidPattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid Import ID",
			"Import a "+kind+" by the UUID of its network, such as 3f6c1a3e-5c0b-4d7e-9f6a-2b1e0c9d8a7f "+
				"(`xe network-list name-label=<name> params=uuid` prints it); got "+quote(req.ID)+".")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), types.StringValue(req.ID))...)
}

func quote(s string) string { return "\"" + s + "\"" }

// hostMTU is the MTU in effect on one host's PIF of a network.
type hostMTU struct {
	host string
	mtu  int64
}

// mixedMTU is what Read reports as the MTU of a network whose PIFs do not
// all have the network's MTU: a value no configuration can hold, so that
// every plan shows the difference and apply sets the MTU and replugs,
// and the same on every refresh until it does.
const mixedMTU = 0

// effectiveMTU is the MTU Read reports: the network's, when every PIF on
// it has taken it; mixedMTU, with a warning that says where it differs,
// when a PIF has not (an MTU changed by hand and not plugged yet, or an
// apply interrupted half-way).
func effectiveMTU(name string, network int64, pifs []hostMTU, diags *diag.Diagnostics) int64 {
	var differ []string
	for _, p := range pifs {
		if p.mtu != network {
			differ = append(differ, fmt.Sprintf("%d on host %s", p.mtu, p.host))
		}
	}
	if len(differ) == 0 {
		return network
	}
	diags.AddWarning("MTU Differs Across The Pool",
		fmt.Sprintf("Network %q has MTU %d, but its PIFs have %s: the state shows mtu = %d until they agree. "+
			"terraform apply sets the configured MTU and plugs each PIF again so that it takes effect.",
			name, network, strings.Join(differ, ", "), mixedMTU))
	return mixedMTU
}
