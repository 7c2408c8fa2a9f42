// Package paquets holds the checks of the installers that `make package`
// builds into bin/packages/: the Windows MSI inspected with msiinfo and
// osslsigncode, the .deb inspected with dpkg-deb then installed, upgraded,
// removed and purged on this machine. `make package-test` runs them with
// XDEMAT_PAQUETS set; a plain `go test ./...` skips them (and only checks
// the version numbering of installer/version.sh).
package paquets
