package xapisim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

var taskHandlers = []handler{
	{name: "task.destroy", fn: (*call).taskDestroy, write: true},
	{name: "task.cancel", fn: (*call).taskCancel, write: true},
	{name: "task.create", fn: (*call).taskCreate, write: true},
}

// taskCreate is task.create(label, description): a pending task the
// client itself keeps up to date (xapi_task.ml).
func (c *call) taskCreate() (any, error) {
	task := c.s.newTask(c.db, c.str(0))
	get[xenapi.Task](c.db, task).NameDescription = c.str(1)
	return string(task), nil
}

// taskDestroy is task.destroy. A task still running goes when it ends.
func (c *call) taskDestroy() (any, error) {
	self := c.ref(0)
	t, err := mustGet[xenapi.Task](c.db, self)
	if err != nil {
		return nil, err
	}
	if t.Status == xenapi.TaskPending || t.Status == xenapi.TaskCancelling {
		// xapi notes the destroy in current_operations and destroys the
		// task when it completes.
		c.s.doomedTasks[self] = true
		c.db.setExtra("task", self, "current_operations", map[string]any{"task": "destroy"})
		return nil, nil
	}
	c.db.remove("task", self)
	return nil, nil
}

// taskCancel is task.cancel. As in xapi (xapi_task.ml), it only marks the
// task: current_operations names the cancelling call. Cancelling is up to
// the code the task runs, and xapi's Bond, VLAN, PIF, network, host and
// pool code never looks (taskHelper.ml's exn_if_cancelling is called by
// VM and storage code only), so every task the simulator runs finishes as
// if nothing was asked, its work done, in success or failure.
func (c *call) taskCancel() (any, error) {
	self := c.ref(0)
	if _, err := mustGet[xenapi.Task](c.db, self); err != nil {
		return nil, err
	}
	// The key is the task of the cancel call itself; xapi makes one for
	// every call.
	c.db.setExtra("task", self, "current_operations", map[string]any{string(refFor(newUUID())): "cancel"})
	return nil, nil
}

// newTask makes the task of an Async call, pending.
func (s *Sim) newTask(d *db, label string) xenapi.Ref {
	uuid := newUUID()
	d.insert(refFor(uuid), &xenapi.Task{
		UUID:        uuid,
		NameLabel:   label,
		Status:      xenapi.TaskPending,
		Created:     time.Now().UTC().Truncate(time.Second),
		Finished:    epoch,
		ErrorInfo:   []string{},
		OtherConfig: map[string]string{},
	})
	// An API call's task can be cancelled while it runs (taskHelper.ml's
	// register_task), whether or not the code it runs takes notice.
	d.setExtra("task", refFor(uuid), "allowed_operations", []any{"cancel"})
	return refFor(uuid)
}

// runTask runs an Async call's message in the background after delay and
// records its outcome in the task: the result as an XML-RPC value (xapi
// writes it so over JSON-RPC too), or the error description.
func (s *Sim) runTask(c *call, task xenapi.Ref, delay time.Duration, injected error) {
	// xapi answers an Async call with its task before the work begins,
	// and a bond on the management NIC takes seconds to rebuild the
	// bridge: the reset that rebuild causes never cuts off the answer.
	answered := replied(c.ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if answered != nil {
			<-answered
		}
		s.sleep(context.Background(), delay)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closing {
			return
		}
		c.task, c.ctx = task, context.Background()
		d := c.db
		t := get[xenapi.Task](d, task)
		if t == nil {
			return
		}
		var v any
		err := injected
		if err == nil {
			v, err = s.runGuarded(c)
		}
		d.setExtra("task", task, "allowed_operations", []any{})
		t.Progress = 1
		t.Finished = time.Now().UTC().Truncate(time.Second)
		var xe *xenapi.Error
		switch {
		case err == nil:
			t.Status = xenapi.TaskSuccess
			if v != nil {
				t.Result, _ = wire.EncodeXMLValue(v)
			}
		case errors.As(err, &xe) && xe.Code == "TASK_CANCELLED":
			t.Status = xenapi.TaskCancelled
			t.ErrorInfo = append([]string{xe.Code}, xe.Params...)
		default:
			t.Status = xenapi.TaskFailure
			t.ErrorInfo = result(nil, err).Failure
		}
		if s.doomedTasks[task] {
			delete(s.doomedTasks, task)
			d.remove("task", task)
		}
		d.commit()
		s.settleManagementMoves(d)
	}()
}

// runGuarded runs a task's message, turning a panic into INTERNAL_ERROR as
// a synchronous call does.
func (s *Sim) runGuarded(c *call) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, failure(xenapi.ErrInternalError, fmt.Sprintf("xapisim: %s: %v", c.m.name, p))
		}
	}()
	return c.m.fn(c)
}
