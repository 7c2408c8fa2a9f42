package restic

import (
	"os/exec"
	"syscall"
)

// lierAuParent makes the kernel send SIGINT to restic when the agent dies
// (kill -9, crash), so that restic never runs on alone, unsupervised, beside
// the next agent's backup. (A backup writing its progress would also die of
// the broken pipe at its next line; a restore or a check may not write for
// minutes.) Its lock may stay: the next backup removes it.
// Pdeathsig follows the thread that started the child; the Go runtime does
// not end its threads while the process lives (we never lock one), so it
// fires only when the agent process is gone.
func lierAuParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGINT}
}
