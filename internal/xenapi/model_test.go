package xenapi

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// wrapperCalls invokes every typed wrapper and generic reader once. A
// wrapper added to Client without an entry here fails
// TestEveryWrapperIsChecked.
var wrapperCalls = map[string]func(ctx context.Context, c *Client) error{
	"NetworkCreate": func(ctx context.Context, c *Client) error {
		_, err := c.NetworkCreate(ctx, Network{NameLabel: "vm traffic", MTU: 9000, Tags: []string{"xsnet"}})
		return err
	},
	"NetworkDestroy": func(ctx context.Context, c *Client) error { return c.NetworkDestroy(ctx, "OpaqueRef:n") },
	"NetworkSetMTU":  func(ctx context.Context, c *Client) error { return c.NetworkSetMTU(ctx, "OpaqueRef:n", 9000) },
	"NetworkSetNameLabel": func(ctx context.Context, c *Client) error {
		return c.NetworkSetNameLabel(ctx, "OpaqueRef:n", "label")
	},
	"NetworkSetNameDescription": func(ctx context.Context, c *Client) error {
		return c.NetworkSetNameDescription(ctx, "OpaqueRef:n", "description")
	},
	"NetworkSetOtherConfig": func(ctx context.Context, c *Client) error {
		return c.NetworkSetOtherConfig(ctx, "OpaqueRef:n", map[string]string{"k": "v"})
	},
	"NetworkAddToOtherConfig": func(ctx context.Context, c *Client) error {
		return c.NetworkAddToOtherConfig(ctx, "OpaqueRef:n", "k", "v")
	},
	"NetworkRemoveFromOtherConfig": func(ctx context.Context, c *Client) error {
		return c.NetworkRemoveFromOtherConfig(ctx, "OpaqueRef:n", "k")
	},
	"BondCreate": func(ctx context.Context, c *Client) error {
		_, err := c.BondCreate(ctx, "OpaqueRef:n", []Ref{"OpaqueRef:p1", "OpaqueRef:p2"}, "", BondModeBalanceSLB, nil)
		return err
	},
	"BondDestroy": func(ctx context.Context, c *Client) error { return c.BondDestroy(ctx, "OpaqueRef:b") },
	"BondSetMode": func(ctx context.Context, c *Client) error {
		return c.BondSetMode(ctx, "OpaqueRef:b", BondModeActiveBackup)
	},
	"BondSetProperty": func(ctx context.Context, c *Client) error {
		return c.BondSetProperty(ctx, "OpaqueRef:b", "lacp-time", "fast")
	},
	"VLANCreate": func(ctx context.Context, c *Client) error {
		_, err := c.VLANCreate(ctx, "OpaqueRef:p", 100, "OpaqueRef:n")
		return err
	},
	"VLANDestroy": func(ctx context.Context, c *Client) error { return c.VLANDestroy(ctx, "OpaqueRef:v") },
	"PoolCreateVLANFromPIF": func(ctx context.Context, c *Client) error {
		_, err := c.PoolCreateVLANFromPIF(ctx, "OpaqueRef:p", "OpaqueRef:n", 100)
		return err
	},
	"PIFPlug":   func(ctx context.Context, c *Client) error { return c.PIFPlug(ctx, "OpaqueRef:p") },
	"PIFUnplug": func(ctx context.Context, c *Client) error { return c.PIFUnplug(ctx, "OpaqueRef:p") },
	"PIFReconfigureIP": func(ctx context.Context, c *Client) error {
		return c.PIFReconfigureIP(ctx, "OpaqueRef:p", IPConfigurationStatic, "10.0.0.2", "255.255.255.0", "10.0.0.1", "10.0.0.1")
	},
	"PIFSetDisallowUnplug": func(ctx context.Context, c *Client) error {
		return c.PIFSetDisallowUnplug(ctx, "OpaqueRef:p", true)
	},
	"PIFAddToOtherConfig": func(ctx context.Context, c *Client) error {
		return c.PIFAddToOtherConfig(ctx, "OpaqueRef:p", "management_purpose", "Storage")
	},
	"PIFRemoveFromOtherConfig": func(ctx context.Context, c *Client) error {
		return c.PIFRemoveFromOtherConfig(ctx, "OpaqueRef:p", "management_purpose")
	},
	"PoolAddToOtherConfig": func(ctx context.Context, c *Client) error {
		return c.PoolAddToOtherConfig(ctx, "OpaqueRef:pool", "k", "v")
	},
	"PoolRemoveFromOtherConfig": func(ctx context.Context, c *Client) error {
		return c.PoolRemoveFromOtherConfig(ctx, "OpaqueRef:pool", "k")
	},
	"HostManagementReconfigure": func(ctx context.Context, c *Client) error {
		return c.HostManagementReconfigure(ctx, "OpaqueRef:p")
	},
	"PoolManagementReconfigure": func(ctx context.Context, c *Client) error {
		return c.PoolManagementReconfigure(ctx, "OpaqueRef:n")
	},
	"PoolSetNameLabel": func(ctx context.Context, c *Client) error {
		return c.PoolSetNameLabel(ctx, "OpaqueRef:pool", "label")
	},
	"PoolSetNameDescription": func(ctx context.Context, c *Client) error {
		return c.PoolSetNameDescription(ctx, "OpaqueRef:pool", "description")
	},
	"PoolJoin": func(ctx context.Context, c *Client) error {
		return c.PoolJoin(ctx, "10.0.0.1", "root", "master-password")
	},
	"PoolEject":   func(ctx context.Context, c *Client) error { return c.PoolEject(ctx, "OpaqueRef:h") },
	"HostDisable": func(ctx context.Context, c *Client) error { return c.HostDisable(ctx, "OpaqueRef:h") },
	"HostEnable":  func(ctx context.Context, c *Client) error { return c.HostEnable(ctx, "OpaqueRef:h") },
	"HostReboot":  func(ctx context.Context, c *Client) error { return c.HostReboot(ctx, "OpaqueRef:h") },
	"EventFrom": func(ctx context.Context, c *Client) error {
		_, err := c.EventFrom(ctx, []string{"network", "PIF"}, "", 0)
		return err
	},
	"EventsFrom": func(ctx context.Context, c *Client) error {
		_, err := c.EventsFrom(ctx, []string{"network", "PIF"}, "", 0, nil, func(Event) error { return nil })
		return err
	},
	"Logout": func(ctx context.Context, c *Client) error { return c.Logout(ctx) },
}

