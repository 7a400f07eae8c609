package main

import (
	"bufio"
	"fmt"
	"os"
	"testing"
)

// childEnv makes the test binary act as a provider for the wrapper's
// tests: see actAsProvider.
const childEnv = "XSNET_BENCH_TEST_PROVIDER"

// TestMain lets the test binary play the bench's other parts: the
// provider wrapper, as the bench binary does, and a provider for it to
// wrap.
func TestMain(m *testing.M) {
	if os.Getenv(wrapProviderEnv) != "" {
		os.Exit(wrapMain())
	}
	if os.Getenv(childEnv) != "" {
		os.Exit(actAsProvider())
	}
	os.Exit(m.Run())
}

// providerResidentBytes is how much memory the stand-in provider touches.
const providerResidentBytes = 64 << 20

// actAsProvider touches providerResidentBytes, prints a handshake line
// and the environment the wrapper let through, echoes a line of its
// standard input, and exits 3.
func actAsProvider() int {
	mem := make([]byte, providerResidentBytes)
	for i := range mem {
		mem[i] = byte(i)
	}
	fmt.Printf("1|6|unix|/tmp/plugin|grpc|\n")
	fmt.Printf("args=%q wrapped=%q usage=%q other=%q\n", os.Args[1:], os.Getenv(wrapProviderEnv), os.Getenv(wrapUsageEnv), os.Getenv("XSNET_POOL_CACHE"))
	sc := bufio.NewScanner(os.Stdin)
	if sc.Scan() {
		fmt.Printf("stdin=%s\n", sc.Text())
	}
	fmt.Fprintln(os.Stderr, "a log line", mem[len(mem)-1])
	return 3
}
