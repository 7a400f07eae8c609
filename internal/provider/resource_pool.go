package provider

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var (
	_ resource.ResourceWithConfigure   = (*poolResource)(nil)
	_ resource.ResourceWithImportState = (*poolResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*poolResource)(nil)
)

// joinTimeout bounds the wait for one joining host to come up as a live
// pool member.
const joinTimeout = 20 * time.Minute

type poolResource struct {
	data *providerData
}

// NewPoolResource returns the xsnet_pool resource.
func NewPoolResource() resource.Resource { return &poolResource{} }

type poolModel struct {
	ID              types.String `tfsdk:"id"`
	NameLabel       types.String `tfsdk:"name_label"`
	NameDescription types.String `tfsdk:"name_description"`
	Join            types.Map    `tfsdk:"join"`
	Eject           types.Set    `tfsdk:"eject"`
	Master          types.String `tfsdk:"master"`
	Hosts           types.List   `tfsdk:"hosts"`
}

type joinModel struct {
	Username       types.String `tfsdk:"username"`
	Password       types.String `tfsdk:"password"`
	PasswordWO     types.String `tfsdk:"password_wo"`
	TLSFingerprint types.String `tfsdk:"tls_fingerprint"`
}

func (r *poolResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pool"
}

func (r *poolResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The pool the provider is connected to, adopted: creating this resource changes nothing " +
			"but what it is told to, and destroying it only forgets the pool. It names the pool, joins standalone " +
			"hosts to it, and ejects members.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The pool's UUID."),
			"name_label": schema.StringAttribute{
				MarkdownDescription: "Name of the pool. Left out, the pool keeps its name.",
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name_description": schema.StringAttribute{
				MarkdownDescription: "Description of the pool. Left out, the pool keeps its description.",
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"join": schema.MapNestedAttribute{
				MarkdownDescription: "Standalone hosts to join to the pool, by management address. xsnet logs in to " +
					"each, checks at plan time that xapi would accept it (no bonds, no VLANs but management's, the " +
					"pool's network backend), calls `pool.join` on it and waits until it is an enabled, live member. " +
					"A host already in the pool is left alone.",
				Optional: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"username": schema.StringAttribute{
						MarkdownDescription: "User on the joining host. Defaults to `root`.",
						Optional:            true,
						Computed:            true,
						Sensitive:           true,
						Default:             stringdefault.StaticString("root"),
					},
					"password_wo": schema.StringAttribute{
						MarkdownDescription: "Password on the joining host. Write-only: Terraform passes it to xsnet and never " +
							"stores it. Needs Terraform 1.11 or later; give `password` instead where write-only arguments " +
							"are missing, as in OpenTofu 1.10.",
						Optional:   true,
						Sensitive:  true,
						WriteOnly:  true,
						Validators: []validator.String{stringvalidator.ExactlyOneOf(path.MatchRelative().AtParent().AtName("password"))},
					},
					"password": schema.StringAttribute{
						MarkdownDescription: "Password on the joining host, for Terraform and OpenTofu versions without write-only " +
							"arguments. It is kept in the state, marked sensitive: prefer `password_wo` where it works.",
						Optional:  true,
						Sensitive: true,
					},
					"tls_fingerprint": schema.StringAttribute{
						MarkdownDescription: "SHA-256 fingerprint of the joining host's own certificate, when the provider pins one.",
						Optional:            true,
					},
				}},
			},
			"eject": schema.SetAttribute{
				MarkdownDescription: "UUIDs of pool members to eject. An ejected host leaves the pool and becomes a pool " +
					"of its own after it reboots. The master cannot be ejected.",
				ElementType: types.StringType,
				Optional:    true,
			},
			"master": schema.StringAttribute{
				MarkdownDescription: "UUID of the pool master.",
				Computed:            true,
			},
			"hosts": poolHostsResourceSchema(),
		},
	}
}

// poolHostsResourceSchema is the data source's hosts as a computed list of
// objects; see computedObjects.
func poolHostsResourceSchema() schema.ListAttribute {
	ds := poolHostsSchema()
	elem, desc := computedObjects(ds.MarkdownDescription, ds.NestedObject.Attributes)
	return schema.ListAttribute{MarkdownDescription: desc, Computed: true, ElementType: elem}
}

