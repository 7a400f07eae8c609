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

// session is one session the client logged in with, and what its calls
// have shown of it.
type session struct {
	ref Ref
	// served says whether a call made with it succeeded: xapi checks the
	// session before anything else, so the host accepted it.
	served bool
	// inflight counts the calls sent with it whose reply has not been
	// read yet.
	inflight int
	// onTrial marks a session made right after another one failed. If it
	// fails too without having served a call, the host is refusing new
	// sessions, and logging in again would only repeat that.
	onTrial bool
}

// loginFlight is one login in progress; concurrent callers that need a
// session wait for it instead of logging in themselves.
type loginFlight struct {
	done    chan struct{}
	session *session
	err     error
}

// Login logs in, unless the client holds a session already. Calls log in
// by themselves when needed, so Login serves to check the credentials
// early. A pool member answers HOST_IS_SLAVE, and Login moves to the master
// it names.
func (c *Client) Login(ctx context.Context) error {
	_, err := c.currentSession(ctx)
	return err
}

// Logout ends the session, if there is one. A session xapi no longer
// knows counts as ended.
func (c *Client) Logout(ctx context.Context) error {
	c.mu.Lock()
	s := c.session
	c.session = nil
	c.mu.Unlock()
	if s == nil {
		return nil
	}
	_, err := c.invoke(ctx, "session.logout", []any{string(s.ref)}, false, callOpts{})
	if IsCode(err, ErrSessionInvalid) {
		return nil
	}
	return err
}

// currentSession returns the shared session, logging in if there is none.
func (c *Client) currentSession(ctx context.Context) (*session, error) {
	c.mu.Lock()
	s := c.session
	c.mu.Unlock()
	if s != nil {
		return s, nil
	}
	return c.relogin(ctx, nil)
}

// acquire notes that a call is about to be sent with s.
func (c *Client) acquire(s *session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.inflight++
}

// release notes the reply to a call sent with s: ok says whether xapi
// accepted the session, or may have. Callers waiting to learn whether s
// ever served hear of it.
func (c *Client) release(s *session, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.inflight--
	if ok {
		s.served = true
		c.refusing = false
	}
	close(c.sessionNews)
	c.sessionNews = make(chan struct{})
}

// renewable reports whether a session that answered SESSION_INVALID is
// worth replacing. A session that served calls has expired (xapi's timeout,
// a restart, its cap on sessions): it is. So is the first session after a
// quiet spell, which may have been evicted before it was used. A session on
// trial that never served shows that the host refuses new sessions: it is
// dropped, so that the next call starts afresh, and the calls that met it
// give up rather than log in again, however many there are.
func (c *Client) renewable(ctx context.Context, s *session) (bool, error) {
	c.mu.Lock()
	onTrial := s.onTrial
	c.mu.Unlock()
	if !onTrial {
		return true, nil
	}
	served, err := c.everServed(ctx, s)
	if err != nil || served {
		return served, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refusing = true
	if c.session == s {
		c.session = nil
	}
	return false, nil
}

// everServed reports whether s served a call, once every call in flight
// with it has come back: when ten callers share a new session, the one
// whose call the host refused must not judge the session before the
// others' replies are read. An event.from in flight is waited for too,
// though it may take its whole timeout to answer: xapi checked its session
// before it began to wait, so only its answer tells.
func (c *Client) everServed(ctx context.Context, s *session) (bool, error) {
	for {
		c.mu.Lock()
		served, settled, news := s.served, s.inflight == 0, c.sessionNews
		c.mu.Unlock()
		if served || settled {
			return served, nil
		}
		select {
		case <-news:
		case <-ctx.Done():
			return false, fmt.Errorf("xenapi: waiting for calls on an expired session: %w", context.Cause(ctx))
		}
	}
}

// errRefusing says that a session failed while the host was refusing new
// sessions: the caller gives up rather than try another.
var errRefusing = errors.New("xenapi: the host refuses new sessions")

// relogin replaces the session stale (or logs in when stale is nil and
// there is none) and returns the new one. However many callers find the
// same session stale at once, one login is made and all of them share its
// outcome; a caller whose stale session was already replaced just takes
// the new one. A caller whose stale session failed before the host was
// found refusing sessions gets errRefusing: it belongs to the calls that
// found it so, and the next call will try a session of its own.
func (c *Client) relogin(ctx context.Context, stale *session) (*session, error) {
	for {
		c.mu.Lock()
		if c.session != nil && c.session != stale {
			s := c.session
			c.mu.Unlock()
			return s, nil
		}
		if stale != nil && c.session == nil && c.refusing {
			c.mu.Unlock()
			return nil, errRefusing
		}
		f := c.flight
		if f == nil {
			f = &loginFlight{done: make(chan struct{})}
			c.flight = f
			c.mu.Unlock()
			var ref Ref
			ref, f.err = c.login(ctx)
			c.mu.Lock()
			if f.err == nil {
				f.session = &session{ref: ref, onTrial: stale != nil || c.refusing}
				c.session = f.session
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
			return nil, fmt.Errorf("xenapi: waiting for login: %w", context.Cause(ctx))
		}
		if f.err == nil {
			return f.session, nil
		}
		// The login failed only because its caller gave up: this caller
		// has not, so it tries again.
		if (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) && ctx.Err() == nil {
			continue
		}
		return nil, f.err
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
