package provider

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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
	if data != nil && data.client != nil {
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

// drifted returns the first of the values that differs from prior, or prior
// when none does. Read reports an MTU this way: a network MTU changed by
// hand, or a PIF that has not taken its network's MTU, both show in the
// plan, and apply sets the MTU and replugs. On import prior is zero and the
// network's MTU, given first, is the one reported.
func drifted(prior int64, values ...int64) int64 {
	for _, v := range values {
		if v != prior {
			return v
		}
	}
	return prior
}
