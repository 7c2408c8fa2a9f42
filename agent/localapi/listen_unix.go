//go:build !windows

package localapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"xdemat"
)

// socketMode lets the local users' group (owner of the data directory, set by
// the installer) connect to the socket; others cannot.
const socketMode = 0o660

// maxSocketPath is the longest Unix socket path every supported OS accepts
// (sun_path is 104 bytes on macOS and the BSDs, 108 on Linux).
const maxSocketPath = 103

// listen opens the API socket <dataDir>/agent.sock. A socket left behind by a
// crashed agent is replaced; one that still answers means another agent runs.
// The returned function closes the listener and removes the socket.
func listen(dataDir string) (net.Listener, func(), error) {
	path := filepath.Join(dataDir, SocketFile)
	if len(path) > maxSocketPath {
		return nil, nil, fmt.Errorf("localapi: socket path %q is longer than %d bytes", path, maxSocketPath)
	}
	ln, err := net.Listen("unix", path)
	if errors.Is(err, syscall.EADDRINUSE) {
		if c, derr := net.DialTimeout("unix", path, time.Second); derr == nil {
			c.Close()
			return nil, nil, xdemat.Errorf(xdemat.EUNAVAILABLE, "Un autre service xdemat fonctionne déjà sur ce poste : arrêtez-le avant d'en lancer un second.")
		}
		if rerr := os.Remove(path); rerr != nil {
			return nil, nil, fmt.Errorf("localapi: removing stale socket: %w", rerr)
		}
		ln, err = net.Listen("unix", path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("localapi: %w", err)
	}
	if err := os.Chmod(path, socketMode); err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("localapi: %w", err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	return ln, func() {
		ln.Close() // unlinks the socket
	}, nil
}

// dialer connects to the agent's socket in dataDir.
func dialer(dataDir string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	path := filepath.Join(dataDir, SocketFile)
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}
}
