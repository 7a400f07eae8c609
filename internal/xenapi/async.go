package xenapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// cleanupTimeout bounds the reading and destroying of a finished task
// after the caller's context has ended.
const cleanupTimeout = 30 * time.Second

// Async invokes Async.<method>, which returns a task at once, and polls the
// task with growing pauses until it finishes. It returns the method's
// result, coerced like Call's, or the task's failure as *Error, and
// destroys the task once its outcome has been read.
//
// xapi does not stop a networking task asked to cancel: a Bond.create,
// VLAN.create or PIF.plug runs to its end and the task ends in success. So
// when ctx ends first, Async neither cancels the task nor walks away from
// it: it goes on polling, on a context of its own, for up to the client's
// TaskGrace, and reports what the task did. A task that succeeded gives its
// result together with an *InterruptedError that carries the result too
// and wraps the context's cause; one that failed gives its *Error. A task
// still running when the grace ends, or that can no longer be read, gives
// an *OutcomeUnknownError naming it; it is left for xapi to collect rather
// than destroyed, so that a later run can read what it did.
func (c *Client) Async(ctx context.Context, method string, params ...any) (any, error) {
	// The change runs until its task ends, and holds the gate as long.
	ctx, leave := c.gate.enter(ctx)
	defer leave()
	v, err := c.Call(ctx, "Async."+method, params...)
	if err != nil {
		return nil, err
	}
	task, _ := v.(string)
	if task == "" {
		return nil, fmt.Errorf("xenapi: Async.%s returned %v, not a task", method, v)
	}
	return c.awaitTask(ctx, method, Ref(task))
}

// InterruptedError says that the caller's context ended while xapi ran an
// Async call, and that xapi finished the work all the same: the caller was
// interrupted, the work was not. Result is the call's result, returned
// beside the error as well: the reference of what was made, say, which the
// caller now owns.
type InterruptedError struct {
	// Method is the message, such as "Bond.create".
	Method string
	// Task is the task xapi ran it as, now destroyed.
	Task Ref
	// Result is the call's result, coerced like Call's.
	Result any
	// Err is the cause of the context's end.
	Err error
}

func (e *InterruptedError) Error() string {
	if e.Result == nil {
		return fmt.Sprintf("xenapi: %s: %v, but xapi finished the work all the same", e.Method, e.Err)
	}
	return fmt.Sprintf("xenapi: %s: %v, but xapi finished the work all the same, with result %v", e.Method, e.Err, e.Result)
}

// Unwrap returns Err, so that errors.Is finds the context's cause.
func (e *InterruptedError) Unwrap() error { return e.Err }

// awaitTask waits for a task's outcome, past the caller's context if need
// be, and reads it.
func (c *Client) awaitTask(ctx context.Context, method string, task Ref) (any, error) {
	status, err := c.pollTask(ctx, task)
	if err != nil && ctx.Err() == nil {
		return nil, &OutcomeUnknownError{Method: "Async." + method, Task: task, Err: err}
	}
	interrupted := err != nil
	if interrupted {
		grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.taskGrace)
		defer cancel()
		status, err = c.pollTask(grace, task)
		if err != nil {
			if grace.Err() != nil {
				err = fmt.Errorf("xenapi: Async.%s: task %s still running %s after the caller's context ended: %w", method, task, c.taskGrace, context.Cause(ctx))
			}
			return nil, &OutcomeUnknownError{Method: "Async." + method, Task: task, Err: err}
		}
	}
	// The outcome is read and the task destroyed whether or not the
	// caller still waits: the work is done, and the caller must hear of it.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	var v any
	if status == TaskSuccess {
		v, err = c.taskResult(rctx, method, task)
	} else {
		err = c.taskError(rctx, task, status)
	}
	var xerr *Error
	if err != nil && !errors.As(err, &xerr) {
		// The task is finished but its outcome could not be read: it
		// stays, for a later run to read.
		return nil, &OutcomeUnknownError{Method: "Async." + method, Task: task, Err: err}
	}
	if _, derr := c.Call(rctx, "task.destroy", string(task)); derr != nil {
		// xapi collects finished tasks after an hour.
		c.log(ctx, "XenAPI task left behind", map[string]any{"task": string(task), "error": derr.Error()})
	}
	if err != nil {
		return nil, err
	}
	if interrupted {
		return v, &InterruptedError{Method: method, Task: task, Result: v, Err: context.Cause(ctx)}
	}
	return v, nil
}

// pollTask polls a task until it finishes and returns its final status:
// success, failure or cancelled. A connection that fails while the task
// runs is tried again, for as long as TaskGrace, since the task itself may
// be what moves the management interface. It returns an error when ctx
// ends or the task cannot be read.
func (c *Client) pollTask(ctx context.Context, task Ref) (TaskStatus, error) {
	pause := c.pollMin
	var unreachable time.Time
	for {
		v, err := c.Call(ctx, "task.get_status", string(task))
		var le *linkError
		switch {
		case errors.As(err, &le) && !le.callerGone:
			if unreachable.IsZero() {
				unreachable = time.Now()
			}
			if time.Since(unreachable) > c.taskGrace {
				return "", err
			}
		case err != nil:
			return "", err
		default:
			unreachable = time.Time{}
			switch status := TaskStatus(fmt.Sprint(v)); status {
			case TaskSuccess, TaskFailure, TaskCancelled:
				return status, nil
			}
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("xenapi: waiting for task %s: %w", task, context.Cause(ctx))
		case <-t.C:
		}
		pause = min(pause*2, c.pollMax)
	}
}

// taskResult reads a finished task's result. xapi serialises it as an
// XML-RPC value whichever protocol the call came in on; it is coerced to
// the synchronous message's result type. A message that returns nothing,
// such as VLAN.destroy, has no result to read: destroying a thousand
// VLANs on sixteen hosts would ask for sixteen thousand empty ones.
func (c *Client) taskResult(ctx context.Context, method string, task Ref) (any, error) {
	msg, known := message(method)
	if known && datamodel.ParseType(msg.Result).Kind == datamodel.Void {
		return nil, nil
	}
	raw, err := c.Call(ctx, "task.get_result", string(task))
	if err != nil {
		return nil, err
	}
	s, _ := raw.(string)
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	v, err := wire.DecodeXMLValue(s)
	if err != nil {
		return nil, fmt.Errorf("xenapi: %s: task result: %w", method, err)
	}
	if !known {
		return v, nil
	}
	out, err := wire.Coerce(v, datamodel.ParseType(msg.Result))
	if err != nil {
		return nil, fmt.Errorf("xenapi: %s: task result: %w", method, err)
	}
	return out, nil
}

// taskError reads a failed task's error_info as an *Error.
func (c *Client) taskError(ctx context.Context, task Ref, status TaskStatus) error {
	v, err := c.Call(ctx, "task.get_error_info", string(task))
	if err != nil {
		return err
	}
	vs, _ := v.([]any)
	if len(vs) == 0 {
		if status == TaskCancelled {
			return NewError("TASK_CANCELLED", string(task))
		}
		return NewError(ErrInternalError, fmt.Sprintf("task %s failed without error_info", task))
	}
	desc := make([]string, len(vs))
	for i, e := range vs {
		desc[i] = fmt.Sprint(e)
	}
	return failure(desc, nil)
}
