package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Terraform starts the wrapper where it would start the provider: the
// provider must see the same arguments, streams and environment, its exit
// code must come back, and its peak RSS and CPU time, and the wrapper's own
// CPU time, must land in the file. Reaping the wrapper reads a CPU time
// that holds both, as reaping Terraform reads one that holds its wrappers'
// and providers': that is what lets the bench take them from Terraform's
// and leave Terraform's own.
func TestWrapperRunsTheProviderAndRecordsItsUsage(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	usageFile := filepath.Join(t.TempDir(), "usage")
	// A line another provider process of the same command wrote.
	other := providerUsage{PeakRSS: 1000, Processes: 1, CPU: 2 * time.Second, WrapperCPU: 3 * time.Second}
	if err := os.WriteFile(usageFile, []byte(usageLine(other.PeakRSS, other.CPU, other.WrapperCPU)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), self, "-plugin-arg")
	cmd.Env = append(os.Environ(), wrapProviderEnv+"="+self, wrapUsageEnv+"="+usageFile, childEnv+"=1", "XSNET_POOL_CACHE=off")
	cmd.Stdin = strings.NewReader("from terraform\n")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("the wrapper exited with %v, want the provider's exit code 3\nstderr:\n%s", err, stderr.String())
	}
	wantOut := "1|6|unix|/tmp/plugin|grpc|\n" +
		`args=["-plugin-arg"] wrapped="" usage="" other="off"` + "\n" +
		"stdin=from terraform\n"
	if stdout.String() != wantOut {
		t.Errorf("the provider's standard output came through as\n%s\nwant\n%s", stdout.String(), wantOut)
	}
	if !strings.Contains(stderr.String(), "a log line") {
		t.Errorf("the provider's standard error did not come through: %q", stderr.String())
	}
	u, err := readProviderUsage(usageFile)
	if err != nil {
		t.Fatal(err)
	}
	if u.Processes != 2 {
		t.Errorf("the file has %d usage lines, want the one it had and the provider's", u.Processes)
	}
	if u.PeakRSS < providerResidentBytes || u.PeakRSS > 4*providerResidentBytes {
		t.Errorf("peak RSS %d bytes; the provider touched %d", u.PeakRSS, providerResidentBytes)
	}
	providerCPU, wrapperCPU := u.CPU-other.CPU, u.WrapperCPU-other.WrapperCPU
	if providerCPU <= 0 || wrapperCPU <= 0 {
		t.Errorf("the provider, which touched %d bytes, used %s of CPU and its wrapper %s", providerResidentBytes, providerCPU, wrapperCPU)
	}
	reaped := cpuTime(cmd.ProcessState)
	t.Logf("CPU: the provider %s, its wrapper %s, both as reaped %s", providerCPU, wrapperCPU, reaped)
	if reaped < providerCPU+wrapperCPU {
		t.Errorf("reaping the wrapper reads %s of CPU, less than the provider's %s and the wrapper's %s", reaped, providerCPU, wrapperCPU)
	}
}

func TestWrapperRefusesToRunWithoutItsSettings(t *testing.T) {
	code, err := wrapProvider("", nil, filepath.Join(t.TempDir(), "rss"))
	if err == nil || code == 0 {
		t.Errorf("wrapProvider with no provider: code %d, error %v", code, err)
	}
}

func TestReadProviderUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content   string
		want            providerUsage
		wantErr, noFile bool
	}{
		{name: "no provider ran", noFile: true},
		{
			name:    "the largest peak and the sums of the times of several",
			content: "52000000 1500000000 40000000\n61000000 250000000 30000000\n47000000 5 7\n",
			want:    providerUsage{PeakRSS: 61000000, Processes: 3, CPU: 1750000005, WrapperCPU: 70000007},
		},
		{name: "blank lines", content: "\n1024 2 3\n\n", want: providerUsage{PeakRSS: 1024, Processes: 1, CPU: 2, WrapperCPU: 3}},
		{name: "a peak RSS alone", content: "52000000\n", wantErr: true},
		{name: "a field too many", content: "52000000 1 2 3\n", wantErr: true},
		{name: "not a number", content: "52000000 1 2\n52 MB 1\n", wantErr: true},
		{name: "a time not in nanoseconds", content: "52000000 1.5s 2\n", wantErr: true},
		{name: "negative", content: "1 -1 2\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if !tc.noFile {
				if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := readProviderUsage(path)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want one: %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("usage %+v, want %+v", got, tc.want)
			}
		})
	}
}

// What the wrapper writes reads back the same.
func TestUsageLineReadsBack(t *testing.T) {
	line := usageLine(150_000_000, 12345678901*time.Nanosecond, 42*time.Millisecond)
	rss, cpu, wrapperCPU, ok := parseUsageLine(line)
	if !ok || rss != 150_000_000 || cpu != 12345678901*time.Nanosecond || wrapperCPU != 42*time.Millisecond {
		t.Errorf("%q reads back as %d, %s, %s, %v", line, rss, cpu, wrapperCPU, ok)
	}
}

// Terraform's own CPU time is what its command used less the providers'
// and their wrappers'.
func TestTerraformCPU(t *testing.T) {
	u := providerUsage{Processes: 3, CPU: 3 * time.Second, WrapperCPU: 200 * time.Millisecond}
	if got := u.terraformCPU(5 * time.Second); got != 1800*time.Millisecond {
		t.Errorf("of 5 s: %s, want 1.8 s", got)
	}
	if got := u.terraformCPU(time.Second); got != 0 {
		t.Errorf("of 1 s, less than the providers': %s, want 0", got)
	}
	if got := (providerUsage{}).terraformCPU(time.Second); got != time.Second {
		t.Errorf("with no provider, as in the floor: %s, want all of it", got)
	}
}

func TestWithoutEnv(t *testing.T) {
	got := withoutEnv([]string{"A=1", "XSNET_BENCH_PROVIDER=/p", "XSNET_BENCH_PROVIDER_X=2", "B="}, wrapProviderEnv)
	want := []string{"A=1", "XSNET_BENCH_PROVIDER_X=2", "B="}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("withoutEnv = %q, want %q", got, want)
	}
}
