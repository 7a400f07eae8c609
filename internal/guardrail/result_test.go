package guardrail

import (
	"slices"
	"testing"
)

func TestResult(t *testing.T) {
	warned := CheckBond(Plan, bond(nil), relaxed(BondModeLACP), pool())
	failed := CheckBond(Plan, bond(func(b *Bond) {
		b.Management, b.MTU, b.Mode = Known(true), Known[int64](9000), Known(BondModeActiveBackup)
	}), relaxed(BondModeLACP), pool())
	open := CheckNetwork(Validate, Network{MTU: Unknown[int64]()})

	t.Run("a warning alone is no error", func(t *testing.T) {
		if warned.HasError() || len(warned.Diagnostics) != 1 {
			t.Errorf("HasError() = %v with %s", warned.HasError(), dump(warned))
		}
	})
	t.Run("errors are errors", func(t *testing.T) {
		if !failed.HasError() {
			t.Errorf("HasError() = false with %s", dump(failed))
		}
	})
	t.Run("diagnostics render on one line with the attribute path", func(t *testing.T) {
		d := Diagnostic{Rule: IDBondMemberFree, Path: memberPath(1), Summary: "S", Detail: "D."}
		if got, want := d.String(), "error bond-member-free at members[1]: S: D."; got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
		if got, want := open.Undecided[0].String(), "undecided mtu-range at mtu: mtu is not known yet."; got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	})
	t.Run("stages name the command the operator runs", func(t *testing.T) {
		got := []string{Validate.String(), Plan.String(), Apply.String(), Warning.String(), Error.String()}
		want := []string{"terraform validate", "terraform plan", "terraform apply", "warning", "error"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}
