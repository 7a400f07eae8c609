package xenapi

import (
	"context"
	"errors"
	"fmt"
)

// Originator tells xapi which client a session belongs to: xapi caps the
// sessions of each originator and evicts the oldest of that originator
// alone, so xsnet's sessions do not crowd out anyone else's.
const Originator = "xsnet"

// apiVersion is the version login_with_password is told; xapi records it
// and checks nothing against it.
const apiVersion = "1.0"

// loginFlight is one login in progress; concurrent callers that need a
// session wait for it instead of logging in themselves.
type loginFlight struct {
	done    chan struct{}
	session Ref
	err     error
}

// Login logs in, unless the client holds a session already. Calls log in
// by themselves when needed, so Login serves to check the credentials
// early. A pool member answers HOST_IS_SLAVE, and Login moves to the master
// it names.
func (c *Client) Login(ctx context.Context) error {
	_, err := c.sessionRef(ctx)
	return err
}

// Logout ends the session, if there is one. A session xapi no longer
// knows counts as ended.
func (c *Client) Logout(ctx context.Context) error {
	c.mu.Lock()
	session := c.session
	c.session = ""
	c.mu.Unlock()
	if session == "" {
		return nil
	}
	_, err := c.invoke(ctx, "session.logout", []any{string(session)}, false, callOpts{})
	if IsCode(err, ErrSessionInvalid) {
		return nil
	}
	return err
}

// served notes that session has served a call, which tells a session that
// expired from one the host never accepted.
func (c *Client) served(session Ref) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == session {
		c.sessionServed = true
	}
}

// hasServed reports whether session served a call before it failed: it is
// the current session and has served one, or it was replaced, which only
// happens once it has failed for some caller.
func (c *Client) hasServed(session Ref) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session != session || c.sessionServed
}

// sessionRef returns the shared session, logging in if there is none.
func (c *Client) sessionRef(ctx context.Context) (Ref, error) {
	c.mu.Lock()
	s := c.session
	c.mu.Unlock()
	if s != "" {
		return s, nil
	}
	return c.relogin(ctx, "")
}

// relogin replaces the session stale (or logs in when there is none) and
// returns the new one. However many callers find the same session stale at
// once, one login is made and all of them share its outcome; a caller whose
// stale session was already replaced just takes the new one.
func (c *Client) relogin(ctx context.Context, stale Ref) (Ref, error) {
	for {
		c.mu.Lock()
		if c.session != "" && c.session != stale {
			s := c.session
			c.mu.Unlock()
			return s, nil
		}
		f := c.flight
		if f == nil {
			f = &loginFlight{done: make(chan struct{})}
			c.flight = f
			c.mu.Unlock()
			f.session, f.err = c.login(ctx)
			c.mu.Lock()
			if f.err == nil {
				c.session, c.sessionServed = f.session, false
			}
			c.flight = nil
			c.mu.Unlock()
			close(f.done)
			return f.session, f.err
		}
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return "", fmt.Errorf("xenapi: waiting for login: %w", context.Cause(ctx))
		}
		if f.err == nil {
			return f.session, nil
		}
		// The login failed only because its caller gave up: this caller
		// has not, so it tries again.
		if (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) && ctx.Err() == nil {
			continue
		}
		return "", f.err
	}
}

// login makes a new session. Hosts older than the originator parameter
// count it as one too many; for them it logs in with the two parameters
// every xapi takes.
func (c *Client) login(ctx context.Context) (Ref, error) {
	o := callOpts{secrets: []string{c.password}}
	v, err := c.invoke(ctx, "session.login_with_password",
		[]any{c.username, c.password, apiVersion, Originator}, false, o)
	if IsCode(err, ErrMessageParameterCount) {
		v, err = c.invoke(ctx, "session.login_with_password",
			[]any{c.username, c.password}, false, o)
	}
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok || s == "" {
		return "", fmt.Errorf("xenapi: session.login_with_password returned %T, not a session reference", v)
	}
	return Ref(s), nil
}