func (r *poolResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// joinClient reaches a host to join the way the provider reaches the pool:
// same scheme and trust, the host's own credentials and fingerprint.
func (r *poolResource) joinClient(address string, j joinModel) (*xenapi.Client, error) {
	cfg := r.data.clientConfig
	base, err := url.Parse(r.data.model.Client().URL())
	if err != nil {
		return nil, err
	}
	cfg.URL = base.Scheme + "://" + address
	cfg.Username = j.Username.ValueString()
	if cfg.Username == "" {
		cfg.Username = "root"
	}
	cfg.Password = j.PasswordWO.ValueString()
	if j.PasswordWO.IsNull() {
		cfg.Password = j.Password.ValueString()
	}
	cfg.TLSFingerprint = j.TLSFingerprint.ValueString()
	return xenapi.NewClient(cfg)
}

func (r *poolResource) joins(ctx context.Context, m poolModel, diags *diag.Diagnostics) map[string]joinModel {
	joins := map[string]joinModel{}
	if !m.Join.IsNull() && !m.Join.IsUnknown() {
		diags.Append(m.Join.ElementsAs(ctx, &joins, false)...)
	}
	return joins
}

func (r *poolResource) ejects(ctx context.Context, m poolModel, diags *diag.Diagnostics) []string {
	var ejects []string
	if !m.Eject.IsNull() && !m.Eject.IsUnknown() {
		diags.Append(m.Eject.ElementsAs(ctx, &ejects, false)...)
	}
	return ejects
}

// check runs the guardrails on every host still to join, reading each one,
// and refuses ejecting the master or a host that is also to join.
func (r *poolResource) check(ctx context.Context, at guardrail.Stage, m poolModel, snap *poolnet.Snapshot, diags *diag.Diagnostics) (pending bool) {
	facts := snap.Facts()
	facts.JoiningHosts = map[string]guardrail.JoiningHost{}
	joins := r.joins(ctx, m, diags)
	addresses := make([]string, 0, len(joins))
	for a := range joins {
		addresses = append(addresses, a)
	}
	sort.Strings(addresses)
	for _, address := range addresses {
		if _, _, ok := snap.HostByAddress(address); ok {
			continue
		}
		j := joins[address]
		if j.PasswordWO.IsUnknown() || j.Password.IsUnknown() {
			pending = true
			continue // the guardrail stays undecided until apply
		}
		joiner, err := r.joinClient(address, j)
		joined := false
		if err == nil {
			var hs *poolnet.Snapshot
			if hs, err = poolnet.NewModel(joiner, poolnet.Options{}).Snapshot(ctx); err == nil {
				// A member answers for its pool: the address the host
				// was reached at need not be the one xapi records.
				joined = hs.Pool.UUID == snap.Pool.UUID
				facts.JoiningHosts[address] = hs.JoiningHostFacts()
			}
			_ = joiner.Logout(ctx)
		}
		if joined {
			continue
		}
		pending = true
		if err != nil {
			diags.AddAttributeError(path.Root("join").AtMapKey(address), "Cannot Reach Host to Join",
				fmt.Sprintf("xsnet logs in to %s to check that xapi would let it join, and could not: %v. "+
					"Check the address, username and password.", address, err))
			continue
		}
		res := guardrail.CheckPoolJoin(at, guardrail.PoolJoin{Address: guardrail.Known(address)}, facts)
		for i := range res.Diagnostics {
			res.Diagnostics[i].Path = []string{"join", address}
		}
		addGuardrailDiagnostics(res, diags)
		if res.HasError() {
			continue
		}
		// Where the host's management lands once it takes the pool's
		// bonds is judged with the rest of the plan.
		change := poolnet.Change{Kind: poolnet.Create, Join: &poolnet.JoinChange{Address: address, Host: facts.JoiningHosts[address]}}
		if at == guardrail.Apply {
			r.data.checkApply(ctx, change, diags)
		} else {
			r.data.judge(ctx, change, false, diags)
		}
	}
	for _, uuid := range r.ejects(ctx, m, diags) {
		ref, h, ok := snap.HostByUUID(uuid)
		if !ok {
			continue
		}
		if ref == snap.Pool.Master {
			diags.AddAttributeError(path.Root("eject"), "Cannot Eject the Pool Master",
				fmt.Sprintf("eject lists %s, the pool master. xapi refuses to eject the master: designate another "+
					"host as master first, then eject this one.", h.NameLabel))
		}
		if _, ok := joins[h.Address]; ok {
			diags.AddAttributeError(path.Root("eject"), "Host Both Joined and Ejected",
				fmt.Sprintf("Host %s (%s) is in both join and eject. Keep it in one of them.", h.NameLabel, h.Address))
		}
		pending = true
	}
	return pending
}

func (r *poolResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var cfg, plan poolModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	snap, ok := r.data.snapshot(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	if r.check(ctx, guardrail.Plan, cfg, snap, &resp.Diagnostics) {
		plan.Hosts = types.ListUnknown(types.ObjectType{AttrTypes: poolHostAttrTypes})
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
	}
}

// apply names the pool, then joins and ejects hosts. Write-only passwords
// are read from the configuration: they are never in the plan.
func (r *poolResource) apply(ctx context.Context, cfg, plan poolModel, diags *diag.Diagnostics) {
	m := r.data.model
	snap, ok := r.data.snapshot(ctx, diags)
	if !ok {
		return
	}
	r.check(ctx, guardrail.Apply, cfg, snap, diags)
	if diags.HasError() {
		return
	}
	if v := plan.NameLabel; !v.IsUnknown() && !v.IsNull() {
		if err := m.SetPoolNameLabel(ctx, v.ValueString()); err != nil {
			diags.AddAttributeError(path.Root("name_label"), "Cannot Name the Pool", err.Error())
			return
		}
	}
	if v := plan.NameDescription; !v.IsUnknown() && !v.IsNull() {
		if err := m.SetPoolNameDescription(ctx, v.ValueString()); err != nil {
			diags.AddAttributeError(path.Root("name_description"), "Cannot Describe the Pool", err.Error())
			return
		}
	}
	joins := r.joins(ctx, cfg, diags)
	addresses := make([]string, 0, len(joins))
	for a := range joins {
		addresses = append(addresses, a)
	}
	sort.Strings(addresses)
	for _, address := range addresses {
		joiner, err := r.joinClient(address, joins[address])
		if err == nil {
			jctx, cancel := context.WithTimeout(ctx, joinTimeout)
			err = m.JoinHost(jctx, joiner, address, r.data.clientConfig.Username, r.data.clientConfig.Password)
			cancel()
		}
		if err != nil {
			diags.AddAttributeError(path.Root("join").AtMapKey(address), "Cannot Join Host", err.Error())
			return
		}
	}
	for _, uuid := range r.ejects(ctx, plan, diags) {
		if err := m.EjectHost(ctx, uuid); err != nil {
			diags.AddAttributeError(path.Root("eject"), "Cannot Eject Host", err.Error())
			return
		}
	}
}

func (r *poolResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var cfg, plan poolModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	r.apply(ctx, cfg, plan, &resp.Diagnostics)
	r.setState(ctx, plan, &resp.State, &resp.Diagnostics)
}

func (r *poolResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var prior poolModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	r.setState(ctx, prior, &resp.State, &resp.Diagnostics)
}

func (r *poolResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var cfg, plan poolModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	r.apply(ctx, cfg, plan, &resp.Diagnostics)
	r.setState(ctx, plan, &resp.State, &resp.Diagnostics)
}

// Delete forgets the pool: xsnet adopted it and does not take it apart.
func (r *poolResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

func (r *poolResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !uuidPattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid Import ID",
			"Import the pool by its UUID (`xe pool-list params=uuid` prints it); got "+quote(req.ID)+".")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), types.StringValue(req.ID))...)
}

