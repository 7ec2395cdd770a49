// Package proc starts and stops the local runtime's child processes (emulators, function
// instances) in their own process groups, so that stopping one stops everything it spawned and
// a terminal's Ctrl-C reaches only pac-local, which then stops its children itself.
package proc

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Prepare puts cmd in a new process group and asks the kernel to kill it when pac-local dies
// without cleaning up (SIGKILL, crash), so no child outlives the runtime. Call before cmd.Start.
func Prepare(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

// Signal sends sig to the process group of a started cmd (the group id is the leader's pid).
func Signal(cmd *exec.Cmd, sig syscall.Signal) error {
	if cmd.Process == nil {
		return errors.New("process not started")
	}
	err := syscall.Kill(-cmd.Process.Pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// Stop ends the process group of cmd: SIGTERM, then SIGKILL after grace if the leader has not
// exited by then (grace 0 kills at once). done must be closed once cmd.Wait has returned
// (the caller owns Wait). Stop returns when the leader has exited.
func Stop(cmd *exec.Cmd, done <-chan struct{}, grace time.Duration) {
	if cmd.Process == nil {
		return
	}
	if grace > 0 {
		_ = Signal(cmd, syscall.SIGTERM)
		select {
		case <-done:
			// The leader is gone; make sure helpers it left in the group go too.
			_ = Signal(cmd, syscall.SIGKILL)
			return
		case <-time.After(grace):
		}
	}
	_ = Signal(cmd, syscall.SIGKILL)
	<-done
}
