package provider

import (
	"context"
	"strconv"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
)

// guardrailsModel is the provider's guardrails block.
type guardrailsModel struct {
	AllowedBondModes types.List `tfsdk:"allowed_bond_modes"`
}

// policyOf reads the guardrails policy from the provider configuration: the
// default without a guardrails block, unknown while any allowed mode is.
func policyOf(ctx context.Context, g *guardrailsModel) guardrail.Policy {
	if g == nil || g.AllowedBondModes.IsNull() {
		return guardrail.DefaultPolicy()
	}
	if g.AllowedBondModes.IsUnknown() {
		return guardrail.Policy{AllowedBondModes: guardrail.Unknown[[]string]()}
	}
	var modes []types.String
	_ = g.AllowedBondModes.ElementsAs(ctx, &modes, false)
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

// attributePath turns a guardrail path such as ["guardrails",
// "allowed_bond_modes", "1"] into a Terraform attribute path. Bond members
// are a set, whose elements have no index: the set itself is blamed.
func attributePath(steps []string) (path.Path, bool) {
	if len(steps) == 0 {
		return path.Empty(), false
	}
	p := path.Root(steps[0])
	for _, s := range steps[1:] {
		if i, err := strconv.Atoi(s); err == nil {
			if steps[0] == guardrail.AttrMembers {
				break
			}
			p = p.AtListIndex(i)
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

func gStrings(ctx context.Context, v types.Set) guardrail.Value[[]guardrail.Value[string]] {
	switch {
	case v.IsUnknown():
		return guardrail.Unknown[[]guardrail.Value[string]]()
	case v.IsNull():
		return guardrail.Null[[]guardrail.Value[string]]()
	}
	var elems []types.String
	_ = v.ElementsAs(ctx, &elems, false)
	out := make([]guardrail.Value[string], len(elems))
	for i, e := range elems {
		out[i] = gString(e)
	}
	return guardrail.Known(out)
}
