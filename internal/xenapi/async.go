package xenapi

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// cleanupTimeout bounds the task.cancel and task.destroy sent after the
// caller's context has ended.
const cleanupTimeout = 10 * time.Second

// Async invokes Async.<method>, which returns a task at once, and polls the
// task with growing pauses until it finishes. It returns the method's
// result, coerced like Call's, or the task's failure as *Error. The task is
// destroyed either way. If ctx ends first, the task is asked to cancel and
// destroyed, and the context's error is returned.
func (c *Client) Async(ctx context.Context, method string, params ...any) (any, error) {
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

// awaitTask polls a task to its end and destroys it.
func (c *Client) awaitTask(ctx context.Context, method string, task Ref) (any, error) {
	pause := c.pollMin
	for {
		status, err := c.Call(ctx, "task.get_status", string(task))
		if err != nil {
			if ctx.Err() != nil {
				c.abandonTask(ctx, task, true)
				return nil, fmt.Errorf("xenapi: %s: gave up waiting for task %s: %w", method, task, context.Cause(ctx))
			}
			c.abandonTask(ctx, task, false)
			return nil, err
		}
		switch TaskStatus(fmt.Sprint(status)) {
		case TaskSuccess:
			defer c.abandonTask(ctx, task, false)
			return c.taskResult(ctx, method, task)
		case TaskFailure, TaskCancelled:
			defer c.abandonTask(ctx, task, false)
			return nil, c.taskError(ctx, task, TaskStatus(fmt.Sprint(status)))
		}
		select {
		case <-ctx.Done():
			c.abandonTask(ctx, task, true)
			return nil, fmt.Errorf("xenapi: %s: gave up waiting for task %s: %w", method, task, context.Cause(ctx))
		case <-time.After(pause):
		}
		pause = min(pause*2, c.pollMax)
	}
}

// taskResult reads a finished task's result. xapi serialises it as an
// XML-RPC value whichever protocol the call came in on; it is coerced to
// the synchronous message's result type.
func (c *Client) taskResult(ctx context.Context, method string, task Ref) (any, error) {
	raw, err := c.Call(ctx, "task.get_result", string(task))
	if err != nil {
		return nil, err
	}
	msg, known := message(method)
	if known && datamodel.ParseType(msg.Result).Kind == datamodel.Void {
		return nil, nil
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

// abandonTask destroys a task, first asking it to cancel if it may still
// run. It works on after ctx has ended, within cleanupTimeout, and ignores
// failures: a task left behind is collected by xapi in time.
func (c *Client) abandonTask(ctx context.Context, task Ref, cancel bool) {
	cctx, stop := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer stop()
	if cancel {
		_, _ = c.Call(cctx, "task.cancel", string(task))
	}
	_, _ = c.Call(cctx, "task.destroy", string(task))
}
