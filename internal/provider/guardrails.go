package provider

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
)

// guardrailsModel is the provider's guardrails block.
type guardrailsModel struct {
	AllowedBondModes types.List `tfsdk:"allowed_bond_modes"`
}

// policyOf reads the guardrails policy from the provider configuration: the
// default without a guardrails block, unknown while any allowed mode is.
func policyOf(g *guardrailsModel) guardrail.Policy {
	if g == nil || g.AllowedBondModes.IsNull() {
		return guardrail.DefaultPolicy()
	}
	if g.AllowedBondModes.IsUnknown() {
		return guardrail.Policy{AllowedBondModes: guardrail.Unknown[[]string]()}
	}
	modes := stringElements(g.AllowedBondModes)
	out := make([]string, 0, len(modes))
	for _, m := range modes {
		if m.IsUnknown() {
			return guardrail.Policy{AllowedBondModes: guardrail.Unknown[[]string]()}
		}
		out = append(out, m.ValueString())
	}
	return guardrail.Policy{AllowedBondModes: guardrail.Known(out)}
}

// validationPolicy hands the provider's guardrails policy to resources at
// `terraform validate`, where no resource is configured: Terraform validates
// a provider block before the resources that use it, in the same provider
// process, and the resources read what it found. Without a provider block
// Terraform validates none, and the policy is the default.
type validationPolicy struct {
	mu     sync.Mutex
	policy *guardrail.Policy
}

func (v *validationPolicy) set(p guardrail.Policy) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.policy = &p
}

