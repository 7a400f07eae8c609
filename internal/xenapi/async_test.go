package xenapi

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
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

// A message that returns nothing has no result to read: the task's
// success is the whole answer.
func TestAsyncOfAMessageReturningNothingReadsNoResult(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	v, err := c.Async(context.Background(), "VLAN.destroy", "OpaqueRef:v")
	if err != nil || v != nil {
		t.Fatalf("Async(VLAN.destroy) = %v, %v; want nil, nil", v, err)
	}
	m := f.methods()
	want := []string{"Async.VLAN.destroy", "task.get_status", "task.destroy"}
	if !slices.Equal(m[len(m)-len(want):], want) || slices.Contains(m, "task.get_result") {
		t.Errorf("calls %v, want them to end %v with no task.get_result", m, want)
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

// TestAsyncTaskFinishingAfterTheContextEnds: xapi does not stop a
// networking task asked to cancel, so when the caller gives up Async asks
// nothing of the task and waits on: the bond is made, and the caller gets
// its reference along with an error that says it had given up.
func TestAsyncTaskFinishingAfterTheContextEnds(t *testing.T) {
	f := newFake(t)
	f.taskPending = 5
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	polls := 0
	f.handle = func(c wire.Call) (wire.Result, bool) {
		if c.Method == "task.get_status" {
			if polls++; polls == 2 {
				cancel()
			}
		}
		return wire.Result{}, false
	}
	c := f.client(t)
	bond, err := c.BondCreate(ctx, "OpaqueRef:n", []Ref{"OpaqueRef:a", "OpaqueRef:b"}, "", BondModeBalanceSLB, nil)
	if bond != "OpaqueRef:Bond-1" {
		t.Errorf("BondCreate returned %q, want the bond the task made", bond)
	}
	var interrupted *InterruptedError
	if !errors.As(err, &interrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want an *InterruptedError wrapping context.Canceled", err)
	}
	if interrupted.Result != "OpaqueRef:Bond-1" || interrupted.Method != "Bond.create" || interrupted.Task == "" {
		t.Errorf("InterruptedError = %+v, want the result, the method and the task", interrupted)
	}
	task := f.task(string(interrupted.Task))
	if task.cancelled || !task.destroyed || task.polls != 6 {
		t.Errorf("task cancelled %v, destroyed %v, polled %d times; want false, true, 6", task.cancelled, task.destroyed, task.polls)
	}
	if IsOutcomeUnknown(err) {
		t.Error("a task whose outcome was read counts as unknown")
	}
}

// TestAsyncTaskFailingAfterTheContextEnds: the task's own failure is the
// answer, and the task is destroyed.
func TestAsyncTaskFailingAfterTheContextEnds(t *testing.T) {
	f := newFake(t)
	f.taskPending = 3
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.handle = func(c wire.Call) (wire.Result, bool) {
		switch c.Method {
		case "Async.VLAN.create":
			f.mu.Lock()
			defer f.mu.Unlock()
			f.tasks["OpaqueRef:t"] = &fakeTask{status: TaskFailure, errorInfo: []string{"PIF_VLAN_EXISTS", "eth1"}}
			return wire.Result{Value: "OpaqueRef:t"}, true
		case "task.get_status":
			cancel()
		}
		return wire.Result{}, false
	}
	c := f.client(t)
	_, err := c.VLANCreate(ctx, "OpaqueRef:p", 100, "OpaqueRef:n")
	if !IsCode(err, "PIF_VLAN_EXISTS") {
		t.Fatalf("VLANCreate = %v, want PIF_VLAN_EXISTS", err)
	}
	if task := f.task("OpaqueRef:t"); task.cancelled || !task.destroyed {
		t.Errorf("task cancelled %v, destroyed %v; want false, true", task.cancelled, task.destroyed)
	}
}

// TestAsyncTaskOutlivingTheGrace: past TaskGrace the outcome is unknown;
// the error names the task, which is left, neither cancelled nor
// destroyed, for a later run to read.
func TestAsyncTaskOutlivingTheGrace(t *testing.T) {
	f := newFake(t)
	f.taskPending = 1 << 30
	c := f.client(t, func(cfg *Config) { cfg.TaskGrace = 100 * time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.BondDestroy(ctx, "OpaqueRef:b")
	var unknown *OutcomeUnknownError
	if !errors.As(err, &unknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("BondDestroy outliving the grace = %v, want *OutcomeUnknownError wrapping DeadlineExceeded", err)
	}
	if unknown.Method != "Async.Bond.destroy" || unknown.Task != Ref(f.lastTask(t)) || !strings.Contains(err.Error(), string(unknown.Task)) {
		t.Errorf("OutcomeUnknownError = %+v, %q; want it to name the task", unknown, err)
	}
	task := f.task(string(unknown.Task))
	if task.cancelled || task.destroyed {
		t.Errorf("task cancelled %v, destroyed %v; want it left as it was", task.cancelled, task.destroyed)
	}
	if m := f.methods(); m[len(m)-1] != "task.get_status" {
		t.Errorf("calls end %v, want the last poll and nothing after", m[len(m)-3:])
	}
}

// TestAsyncPollsThroughDroppedConnections: a task that moves the
// management interface drops the connections its poller uses; the poller
// carries on and reads the task's outcome.
func TestAsyncPollsThroughDroppedConnections(t *testing.T) {
	f := newFake(t)
	f.taskPending = 2
	var mu sync.Mutex
	dropped := 0
	f.dropBefore = func(c wire.Call) bool {
		mu.Lock()
		defer mu.Unlock()
		if c.Method == "task.get_status" && dropped < 2*maxTries {
			dropped++
			return true
		}
		return false
	}
	c := f.client(t)
	if err := c.HostManagementReconfigure(context.Background(), "OpaqueRef:p"); err != nil {
		t.Fatalf("HostManagementReconfigure whose polls lost their connection %d times: %v", 2*maxTries, err)
	}
	if task := f.task(f.lastTask(t)); !task.destroyed {
		t.Error("the task was not destroyed")
	}
}

// TestAsyncCallWhoseConnectionDropsIsOutcomeUnknown: the Async call itself
// made a task, or may have; no task is known to read.
func TestAsyncCallWhoseConnectionDropsIsOutcomeUnknown(t *testing.T) {
	f := newFake(t)
	f.dropAfter = func(c wire.Call) bool { return c.Method == "Async.Bond.create" }
	c := f.client(t)
	bond, err := c.BondCreate(context.Background(), "OpaqueRef:n", []Ref{"OpaqueRef:a"}, "", BondModeBalanceSLB, nil)
	var unknown *OutcomeUnknownError
	if bond != "" || !errors.As(err, &unknown) || unknown.Method != "Async.Bond.create" || unknown.Task != "" {
		t.Fatalf("BondCreate = %q, %v; want *OutcomeUnknownError for Async.Bond.create", bond, err)
	}
	if n := f.count("Async.Bond.create"); n != 1 {
		t.Errorf("Async.Bond.create sent %d times, want once", n)
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
