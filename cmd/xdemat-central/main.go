// Command xdemat-central is the SPL's server: the sync API the mairies'
// agents call, the document store, the administration console, and the
// command line to manage communes, codes and postes. The program itself is
// central/server, so that tests can run it whole, in-process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"xdemat/central/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := server.NewMain()
	if err := m.ParseFlags(ctx, os.Args[1:]); errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "xdemat-central :", err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		m.Close()
		fmt.Fprintln(os.Stderr, "xdemat-central :", err)
		os.Exit(1)
	}
	err := m.Wait(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "xdemat-central :", err)
		os.Exit(1)
	}
}
