package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

// The provider's peak RSS is measured by a wrapper that Terraform starts
// in the provider's place: dev_overrides points at a link to the bench's
// own binary which, seeing wrapProviderEnv, runs the real provider as its
// child with the same standard streams. go-plugin's handshake is a line on
// the provider's standard output, so it passes straight through. When the
// provider exits, the wrapper appends the child's peak RSS to the file
// wrapRSSEnv names; Terraform starts the provider more than once in a
// command, and the bench keeps the largest.
const (
	wrapProviderEnv = "XSNET_BENCH_PROVIDER" // the real provider's path
	wrapRSSEnv      = "XSNET_BENCH_RSS_FILE" // where peak RSS lines are appended
)

// wrapMain is the bench binary run as the provider wrapper; it returns the
// exit code.
func wrapMain() int {
	code, err := wrapProvider(os.Getenv(wrapProviderEnv), os.Args[1:], os.Getenv(wrapRSSEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "xsnet bench provider wrapper:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// wrapProvider runs the provider at path with args and the wrapper's
// standard streams, waits for it, appends its peak RSS in bytes as a line
// to rssFile, and returns its exit code.
func wrapProvider(path string, args []string, rssFile string) (int, error) {
	if path == "" || rssFile == "" {
		return 1, fmt.Errorf("%s and %s must both be set", wrapProviderEnv, wrapRSSEnv)
	}
	// The provider ignores interrupts and waits for Terraform to stop it;
	// the wrapper does the same, and passes a termination on.
	signal.Ignore(os.Interrupt)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()

	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = withoutEnv(os.Environ(), wrapProviderEnv, wrapRSSEnv)
	cmd.SysProcAttr = childProcAttr()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	err := cmd.Run()
	if cmd.ProcessState == nil {
		return 1, err
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) && ctx.Err() == nil {
		return 1, err
	}
	code := cmd.ProcessState.ExitCode()
	rss, err := peakRSS(cmd.ProcessState)
	if err != nil {
		return code, err
	}
	return code, appendLine(rssFile, strconv.FormatInt(rss, 10))
}

// appendLine appends a line to a file shared by several writers: one
// write of a short line with O_APPEND lands whole.
func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(line + "\n")
	return errors.Join(err, f.Close())
}

// readPeakRSS returns the largest peak RSS in a file wrapProvider appended
// to, and how many provider processes wrote to it. No file means no
// provider ran.
func readPeakRSS(path string) (peak int64, processes int, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n, err := strconv.ParseInt(line, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, fmt.Errorf("%s: %q is not a peak RSS in bytes", path, line)
		}
		peak = max(peak, n)
		processes++
	}
	return peak, processes, nil
}

// withoutEnv is env without the variables named.
func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || name == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
