// Package guardrail holds xsnet's guardrails: the rules that refuse a
// XenServer network configuration known to take hosts or traffic down,
// before any change reaches the pool.
//
// The rules are pure functions over plain Go values. They make no XenAPI
// calls and know nothing of Terraform, so the same rule serves
// `terraform validate` (configuration alone, no pool), `terraform plan`
// (configuration plus the pool's Facts), the last check before apply, and
// the documentation (Rules).
//
// A value that is not known yet, such as a module variable at validate or
// another resource's attribute at plan, is a Value in the Unknown state. A
// rule that needs it does not pass silently: it is reported in
// Result.Undecided, and the caller runs the check again at the next Stage.
// At Apply, whatever is still undecided becomes an error, so nothing reaches
// the pool unchecked.
package guardrail

//go:generate go run ./internal/guide -o ../provider/templates/guides/guardrails.md.tmpl
