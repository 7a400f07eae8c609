package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunPrintsWhatAShellEvals(t *testing.T) {
	state := filepath.Join(t.TempDir(), "pool.json")
	var stdout, stderr bytes.Buffer
	var env map[string]string
	err := run([]string{"-hosts", "2", "-standalone", "1", "-tls", "-state", state, "-faults", "*=+1ms"}, &stdout, &stderr, func() {
		env = map[string]string{}
		sc := bufio.NewScanner(bytes.NewReader(stdout.Bytes()))
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), "=")
			env[k] = v
		}
	})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if !strings.HasPrefix(env["XENSERVER_HOST"], "https://127.0.0.1:") || env["XENSERVER_USERNAME"] != "root" || env["XENSERVER_PASSWORD"] != "xsnet-sim" {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	for _, want := range []string{"standalone host on https://", "SHA-256 fingerprint ", "/sim/trace"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if _, err := os.Stat(state); err != nil {
		t.Errorf("the pool was not saved on stop: %v", err)
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-backend", "linuxbridge"},
		{"-faults", "Bond.create=oops"},
		{"-quirk", "slow-boot"},
		{"-hosts", "0"},
		{"-nic-max-mtu", "eth1:1500"},
		{"-nic-max-mtu", "eth1=big"},
		{"extra"},
	} {
		var out bytes.Buffer
		if err := run(args, &out, &out, func() { t.Errorf("%v: the pool started", args) }); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"xsnet-sim": "xsnet-sim",
		"p w":       "'p w'",
		"it's":      `'it'\''s'`,
		"":          "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
