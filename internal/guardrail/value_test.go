package guardrail

import "testing"

func TestValue(t *testing.T) {
	t.Run("the zero value is unknown, so a forgotten field is never read as a default", func(t *testing.T) {
		var v Value[int64]
		if !v.IsUnknown() || v.IsKnown() || v.IsNull() {
			t.Errorf("zero Value: unknown %v known %v null %v", v.IsUnknown(), v.IsKnown(), v.IsNull())
		}
		if _, ok := v.GetOr(1500); ok {
			t.Error("GetOr on an unknown value reported ok")
		}
	})
	t.Run("null reads as the default", func(t *testing.T) {
		got, ok := Null[int64]().GetOr(1500)
		if !ok || got != 1500 {
			t.Errorf("GetOr = %d, %v; want 1500, true", got, ok)
		}
		if _, ok := Null[int64]().Get(); ok {
			t.Error("Get on a null value reported ok")
		}
	})
	t.Run("known reads as itself, even when it is the zero value", func(t *testing.T) {
		got, ok := Known[int64](0).GetOr(1500)
		if !ok || got != 0 {
			t.Errorf("GetOr = %d, %v; want 0, true", got, ok)
		}
	})
	t.Run("String says what Terraform would show", func(t *testing.T) {
		for v, want := range map[Value[int64]]string{Known[int64](9000): "9000", Null[int64](): "null", Unknown[int64](): "(known after apply)"} {
			if got := v.String(); got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
		}
	})
}
