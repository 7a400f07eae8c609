package xapisim

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// debianPython is Debian's interpreter, which python3-os-xenapi installs
// into; another python3 on PATH would not see the package.
const debianPython = "/usr/bin/python3"

// TestDebianXenAPIClient runs XenAPI.py, a client xsnet did not write,
// against the simulator over XML-RPC: testdata/os_xenapi_bond.py logs in,
// lists PIFs, makes and destroys a bond, and sees PIF_ALREADY_BONDED;
// testdata/os_xenapi_events.py probes event.inject, reads event.from from a
// token and follows an Async call to its result.
func TestDebianXenAPIClient(t *testing.T) {
	if out, err := exec.CommandContext(t.Context(), debianPython, "-c", "from os_xenapi.client import XenAPI").CombinedOutput(); err != nil {
		t.Skipf("%s cannot import os_xenapi.client (%v: %s); install it with: apt-get install python3-os-xenapi",
			debianPython, err, strings.TrimSpace(string(out)))
	}
	for _, tt := range []struct {
		script string
		want   string
		calls  []string
	}{
		{"testdata/os_xenapi_bond.py", "second bond: ['PIF_ALREADY_BONDED'",
			[]string{"session.login_with_password", "PIF.get_all_records", "Bond.create", "Bond.destroy", "session.logout"}},
		{"testdata/os_xenapi_events.py", "events since the token:",
			[]string{"event.inject", "event.from", "Async.VLAN.create", "task.get_result", "task.destroy"}},
	} {
		t.Run(tt.script, func(t *testing.T) {
			s := Run(t, Config{Hosts: 2})
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, debianPython, tt.script, s.URL(), s.Username(), s.Password()).CombinedOutput()
			t.Logf("%s", out)
			if err != nil {
				t.Fatalf("XenAPI.py against the simulator: %v", err)
			}
			if !strings.Contains(string(out), tt.want) || !strings.HasSuffix(strings.TrimSpace(string(out)), "OK") {
				t.Fatalf("the script did not get through:\n%s", out)
			}
			calls := s.Calls()
			for _, m := range tt.calls {
				if calls[m] == 0 {
					t.Errorf("the simulator saw no %s from XenAPI.py", m)
				}
			}
		})
	}
}
