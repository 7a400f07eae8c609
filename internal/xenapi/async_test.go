package xenapi

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// lastTask returns the task the fake made last.
func (f *fakeXAPI) lastTask(t *testing.T) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var last string
	for _, c := range f.calls {
		if c.Method == "task.get_status" {
			last = c.Params[1].(string)
		}
	}
	if last == "" {
		t.Fatal("no task was polled")
	}
	return last
}

func TestAsyncReturnsTheTaskResultAndDestroysTheTask(t *testing.T) {
	for _, proto := range protocols[:2] {
		t.Run(string(proto), func(t *testing.T) {
			f := newFake(t)
			f.taskPending = 3
			c := f.client(t, func(cfg *Config) { cfg.Protocol = proto })
			pifs, err := c.PoolCreateVLANFromPIF(context.Background(), "OpaqueRef:p", "OpaqueRef:n", 100)
			if err != nil {
				t.Fatal(err)
			}
			// The fake's result is sample("PIF ref set"), serialised as an
			// XML-RPC value inside a string, as xapi does on both
			// protocols.
			if !reflect.DeepEqual(pifs, []Ref{"OpaqueRef:PIF-1"}) {
				t.Errorf("result %v", pifs)
			}
			task := f.task(f.lastTask(t))
			if task.polls != 4 || !task.destroyed || task.cancelled {
				t.Errorf("task polled %d times, destroyed %v, cancelled %v; want 4, true, false", task.polls, task.destroyed, task.cancelled)
			}
			m := f.methods()
			want := []string{"Async.pool.create_VLAN_from_PIF", "task.get_status", "task.get_status", "task.get_status", "task.get_status", "task.get_result", "task.destroy"}
			if !slices.Equal(m[len(m)-len(want):], want) {
				t.Errorf("calls %v, want them to end %v", m, want)
			}
		})
	}
}

func TestAsyncReturnsTheTaskFailureAsError(t *testing.T) {
	f := newFake(t)
	f.handle = func(c wire.Call) (wire.Result, bool) {
		if c.Method == "Async.Bond.create" {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.tasks["OpaqueRef:t"] = &fakeTask{status: TaskFailure, errorInfo: []string{"PIF_ALREADY_BONDED", "OpaqueRef:p"}}
			return wire.Result{Value: "OpaqueRef:t"}, true
		}
		return wire.Result{}, false
	}
	c := f.client(t)
	_, err := c.BondCreate(context.Background(), "OpaqueRef:n", []Ref{"OpaqueRef:p"}, "", BondModeBalanceSLB, nil)
	var xerr *Error
	if !errors.As(err, &xerr) || xerr.Code != "PIF_ALREADY_BONDED" || !slices.Equal(xerr.Params, []string{"OpaqueRef:p"}) {
		t.Fatalf("err = %#v, want PIF_ALREADY_BONDED [OpaqueRef:p]", err)
	}
	if !f.task("OpaqueRef:t").destroyed {
		t.Error("the failed task was not destroyed")
	}
}

func TestPoolJoinScrubsPasswordsFromErrors(t *testing.T) {
	f := newFake(t)
	f.handle = func(c wire.Call) (wire.Result, bool) {
		if c.Method == "pool.join" {
			return fail(ErrInternalError, "login as root/master-secret failed"), true
		}
		return wire.Result{}, false
	}
	c := f.client(t)
	err := c.PoolJoin(context.Background(), "10.0.0.1", "root", "master-secret")
	if !IsCode(err, ErrInternalError) || strings.Contains(err.Error(), "master-secret") {
		t.Fatalf("PoolJoin = %v, want INTERNAL_ERROR without the password", err)
	}
}

func TestAsyncCancelledTask(t *testing.T) {
	f := newFake(t)
	f.handle = func(c wire.Call) (wire.Result, bool) {
		if c.Method == "Async.PIF.plug" {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.tasks["OpaqueRef:t"] = &fakeTask{status: TaskCancelled}
			return wire.Result{Value: "OpaqueRef:t"}, true
		}
		return wire.Result{}, false
	}
	c := f.client(t)
	if err := c.PIFPlug(context.Background(), "OpaqueRef:p"); !IsCode(err, "TASK_CANCELLED") {
		t.Fatalf("PIFPlug on a cancelled task = %v, want TASK_CANCELLED", err)
	}
}

func TestAsyncHonoursTheDeadline(t *testing.T) {
	f := newFake(t)
	f.taskPending = 1 << 30
	c := f.client(t)
	c.pollMin, c.pollMax = 10*time.Millisecond, 20*time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.BondDestroy(ctx, "OpaqueRef:b")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "gave up waiting for task") {
		t.Fatalf("BondDestroy past its deadline = %v, want DeadlineExceeded and the task pending", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("returned %s after start, well past the 150ms deadline", d)
	}
	task := f.task(f.lastTask(t))
	if !task.cancelled || !task.destroyed {
		t.Errorf("abandoned task: cancelled %v, destroyed %v; want both", task.cancelled, task.destroyed)
	}
	if task.polls < 3 {
		t.Errorf("task polled %d times in 150ms", task.polls)
	}
}

func TestAsyncPollingBacksOff(t *testing.T) {
	f := newFake(t)
	f.taskPending = 6
	c := f.client(t)
	c.pollMin, c.pollMax = 2*time.Millisecond, 16*time.Millisecond
	start := time.Now()
	if err := c.HostReboot(context.Background(), "OpaqueRef:h"); err != nil {
		t.Fatal(err)
	}
	// Pauses 2+4+8+16+16+16 ms: at least 62ms, where a fixed 2ms would
	// take 12.
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("six pending polls took %s; the pause does not grow", d)
	}
}
