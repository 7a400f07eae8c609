// Package xenapi is xsnet's XenAPI client: a session shared by every caller,
// JSON-RPC or XML-RPC chosen per connection, typed records for the classes
// xsnet manages, typed errors, Async calls with task polling, and event.from.
//
// Names and types come from xapi's data model (package datamodel); the wire
// codecs are in package wire. Nothing here knows about Terraform.
//
// A Client logs in on first use and keeps one session for all goroutines.
// When xapi answers SESSION_INVALID it logs in again, once for all the
// callers that saw it, and repeats the call; when a pool member answers
// HOST_IS_SLAVE it moves to the master the error names. The password is
// sent only in session.login_with_password (and in pool.join, which
// carries the master's) and never appears in an error or a log line.
//
// The client never hides the outcome of a call. A call whose connection
// fails is sent again when that is safe: it is idempotent by the data model
// (getters and setters), or its request never left. A call that changes
// the pool and may have reached xapi is not: the caller gets an
// *OutcomeUnknownError and reads the pool before deciding anything. Async
// waits for a task past the caller's context, within Config.TaskGrace, and
// reports what the task did.
package xenapi
