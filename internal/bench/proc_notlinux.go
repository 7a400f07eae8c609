//go:build !linux

package main

import "syscall"

// childProcAttr is the provider's process attributes: elsewhere than on
// Linux nothing ties its life to the wrapper's.
func childProcAttr() *syscall.SysProcAttr { return nil }
