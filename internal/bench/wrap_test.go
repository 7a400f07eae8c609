package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Terraform starts the wrapper where it would start the provider: the
// provider must see the same arguments, streams and environment, its exit
// code must come back, and its peak RSS must land in the file.
func TestWrapperRunsTheProviderAndRecordsItsPeakRSS(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rssFile := filepath.Join(t.TempDir(), "rss")
	if err := os.WriteFile(rssFile, []byte("1000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), self, "-plugin-arg")
	cmd.Env = append(os.Environ(), wrapProviderEnv+"="+self, wrapRSSEnv+"="+rssFile, childEnv+"=1", "XSNET_POOL_CACHE=off")
	cmd.Stdin = strings.NewReader("from terraform\n")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("the wrapper exited with %v, want the provider's exit code 3\nstderr:\n%s", err, stderr.String())
	}
	wantOut := "1|6|unix|/tmp/plugin|grpc|\n" +
		`args=["-plugin-arg"] wrapped="" rss="" other="off"` + "\n" +
		"stdin=from terraform\n"
	if stdout.String() != wantOut {
		t.Errorf("the provider's standard output came through as\n%s\nwant\n%s", stdout.String(), wantOut)
	}
	if !strings.Contains(stderr.String(), "a log line") {
		t.Errorf("the provider's standard error did not come through: %q", stderr.String())
	}
	peak, processes, err := readPeakRSS(rssFile)
	if err != nil {
		t.Fatal(err)
	}
	if processes != 2 {
		t.Errorf("the file has %d peak RSS lines, want the one it had and the provider's", processes)
	}
	if peak < providerResidentBytes || peak > 4*providerResidentBytes {
		t.Errorf("peak RSS %d bytes; the provider touched %d", peak, providerResidentBytes)
	}
}

func TestWrapperRefusesToRunWithoutItsSettings(t *testing.T) {
	code, err := wrapProvider("", nil, filepath.Join(t.TempDir(), "rss"))
	if err == nil || code == 0 {
		t.Errorf("wrapProvider with no provider: code %d, error %v", code, err)
	}
}

func TestReadPeakRSS(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content   string
		peak            int64
		processes       int
		wantErr, noFile bool
	}{
		{name: "no provider ran", noFile: true},
		{name: "the largest of several", content: "52000000\n61000000\n47000000\n", peak: 61000000, processes: 3},
		{name: "blank lines", content: "\n1024\n\n", peak: 1024, processes: 1},
		{name: "not a number", content: "52000000\n52 MB\n", wantErr: true},
		{name: "negative", content: "-1\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if !tc.noFile {
				if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			peak, processes, err := readPeakRSS(path)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want one: %v", err, tc.wantErr)
			}
			if peak != tc.peak || processes != tc.processes {
				t.Errorf("peak %d from %d processes, want %d from %d", peak, processes, tc.peak, tc.processes)
			}
		})
	}
}

func TestWithoutEnv(t *testing.T) {
	got := withoutEnv([]string{"A=1", "XSNET_BENCH_PROVIDER=/p", "XSNET_BENCH_PROVIDER_X=2", "B="}, wrapProviderEnv)
	want := []string{"A=1", "XSNET_BENCH_PROVIDER_X=2", "B="}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("withoutEnv = %q, want %q", got, want)
	}
}