// setState records the pool as it is now, keeping join and eject as
// configured: they are requests, not properties of the pool. Whatever an
// apply managed before an error is in the pool, and so in the state.
func (r *poolResource) setState(ctx context.Context, m poolModel, state stateSetter, diags *diag.Diagnostics) {
	snap, ok := r.data.snapshot(ctx, diags)
	if !ok {
		return
	}
	if !m.ID.IsNull() && !m.ID.IsUnknown() && m.ID.ValueString() != snap.Pool.UUID {
		diags.AddError("Different Pool",
			fmt.Sprintf("This resource adopted pool %s, but the provider is connected to pool %s. "+
				"Point the provider at the adopted pool, or remove this resource from the state.", m.ID.ValueString(), snap.Pool.UUID))
		return
	}
	hosts, d := poolHostsValue(snap)
	diags.Append(d...)
	m.ID = types.StringValue(snap.Pool.UUID)
	m.NameLabel = types.StringValue(snap.Pool.NameLabel)
	m.NameDescription = types.StringValue(snap.Pool.NameDescription)
	m.Master = types.StringValue(snap.Hosts.Get(snap.Pool.Master).UUID)
	m.Hosts = hosts
	if m.Join.IsUnknown() {
		m.Join = types.MapNull(types.ObjectType{AttrTypes: map[string]attr.Type{
			"username": types.StringType, "password": types.StringType, "password_wo": types.StringType, "tls_fingerprint": types.StringType}})
	}
	diags.Append(state.Set(ctx, m)...)
}

type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}
