//go:build !linux

package restic

import "os/exec"

// lierAuParent: no parent-death signal outside Linux. On Windows a killed
// agent leaves restic to finish its run; its lock is then removed by the
// next backup's unlock.
func lierAuParent(*exec.Cmd) {}