// readerCalls invokes the generic readers for every record type.
func readerCalls(ctx context.Context, c *Client) error {
	return firstErr(
		readAll[Pool](ctx, c), readAll[Host](ctx, c), readAll[HostMetrics](ctx, c),
		readAll[Network](ctx, c), readAll[PIF](ctx, c), readAll[PIFMetrics](ctx, c),
		readAll[Bond](ctx, c), readAll[VLAN](ctx, c), readAll[Task](ctx, c),
	)
}

func readAll[T Record](ctx context.Context, c *Client) error {
	all, err := GetAllRecords[T](ctx, c)
	if err != nil {
		return err
	}
	if len(all) != 1 {
		return fmt.Errorf("GetAllRecords: %d records, want the fake's 1", len(all))
	}
	if _, err := GetRecord[T](ctx, c, "OpaqueRef:x"); err != nil {
		return err
	}
	_, err = GetByUUID[T](ctx, c, "2d3b4c5e-0000-0000-0000-000000000000")
	return err
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// TestMessagesMatchDataModel sends every message the client uses through a
// recording server and holds each call to xapi's data model: the method
// must exist (with "Async." stripped), the parameter count must be the
// model's, and each parameter must carry its type, enums one of the
// model's values and records only the class's fields.
func TestMessagesMatchDataModel(t *testing.T) {
	f := newFake(t)
	c := f.client(t, func(cfg *Config) { cfg.Protocol = ProtocolJSONRPC })
	ctx := context.Background()
	if err := c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	for name, call := range wrapperCalls {
		if name == "Logout" {
			continue
		}
		if err := call(ctx, c); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := readerCalls(ctx, c); err != nil {
		t.Errorf("readers: %v", err)
	}
	if err := wrapperCalls["Logout"](ctx, c); err != nil {
		t.Errorf("Logout: %v", err)
	}

	seen := map[string]bool{}
	for _, call := range f.recorded() {
		seen[call.Method] = true
		if err := checkCall(call.Method, call.Params); err != nil {
			t.Error(err)
		}
	}
	// The test must have seen the calls it claims to check.
	for _, m := range []string{"session.login_with_password", "session.logout", "network.create", "Async.Bond.create",
		"task.get_status", "task.get_result", "task.destroy", "event.from", "PIF.get_all_records", "VLAN.get_by_uuid"} {
		if !seen[m] {
			t.Errorf("no %s call was recorded", m)
		}
	}
}

// TestModelCheckerCatchesMistakes shows that the check above fails on a
// wrong name, count or type: the mistakes a rename in xapi, or a typo
// here, would make.
func TestModelCheckerCatchesMistakes(t *testing.T) {
	s := "OpaqueRef:s"
	tests := []struct {
		method string
		params []any
		want   string
	}{
		{"network.set_mtu", []any{s, "OpaqueRef:n", int64(1500)}, "not in xapi's data model"},
		{"Bond.create", []any{s, "OpaqueRef:n", []any{}, "", "balance-slb"}, "5 parameters, the model says 6"},
		{"Async.Bond.create", []any{s, "OpaqueRef:n", []any{}, "", "slb", map[string]any{}}, "mode: \"slb\" is not a value of enum bond_mode"},
		{"network.set_MTU", []any{s, "OpaqueRef:n", "1500"}, "value: string, want int"},
		{"VLAN.create", []any{s, "eth0", int64(5), "OpaqueRef:n"}, "tagged_PIF: \"eth0\" is not a reference"},
		{"network.create", []any{s, map[string]any{"name_label": "x", "mtu": int64(1)}}, "args: field mtu is not a field of network"},
		{"network.create", []any{s, map[string]any{"name_label": "x"}}, "args: other_config is missing"},
		{"session.login_with_password", []any{"root"}, "1 parameters, the model says 2 to 4"},
	}
	for _, tt := range tests {
		err := checkCall(tt.method, tt.params)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("checkCall(%s) = %v, want an error containing %q", tt.method, err, tt.want)
		}
	}
	good := []any{s, "OpaqueRef:n", []any{"OpaqueRef:p"}, "", "lacp", map[string]any{"lacp-time": "fast"}}
	if err := checkCall("Bond.create", good); err != nil {
		t.Errorf("a correct Bond.create was refused: %v", err)
	}
}

// TestEveryWrapperIsChecked keeps wrapperCalls complete: every exported
// method of Client other than the core ones is a typed wrapper and must be
// sent by TestMessagesMatchDataModel.
func TestEveryWrapperIsChecked(t *testing.T) {
	core := []string{"Call", "Async", "Login", "Protocol", "URL", "CloseIdleConnections", "FollowMaster", "Rebuilding"}
	ct := reflect.TypeFor[*Client]()
	for i := range ct.NumMethod() {
		name := ct.Method(i).Name
		if slices.Contains(core, name) {
			continue
		}
		if _, ok := wrapperCalls[name]; !ok {
			t.Errorf("Client.%s is not in wrapperCalls, so its XenAPI call is not checked against the data model", name)
		}
	}
}

// checkCall holds one call, as decoded from JSON-RPC, to the data model.
func checkCall(method string, params []any) error {
	name := strings.TrimPrefix(method, "Async.")
	_, msg, ok := datamodel.Load().Method(name)
	if !ok {
		return fmt.Errorf("%s is not in xapi's data model", method)
	}
	want := fmt.Sprint(len(msg.Params))
	okCount := len(params) == len(msg.Params)
	if name == "session.login_with_password" {
		// version and originator are optional: xapi takes 2, 3 or 4.
		want = "2 to 4"
		okCount = len(params) >= 2 && len(params) <= len(msg.Params)
	}
	if !okCount {
		return fmt.Errorf("%s: sent %d parameters, the model says %s", method, len(params), want)
	}
	for i, p := range params {
		if err := fits(p, datamodel.ParseType(msg.Params[i].Type)); err != nil {
			return fmt.Errorf("%s: parameter %s: %w", method, msg.Params[i].Name, err)
		}
	}
	return nil
}

// fits checks a decoded JSON-RPC value against a model type.
func fits(v any, t datamodel.Type) error {
	switch t.Kind {
	case datamodel.String:
		if _, ok := v.(string); ok {
			return nil
		}
	case datamodel.Ref:
		if s, ok := v.(string); ok {
			if !strings.HasPrefix(s, "OpaqueRef:") {
				return fmt.Errorf("%q is not a reference", s)
			}
			return nil
		}
	case datamodel.Enum:
		if s, ok := v.(string); ok {
			if !slices.Contains(datamodel.Load().Enums[t.Name], s) {
				return fmt.Errorf("%q is not a value of enum %s", s, t.Name)
			}
			return nil
		}
	case datamodel.Int:
		if _, ok := v.(int64); ok {
			return nil
		}
	case datamodel.Float:
		switch v.(type) {
		case float64, int64:
			return nil
		}
	case datamodel.Bool:
		if _, ok := v.(bool); ok {
			return nil
		}
	case datamodel.DateTime:
		if s, ok := v.(string); ok {
			_, err := wire.ParseDateTime(s)
			return err
		}
	case datamodel.Set:
		if vs, ok := v.([]any); ok {
			for _, e := range vs {
				if err := fits(e, *t.Elem); err != nil {
					return err
				}
			}
			return nil
		}
	case datamodel.Map:
		if m, ok := v.(map[string]any); ok {
			for k, e := range m {
				if err := fits(k, *t.Key); err != nil {
					return err
				}
				if err := fits(e, *t.Elem); err != nil {
					return err
				}
			}
			return nil
		}
	case datamodel.Record:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		class, _ := datamodel.Load().Class(t.Name)
		for k, e := range m {
			f, ok := class.Field(k)
			if !ok {
				return fmt.Errorf("field %s is not a field of %s", k, t.Name)
			}
			if err := fits(e, datamodel.ParseType(f.Type)); err != nil {
				return fmt.Errorf("field %s: %w", k, err)
			}
		}
		// xapi's constructors insist on other_config.
		if _, ok := class.Field("other_config"); ok {
			if _, sent := m["other_config"]; !sent {
				return fmt.Errorf("other_config is missing")
			}
		}
		return nil
	default:
		return nil
	}
	return fmt.Errorf("%T, want %s", v, t)
}

// TestEnumsMatchDataModel holds the enum constants to the model's values.
func TestEnumsMatchDataModel(t *testing.T) {
	enums := map[string][]string{
		"bond_mode":             {string(BondModeBalanceSLB), string(BondModeActiveBackup), string(BondModeLACP)},
		"ip_configuration_mode": {string(IPConfigurationNone), string(IPConfigurationDHCP), string(IPConfigurationStatic)},
		"task_status_type":      {string(TaskPending), string(TaskSuccess), string(TaskFailure), string(TaskCancelling), string(TaskCancelled)},
		"event_operation":       {string(EventAdd), string(EventMod), string(EventDel)},
	}
	for enum, values := range enums {
		model := datamodel.Load().Enums[enum]
		if len(model) == 0 {
			t.Errorf("enum %s is not in the data model", enum)
		}
		for _, v := range values {
			if !slices.Contains(model, v) {
				t.Errorf("%q is not a value of enum %s %v", v, enum, model)
			}
		}
	}
}

// TestEventFieldsMatchDataModel reads an event written with every field of
// the model's event class: a field read under a name the model does not
// use stays empty and fails here.
func TestEventFieldsMatchDataModel(t *testing.T) {
	ev := sample(datamodel.ParseType("event record")).(map[string]any)
	ev["class"] = "network"
	ev["snapshot"] = sample(datamodel.ParseType("network record"))
	got, err := parseEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := parseEventBatch(map[string]any{"valid_ref_counts": map[string]any{"network": int64(1)}, "token": "t"})
	if err != nil || batch.Token != "t" || batch.ValidRefCounts["network"] != 1 {
		t.Errorf("batch read as %+v, %v", batch, err)
	}
	if got.ID == 0 || got.Timestamp.IsZero() || got.Class != "network" || got.Operation == "" || got.Ref == "" {
		t.Errorf("event read as %+v from %v", got, ev)
	}
	if n, err := UnmarshalSnapshot[Network](got); err != nil || n.MTU != 1500 {
		t.Errorf("snapshot read as %+v, %v", n, err)
	}
}
