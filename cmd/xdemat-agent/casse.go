//go:build xdemat_casse

package main

import (
	"fmt"
	"os"
)

// Built with -tags xdemat_casse, the agent cannot start at all: the update
// tests publish such a build as a release, which must never replace the
// working agent.
func init() {
	fmt.Fprintln(os.Stderr, "xdemat-agent : construit pour ne pas démarrer (xdemat_casse)")
	os.Exit(1)
}
