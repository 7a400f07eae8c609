//go:build !unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"time"
)

// peakRSS needs getrusage, which only Unix systems have.
func peakRSS(*os.ProcessState) (int64, error) {
	return 0, errors.New("peak RSS is read with getrusage, which this system lacks")
}

// selfCPU needs getrusage too.
func selfCPU() (time.Duration, error) {
	return 0, errors.New("CPU time is read with getrusage, which this system lacks")
}

// startInGroup leaves cmd in the bench's process group: without Unix
// process groups only Terraform itself can be stopped.
func startInGroup(*exec.Cmd) {}

func interruptGroup(cmd *exec.Cmd) error { return cmd.Process.Signal(os.Interrupt) }

func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
