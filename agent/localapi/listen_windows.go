//go:build windows

package localapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// listen opens the API on a loopback TCP port chosen by the OS and writes the
// address to <dataDir>/agent.addr for the desktop app. Only processes of this
// PC can connect; the secret tells the users' processes from the others.
// The returned function closes the listener and removes the address file.
func listen(dataDir string) (net.Listener, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("localapi: %w", err)
	}
	path := filepath.Join(dataDir, AddrFile)
	addr := ln.Addr().String()
	if err := writeFileAtomic(path, []byte(addr+"\n")); err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("localapi: %w", err)
	}
	return ln, func() {
		ln.Close()
		// Leave the file alone if another agent has written its own meanwhile.
		if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == addr {
			os.Remove(path)
		}
	}, nil
}

// dialer connects to the address the agent wrote in dataDir, read again at
// every connection since the port changes when the agent restarts. Only a
// loopback address is accepted, so that a tampered file cannot send the
// secret to another machine.
func dialer(dataDir string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	path := filepath.Join(dataDir, AddrFile)
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		ap, err := netip.ParseAddrPort(strings.TrimSpace(string(b)))
		if err != nil || !ap.Addr().IsLoopback() {
			return nil, fmt.Errorf("localapi: %s does not hold a loopback address", path)
		}
		var d net.Dialer
		return d.DialContext(ctx, "tcp", ap.String())
	}
}

// writeFileAtomic replaces path with data, readable by the local users' group.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr, os.Chmod(tmp.Name(), secretMode)); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}