func (v *validationPolicy) get() guardrail.Policy {
	if v == nil {
		return guardrail.DefaultPolicy()
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.policy == nil {
		return guardrail.DefaultPolicy()
	}
	return *v.policy
}

// addGuardrailDiagnostics reports what a check found, each diagnostic on
// the attribute it blames.
func addGuardrailDiagnostics(res guardrail.Result, diags *diag.Diagnostics) {
	for _, d := range res.Diagnostics {
		summary := d.Summary
		detail := d.Detail + " (xsnet guardrail " + d.Rule + ")"
		p, ok := attributePath(d.Path)
		switch {
		case !ok && d.Severity == guardrail.Warning:
			diags.AddWarning(summary, detail)
		case !ok:
			diags.AddError(summary, detail)
		case d.Severity == guardrail.Warning:
			diags.AddAttributeWarning(p, summary, detail)
		default:
			diags.AddAttributeError(p, summary, detail)
		}
	}
}

// unchangedNote ends each guardrail finding on a plan that changes
// nothing of its resource.
const unchangedNote = " This plan changes nothing of the resource, so xsnet warns rather than refuses: the pool is so " +
	"already, and a refusal would change nothing but stop terraform destroy, which plans every resource as it stands " +
	"before it destroys anything."

// planFindings is what ModifyPlan reports of a guardrail check: the
// findings as they are or, for a plan that changes nothing of its
// resource, each error as a warning that says why. Such a plan makes no
// call to xapi, so a refusal protects nothing, and terraform destroy
// plans every resource that way first: drift in the pool must not stop a
// destroy.
func planFindings(res guardrail.Result, unchanged bool) guardrail.Result {
	if !unchanged {
		return res
	}
	out := guardrail.Result{Undecided: res.Undecided}
	for _, d := range res.Diagnostics {
		if d.Severity == guardrail.Error {
			d.Severity = guardrail.Warning
			d.Detail += unchangedNote
		}
		out.Diagnostics = append(out.Diagnostics, d)
	}
	return out
}

// attributePath turns a guardrail path such as ["guardrails",
// "allowed_bond_modes", "1"] into a Terraform attribute path. A step after
// "join" or "addresses" is a map key: the address of a host to join, a
// host's name or UUID.
func attributePath(steps []string) (path.Path, bool) {
	if len(steps) == 0 {
		return path.Empty(), false
	}
	p := path.Root(steps[0])
	for i, s := range steps[1:] {
		if steps[i] == "join" || steps[i] == guardrail.AttrAddresses {
			p = p.AtMapKey(s)
			continue
		}
		if n, err := strconv.Atoi(s); err == nil {
			p = p.AtListIndex(n)
			continue
		}
		p = p.AtName(s)
	}
	return p, true
}

// Conversions from Terraform values to the guardrails' three-state values.

func gString(v types.String) guardrail.Value[string] {
	switch {
	case v.IsUnknown():
		return guardrail.Unknown[string]()
	case v.IsNull():
		return guardrail.Null[string]()
	}
	return guardrail.Known(v.ValueString())
}

func gInt(v types.Int64) guardrail.Value[int64] {
	switch {
	case v.IsUnknown():
		return guardrail.Unknown[int64]()
	case v.IsNull():
		return guardrail.Null[int64]()
	}
	return guardrail.Known(v.ValueInt64())
}

func gBool(v types.Bool) guardrail.Value[bool] {
	switch {
	case v.IsUnknown():
		return guardrail.Unknown[bool]()
	case v.IsNull():
		return guardrail.Null[bool]()
	}
	return guardrail.Known(v.ValueBool())
}

func gStrings(v types.List) guardrail.Value[[]guardrail.Value[string]] {
	switch {
	case v.IsUnknown():
		return guardrail.Unknown[[]guardrail.Value[string]]()
	case v.IsNull():
		return guardrail.Null[[]guardrail.Value[string]]()
	}
	elems := stringElements(v)
	out := make([]guardrail.Value[string], len(elems))
	for i, e := range elems {
		out[i] = gString(e)
	}
	return guardrail.Known(out)
}

// knownStrings is a list of values as one value: known when every element
// is, so that a plan with one member still unknown leaves the bond's
// membership open.
func knownStrings(v guardrail.Value[[]guardrail.Value[string]]) guardrail.Value[[]string] {
	elems, ok := v.Get()
	if !ok {
		if v.IsNull() {
			return guardrail.Null[[]string]()
		}
		return guardrail.Unknown[[]string]()
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		s, ok := e.Get()
		if !ok {
			return guardrail.Unknown[[]string]()
		}
		out[i] = s
	}
	return guardrail.Known(out)
}

// judge records a resource's planned change in the model's plan ledger and
// reports what the end-state guardrails say of it, and what it moves. A
// plan that changes nothing of its resource (unchanged) warns of what
// stands in the pool already (see planFindings), and refuses what
// another change of the plan causes: a parent lowered under its
// unchanged VLAN. ok is false when the pool could not be
// read.
func (d *providerData) judge(ctx context.Context, c poolnet.Change, unchanged bool, diags *diag.Diagnostics) (poolnet.Judgement, bool) {
	j, err := d.model.Plan(ctx, c)
	if err != nil {
		diags.AddError("Cannot Read the Pool", "xsnet judges every plan against the pool as it is, and could not read it: "+err.Error())
		return j, false
	}
	j.Result = planFindings(j.Result, unchanged && j.Standing)
	addGuardrailDiagnostics(j.Result, diags)
	if len(j.Moves) > 0 {
		diags.AddWarning("Bonding Moves What Is On The Members",
			strings.Join(j.Moves, " ")+" An xsnet_vlan whose parent_network_id names a member's network keeps working: "+
				"xsnet reads the bond as its parent from then on, and parent_network_id may be changed to the bond's id "+
				"without replacing the VLAN.")
	}
	return j, true
}

// checkApply judges a change against the pool just before it is applied,
// and reports false when a guardrail refuses it.
func (d *providerData) checkApply(ctx context.Context, c poolnet.Change, diags *diag.Diagnostics) bool {
	j, err := d.model.CheckApply(ctx, c)
	if err != nil {
		diags.AddError("Cannot Read the Pool", "xsnet checks the guardrails against the pool before it changes anything, and could not read it: "+err.Error())
		return false
	}
	addGuardrailDiagnostics(j.Result, diags)
	return !j.HasError()
}

// stringElements are a list of strings' elements, each in its three
// states. The schema makes every element a string, so nothing is lost that
// ElementsAs would report.
func stringElements(v types.List) []types.String {
	out := make([]types.String, 0, len(v.Elements()))
	for _, e := range v.Elements() {
		if s, ok := e.(types.String); ok {
			out = append(out, s)
		}
	}
	return out
}

// knownStringElements are a list of strings' known elements.
func knownStringElements(v types.List) []string {
	var out []string
	for _, s := range stringElements(v) {
		if !s.IsNull() && !s.IsUnknown() {
			out = append(out, s.ValueString())
		}
	}
	return out
}
