package poolnet

import (
	"context"
	"errors"
	"fmt"
)

// undoStack records how to take back each change made so far, so that a
// failure half-way through a pool-wide change leaves the pool as it was: no
// half-made bond, no orphaned network.
type undoStack []undoStep

type undoStep struct {
	what string
	fn   func(context.Context) error
}

func (u *undoStack) push(what string, fn func(context.Context) error) {
	*u = append(*u, undoStep{what, fn})
}

// rollback undoes every recorded change, newest first, and returns cause
// joined with anything that could not be undone. It runs on a context of
// its own: the caller's may be the very thing that was cancelled.
func (u *undoStack) rollback(ctx context.Context, cause error) error {
	ctx = context.WithoutCancel(ctx)
	errs := []error{cause}
	for i := len(*u) - 1; i >= 0; i-- {
		step := (*u)[i]
		if err := step.fn(ctx); err != nil {
			errs = append(errs, fmt.Errorf("could not take back %s: %w", step.what, err))
		}
	}
	*u = nil
	return errors.Join(errs...)
}
