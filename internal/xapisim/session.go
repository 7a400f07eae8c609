package xapisim

import (
	"crypto/subtle"
	"slices"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// sessionRecord is a session record. xsnet's client never reads one, so it
// lives here rather than with the client's records.
type sessionRecord struct {
	UUID             string            `xenapi:"uuid"`
	ThisHost         xenapi.Ref        `xenapi:"this_host"`
	ThisUser         xenapi.Ref        `xenapi:"this_user"`
	LastActive       time.Time         `xenapi:"last_active"`
	Pool             bool              `xenapi:"pool"`
	OtherConfig      map[string]string `xenapi:"other_config"`
	IsLocalSuperuser bool              `xenapi:"is_local_superuser"`
	AuthUserName     string            `xenapi:"auth_user_name"`
	ValidationTime   time.Time         `xenapi:"validation_time"`
	Originator       string            `xenapi:"originator"`
}

// Class returns "session".
func (sessionRecord) Class() string { return "session" }

var sessionHandlers = []handler{
	{name: "session.login_with_password", fn: (*call).sessionLogin, write: true},
	{name: "session.logout", fn: (*call).sessionLogout, write: true},
	{name: "session.local_logout", fn: (*call).sessionLocalLogout},
}

// sessionLocalLogout is session.local_logout (xapi_session.ml): it drops
// the caller's session from the host's table of local sessions, those of
// session.slave_local_login_with_password. The simulator makes none, so a
// pool session passes the session check and stays valid, as in xapi.
func (c *call) sessionLocalLogout() (any, error) { return nil, nil }

// sessionLogin is session.login_with_password(uname, pwd[, version[,
// originator]]). A pool member refuses every login with HOST_IS_SLAVE
// [master address] before it looks at the credentials, as xapi does.
func (c *call) sessionLogin() (any, error) {
	if !c.host.isMaster() {
		return nil, failure(xenapi.ErrHostIsSlave, c.s.masterAddress(c.db))
	}
	user, password := c.str(0), c.str(1)
	if subtle.ConstantTimeCompare([]byte(user), []byte(c.s.cfg.Username)) != 1 ||
		subtle.ConstantTimeCompare([]byte(password), []byte(c.s.cfg.Password)) != 1 {
		return nil, failure(xenapi.ErrSessionAuthenticationFailed, user, "Authentication failure")
	}
	uuid := newUUID()
	now := time.Now().UTC()
	c.db.insert(refFor(uuid), &sessionRecord{
		UUID:             uuid,
		ThisHost:         c.host.ref,
		ThisUser:         xenapi.NullRef,
		LastActive:       now,
		OtherConfig:      map[string]string{},
		IsLocalSuperuser: true,
		AuthUserName:     user,
		ValidationTime:   now,
		Originator:       c.str(3),
	})
	c.s.limitSessions(c.db, c.str(3))
	return string(refFor(uuid)), nil
}

// limitSessions is db_gc_util.ml's limit on an originator's sessions: past
// Config.MaxSessionsPerOriginator, the least recently used go. xapi does it
// every so often; the simulator at each login.
func (s *Sim) limitSessions(d *db, originator string) {
	var mine []row[sessionRecord]
	for _, sess := range all[sessionRecord](d) {
		if sess.R.Originator == originator {
			mine = append(mine, sess)
		}
	}
	if len(mine) <= s.cfg.MaxSessionsPerOriginator {
		return
	}
	slices.SortStableFunc(mine, func(a, b row[sessionRecord]) int { return a.R.LastActive.Compare(b.R.LastActive) })
	for _, sess := range mine[:len(mine)-s.cfg.MaxSessionsPerOriginator] {
		s.endSession(d, sess.Ref)
	}
}

// sessionLogout is session.logout: the caller's session ends.
func (c *call) sessionLogout() (any, error) {
	c.s.endSession(c.db, c.session)
	return nil, nil
}

// endSession forgets a session, and wakes its waiting event calls so that
// they answer SESSION_INVALID.
func (s *Sim) endSession(d *db, session xenapi.Ref) {
	d.remove("session", session)
	delete(s.sessionCalls, session)
	delete(s.registrations, session)
	d.wake()
}

// masterAddress is the address of db's master, HOST_IS_SLAVE's parameter.
func (s *Sim) masterAddress(d *db) string {
	p := d.pool()
	if p == nil {
		return ""
	}
	if h := get[xenapi.Host](d, p.Master); h != nil {
		return h.Address
	}
	return ""
}
