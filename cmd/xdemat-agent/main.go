// Command xdemat-agent is the background service of a mairie PC: it owns the
// local store, syncs with the SPL's central server and serves the desktop app.
//
//	xdemat-agent run                  run in the foreground (or under the service manager)
//	xdemat-agent enroll -central URL -code CODE   enroll this PC for its commune
//	xdemat-agent status               print the sync state
//	xdemat-agent install|uninstall|start|stop   manage the system service
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Execute(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "xdemat-agent :", err)
		os.Exit(1)
	}
}
