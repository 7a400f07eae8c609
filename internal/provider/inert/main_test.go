package main

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	xsnet "github.com/xsnet/terraform-provider-xsnet/internal/provider"
)

// What the plan leaves unknown is made up in the size xapi would give it,
// and what the plan knows is kept.
func TestMadeKnownKeepsThePlanAndMakesUpTheRest(t *testing.T) {
	perHost := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"pif_id": tftypes.String, "mtu": tftypes.Number}}
	vlan := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"id": tftypes.String, "name_label": tftypes.String, "up": tftypes.Bool,
		"hosts": tftypes.Map{ElementType: tftypes.String}, "bonds": tftypes.Map{ElementType: perHost},
		"members": tftypes.List{ElementType: tftypes.String}, "timeouts": tftypes.Object{AttributeTypes: map[string]tftypes.Type{"create": tftypes.String}},
	}}
	planned := tftypes.NewValue(vlan, map[string]tftypes.Value{
		"id":         tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"name_label": tftypes.NewValue(tftypes.String, "VLAN 100"),
		"up":         tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue),
		"hosts":      tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, tftypes.UnknownValue),
		"bonds":      tftypes.NewValue(tftypes.Map{ElementType: perHost}, tftypes.UnknownValue),
		"members":    tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, tftypes.UnknownValue),
		"timeouts":   tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"create": tftypes.String}}, nil),
	})
	got, err := madeKnown(planned, 16)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IsFullyKnown() {
		t.Fatalf("unknowns are left: %s", got)
	}
	var attrs map[string]tftypes.Value
	if err := got.As(&attrs); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := attrs["name_label"].As(&name); err != nil || name != "VLAN 100" {
		t.Errorf("name_label = %q, %v; the plan said VLAN 100", name, err)
	}
	if !attrs["timeouts"].IsNull() {
		t.Errorf("timeouts = %s; the plan left it null", attrs["timeouts"])
	}
	var id string
	if err := attrs["id"].As(&id); err != nil || len(id) != 36 {
		t.Errorf("id = %q, %v; want a string as long as a UUID", id, err)
	}
	for _, m := range []string{"hosts", "bonds"} {
		var entries map[string]tftypes.Value
		if err := attrs[m].As(&entries); err != nil || len(entries) != 16 {
			t.Errorf("%s has %d entries, %v; want one for each of 16 hosts", m, len(entries), err)
		}
	}
}

// The inert provider is xsnet's, as Terraform sees it: the same name, and
// the same resources with the same schemas.
func TestInertServesXsnetsSchemas(t *testing.T) {
	ctx := context.Background()
	real, inert := xsnet.New("test")(), inertProvider{xsnet.New("test")(), 2}
	var realMeta, inertMeta provider.MetadataResponse
	real.Metadata(ctx, provider.MetadataRequest{}, &realMeta)
	inert.Metadata(ctx, provider.MetadataRequest{}, &inertMeta)
	if realMeta.TypeName != inertMeta.TypeName {
		t.Errorf("inert is named %q, xsnet %q", inertMeta.TypeName, realMeta.TypeName)
	}
	describe := func(p provider.Provider) (names []string, schemas []resource.SchemaResponse) {
		for _, newResource := range p.Resources(ctx) {
			r := newResource()
			var meta resource.MetadataResponse
			r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "xsnet"}, &meta)
			var schema resource.SchemaResponse
			r.Schema(ctx, resource.SchemaRequest{}, &schema)
			names, schemas = append(names, meta.TypeName), append(schemas, schema)
		}
		return names, schemas
	}
	realNames, realSchemas := describe(real)
	inertNames, inertSchemas := describe(inert)
	if !slices.Equal(realNames, inertNames) {
		t.Fatalf("inert serves %v, xsnet %v", inertNames, realNames)
	}
	for i := range realSchemas {
		if !realSchemas[i].Schema.Type().Equal(inertSchemas[i].Schema.Type()) || realSchemas[i].Schema.Version != inertSchemas[i].Schema.Version {
			t.Errorf("%s: inert's schema differs from xsnet's", realNames[i])
		}
	}
}
