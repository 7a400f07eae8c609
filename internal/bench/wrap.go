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
	"time"
)

// The provider's peak RSS and CPU time are measured by a wrapper that
// Terraform starts in the provider's place: dev_overrides points at a link
// to the bench's own binary which, seeing wrapProviderEnv, runs the real
// provider as its child with the same standard streams. go-plugin's
// handshake is a line on the provider's standard output, so it passes
// straight through. When the provider exits, the wrapper appends the
// child's peak RSS and CPU time, and its own CPU time, to the file
// wrapUsageEnv names; Terraform starts the provider more than once in a
// command, and the bench keeps the largest peak RSS and sums the CPU
// times.
const (
	wrapProviderEnv = "XSNET_BENCH_PROVIDER"   // the real provider's path
	wrapUsageEnv    = "XSNET_BENCH_USAGE_FILE" // where usage lines are appended
)

// wrapMain is the bench binary run as the provider wrapper; it returns the
// exit code.
func wrapMain() int {
	code, err := wrapProvider(os.Getenv(wrapProviderEnv), os.Args[1:], os.Getenv(wrapUsageEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "xsnet bench provider wrapper:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// wrapProvider runs the provider at path with args and the wrapper's
// standard streams, waits for it, appends its usage and the wrapper's own
// CPU time as a line to usageFile, and returns its exit code.
func wrapProvider(path string, args []string, usageFile string) (int, error) {
	if path == "" || usageFile == "" {
		return 1, fmt.Errorf("%s and %s must both be set", wrapProviderEnv, wrapUsageEnv)
	}
	// The provider ignores interrupts and waits for Terraform to stop it;
	// the wrapper does the same, and passes a termination on.
	signal.Ignore(os.Interrupt)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()

	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = withoutEnv(os.Environ(), wrapProviderEnv, wrapUsageEnv)
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
	// The wrapper's own time, starting the bench's binary and passing the
	// provider's exit on, is neither Terraform's nor the provider's; what
	// it spends after this reading is a few system calls.
	own, err := selfCPU()
	if err != nil {
		return code, err
	}
	return code, appendLine(usageFile, usageLine(rss, cpuTime(cmd.ProcessState), own))
}

// usageLine is how a provider process's usage is written, in a line short
// enough to be appended whole: its peak RSS in bytes, its CPU time and
// its wrapper's, in nanoseconds.
func usageLine(peakRSS int64, cpu, wrapperCPU time.Duration) string {
	return fmt.Sprintf("%d %d %d", peakRSS, cpu.Nanoseconds(), wrapperCPU.Nanoseconds())
}

// cpuTime is the user and system CPU time of an exited process. On Linux
// the rusage a process is reaped with counts, besides its own time, that
// of every descendant it waited for: a wrapper's includes its provider's,
// and a terraform command's includes its wrappers' and providers'. The
// provider starts no processes, so its time is its own.
func cpuTime(ps *os.ProcessState) time.Duration {
	return ps.UserTime() + ps.SystemTime()
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

// providerUsage is what the provider processes of one terraform command
// used.
type providerUsage struct {
	// PeakRSS is the largest peak RSS of any of them, in bytes.
	PeakRSS int64
	// Processes is how many provider processes Terraform started.
	Processes int
	// CPU is their user and system CPU time, summed; WrapperCPU that of
	// their wrappers.
	CPU        time.Duration
	WrapperCPU time.Duration
}

// terraformCPU is Terraform's own CPU time in a command that used command
// in all: what the providers and their wrappers did not. It is never
// negative, even for a provider that Terraform left behind unreaped, whose
// time is in the file but not in the command's.
func (u providerUsage) terraformCPU(command time.Duration) time.Duration {
	return max(0, command-u.CPU-u.WrapperCPU)
}

// readProviderUsage reads a file wrapProvider appended to. No file means
// no provider ran.
func readProviderUsage(path string) (providerUsage, error) {
	var u providerUsage
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return u, nil
	}
	if err != nil {
		return u, err
	}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		rss, cpu, wrapperCPU, ok := parseUsageLine(line)
		if !ok {
			return providerUsage{}, fmt.Errorf("%s: %q is not a peak RSS in bytes and two CPU times in nanoseconds", path, line)
		}
		u.PeakRSS = max(u.PeakRSS, rss)
		u.Processes++
		u.CPU += cpu
		u.WrapperCPU += wrapperCPU
	}
	return u, nil
}

// parseUsageLine reads a line usageLine wrote.
func parseUsageLine(line string) (peakRSS int64, cpu, wrapperCPU time.Duration, ok bool) {
	fields := strings.Fields(line)
	if len(fields) != 3 {
		return 0, 0, 0, false
	}
	var n [3]int64
	for i, f := range fields {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil || v < 0 {
			return 0, 0, 0, false
		}
		n[i] = v
	}
	return n[0], time.Duration(n[1]), time.Duration(n[2]), true
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
