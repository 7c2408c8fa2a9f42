// Package crashpoint lets the end-to-end tests kill the agent with SIGKILL at a
// precise point of a transfer (in the middle of a chunk, after central stored
// it but before the agent recorded it…), to prove that nothing is lost nor
// duplicated whatever the moment of a crash or a power cut.
//
// It is driven only by the XDEMAT_CRASHPOINT environment variable
// ("name" or "name:n" to crash at the n-th hit); without it, Hit costs one
// atomic load.
package crashpoint

import (
	"os"
	"strconv"
	"strings"
	"sync/atomic"
)

var (
	armed atomic.Bool
	name  string
	after int64
	hits  atomic.Int64
)

func init() {
	v := os.Getenv("XDEMAT_CRASHPOINT")
	if v == "" {
		return
	}
	name, after = v, 1
	if i := strings.LastIndexByte(v, ':'); i > 0 {
		if n, err := strconv.ParseInt(v[i+1:], 10, 64); err == nil && n > 0 {
			name, after = v[:i], n
		}
	}
	armed.Store(true)
}

// Hit kills the process at once when the armed crash point p is reached for
// the n-th time. Deferred functions do not run, files are not flushed: this is
// the same as a kill -9 or a power cut.
func Hit(p string) {
	if !armed.Load() || p != name {
		return
	}
	if hits.Add(1) == after {
		kill()
	}
}
