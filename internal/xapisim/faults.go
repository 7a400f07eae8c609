package xapisim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Fault is one fault-injection rule; ParseFaults reads them from text.
type Fault struct {
	// Method is the method the rule applies to: "Bond.create", "Bond.*"
	// for every message of a class, or "*" for every call. An Async call
	// counts as its method.
	Method string
	// From and To bound the matching calls the rule fires on, counting
	// from 1; To 0 means no upper bound. Both 0 means every call.
	From, To int
	// Delay is added to the call.
	Delay time.Duration
	// Error is the XenAPI error description the call fails with, before
	// the method runs: the code and its parameters.
	Error []string
	// SessionCalls, when above zero, makes every session expire after that
	// many calls made with it; the next answers SESSION_INVALID.
	SessionCalls int
}

// faultRule is a Fault and the count of the calls it matched.
type faultRule struct {
	Fault
	seen int
}

var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// ParseFaults reads the -faults flag: rules separated by ";".
//
//	rule    = "sessions=" N          every session expires after N calls
//	        | match "=" action
//	match   = method [ "#" calls ]
//	method  = "Bond.create" | "Bond.*" | "*"
//	calls   = N                      only the Nth matching call
//	        | N "-"                  the Nth and every later one
//	        | N "-" M                the Nth to the Mth
//	action  = "+" duration           delay the call, e.g. +20ms
//	        | CODE { ":" param }     fail with this XenAPI error
//
// For example "Bond.create#2=INTERNAL_ERROR:injected;*=+20ms;sessions=100":
// the second Bond.create fails with INTERNAL_ERROR ["injected"], every call
// takes 20 ms more, and sessions expire after 100 calls. Each rule counts
// the calls it matches on its own.
func ParseFaults(spec string) ([]Fault, error) {
	var out []Fault
	for raw := range strings.SplitSeq(spec, ";") {
		rule := strings.TrimSpace(raw)
		if rule == "" {
			continue
		}
		f, err := parseFault(rule)
		if err != nil {
			return nil, fmt.Errorf("fault %q: %w", rule, err)
		}
		out = append(out, f)
	}
	return out, nil
}

func parseFault(rule string) (Fault, error) {
	match, action, ok := strings.Cut(rule, "=")
	if !ok {
		return Fault{}, fmt.Errorf(`want "method=action" or "sessions=N"`)
	}
	match, action = strings.TrimSpace(match), strings.TrimSpace(action)
	if match == "sessions" {
		n, err := strconv.Atoi(action)
		if err != nil || n < 1 {
			return Fault{}, fmt.Errorf("sessions=%s: want a number of calls above 0", action)
		}
		return Fault{SessionCalls: n}, nil
	}
	var f Fault
	method, calls, hasCalls := strings.Cut(match, "#")
	f.Method = method
	if method == "" || (method != "*" && !strings.Contains(method, ".")) {
		return Fault{}, fmt.Errorf(`method %q: want "Class.message", "Class.*" or "*"`, method)
	}
	if hasCalls {
		var err error
		if f.From, f.To, err = parseCalls(calls); err != nil {
			return Fault{}, err
		}
	}
	switch {
	case strings.HasPrefix(action, "+"):
		d, err := time.ParseDuration(action[1:])
		if err != nil || d <= 0 {
			return Fault{}, fmt.Errorf("delay %q: want a positive Go duration such as +20ms", action)
		}
		f.Delay = d
	default:
		parts := strings.Split(action, ":")
		if !codePattern.MatchString(parts[0]) {
			return Fault{}, fmt.Errorf("action %q: want +duration or an error code such as INTERNAL_ERROR", action)
		}
		f.Error = parts
	}
	return f, nil
}

func parseCalls(s string) (from, to int, err error) {
	bad := fmt.Errorf(`calls %q: want N, N- or N-M, counting from 1`, s)
	lo, hi, isRange := strings.Cut(s, "-")
	from, err = strconv.Atoi(lo)
	if err != nil || from < 1 {
		return 0, 0, bad
	}
	switch {
	case !isRange:
		return from, from, nil
	case hi == "":
		return from, 0, nil
	}
	to, err = strconv.Atoi(hi)
	if err != nil || to < from {
		return 0, 0, bad
	}
	return from, to, nil
}

// matches reports whether the rule is about method.
func (f *Fault) matches(method string) bool {
	switch {
	case f.Method == "*":
		return true
	case strings.HasSuffix(f.Method, ".*"):
		return strings.HasPrefix(method, strings.TrimSuffix(f.Method, "*"))
	}
	return f.Method == method
}

// fires counts a matching call and reports whether the rule acts on it.
func (r *faultRule) fires() bool {
	r.seen++
	if r.From == 0 {
		return true
	}
	return r.seen >= r.From && (r.To == 0 || r.seen <= r.To)
}

// String writes the rule back in ParseFaults' syntax.
func (f Fault) String() string {
	if f.SessionCalls > 0 {
		return fmt.Sprintf("sessions=%d", f.SessionCalls)
	}
	m := f.Method
	switch {
	case f.From == 0:
	case f.From == f.To:
		m += fmt.Sprintf("#%d", f.From)
	case f.To == 0:
		m += fmt.Sprintf("#%d-", f.From)
	default:
		m += fmt.Sprintf("#%d-%d", f.From, f.To)
	}
	if f.Delay > 0 {
		return m + "=+" + f.Delay.String()
	}
	return m + "=" + strings.Join(f.Error, ":")
}

// delayFor counts method against the delay rules and returns the delay
// they add. Called under s.mu.
func (s *Sim) delayFor(method string) time.Duration {
	d := s.cfg.Latency
	for _, r := range s.faults {
		if r.Delay > 0 && r.matches(method) && r.fires() {
			d += r.Delay
		}
	}
	return d
}

// errorFor counts method against the error rules and returns the first
// injected failure, or nil. Called under s.mu.
func (s *Sim) errorFor(method string) error {
	var err error
	for _, r := range s.faults {
		if len(r.Error) > 0 && r.matches(method) && r.fires() && err == nil {
			err = failure(r.Error[0], r.Error[1:]...)
		}
	}
	return err
}
