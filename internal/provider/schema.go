package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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

// describedField is one field of the objects a computed attribute holds.
type describedField interface {
	GetType() attr.Type
	GetMarkdownDescription() string
}

// computedObjects returns the type of the objects a computed attribute
// holds, and its description followed by each field's. Such an attribute is
// a plain attribute of object type, not a nested attribute: OpenTofu 1.10
// crashes writing configuration (`plan -generate-config-out`) for a
// resource with a computed-only nested attribute.
func computedObjects[F describedField](description string, fields map[string]F) (types.ObjectType, string) {
	attrTypes := make(map[string]attr.Type, len(fields))
	var b strings.Builder
	b.WriteString(description)
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		attrTypes[name] = fields[name].GetType()
		b.WriteString(" `" + name + "`: " + fields[name].GetMarkdownDescription())
	}
	return types.ObjectType{AttrTypes: attrTypes}, b.String()
}

// computedObjectMap is a computed map of objects, by host UUID for
// instance; see computedObjects.
func computedObjectMap(description string, fields map[string]schema.Attribute) schema.MapAttribute {
	elem, desc := computedObjects(description, fields)
	return schema.MapAttribute{MarkdownDescription: desc, Computed: true, ElementType: elem}
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

// The next step an operator takes after a failed update or destroy.
const (
	updateNextStep  = " The state holds what the pool has now: run terraform apply again to go on from there."
	destroyNextStep = " It stays in Terraform's state: run terraform destroy (or apply) again to go on from where this stopped."
)

// knownOr is v, or def where v is not known yet: what a create that could
// not read back records for a computed value.
func knownOr(v types.String, def string) types.String {
	if v.IsUnknown() {
		return types.StringValue(def)
	}
	return v
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

// defaultOperationTimeout bounds a pool-wide create, update or destroy
// unless the resource's timeouts block says otherwise: a pool of many
// hosts, each bonded or replugged in turn, takes minutes.
const defaultOperationTimeout = 20 * time.Minute

// bounded is ctx bounded by one of a timeouts block's limits.
func bounded(ctx context.Context, limit func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, dd := limit(ctx, defaultOperationTimeout)
	diags.Append(dd...)
	return context.WithTimeout(ctx, d)
}
