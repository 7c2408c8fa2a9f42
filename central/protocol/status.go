package protocol

import (
	"net/http"

	"xdemat"
)

// Status returns the HTTP status that answers a domain error code. Central's
// API, its console and the agent's local API all answer with it, so that a
// code means the same status everywhere.
func Status(code string) int {
	switch code {
	case xdemat.EINVALID:
		return http.StatusBadRequest
	case xdemat.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case xdemat.EFORBIDDEN:
		return http.StatusForbidden
	case xdemat.ENOTFOUND:
		return http.StatusNotFound
	case xdemat.ECONFLICT:
		return http.StatusConflict
	case xdemat.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case xdemat.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
