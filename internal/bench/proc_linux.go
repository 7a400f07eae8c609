package main

import "syscall"

// childProcAttr ends the provider if its wrapper dies, so that a wrapper
// killed with its Terraform leaves no provider behind.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
