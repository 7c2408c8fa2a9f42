# xdemat — see README.md. `make help` lists the targets.
GO      ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
# CLE_PUBLICATION is the SPL's release public key (base64, as printed by
# `xdemat-central release keygen`); agents built without it never update
# themselves. Given at release time: make package CLE_PUBLICATION=…
CLE_PUBLICATION ?=
LDFLAGS := -s -w -X xdemat.Version=$(VERSION) $(if $(CLE_PUBLICATION),-X xdemat/agent/versions.CleDePublication=$(CLE_PUBLICATION))
GOBIN   := $(shell $(GO) env GOPATH)/bin
export LANG ?= C.UTF-8
# restic and staticcheck are installed there by installer/deps.sh.
export PATH := $(GOBIN):$(PATH)

.PHONY: help deps app-linux build build-windows build-windows-app package package-test test test-short lint bench bench-app screenshot run clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

deps: ## install missing system packages (apt) and Go tools
	@bash installer/deps.sh

build: ## build every binary into bin/ (the app with cgo), and the Windows .exe of agent and central
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/xdemat-agent ./cmd/xdemat-central
	CGO_ENABLED=1 $(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/xdemat
	$(MAKE) --no-print-directory build-windows

build-windows: ## Windows .exe of agent and central, and the agent for linux/arm64 (the SPL's small box); pure Go, no cgo
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/windows/ ./cmd/xdemat-agent ./cmd/xdemat-central
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/linux-arm64/ ./cmd/xdemat-agent

build-windows-app: ## Windows .exe of the desktop app (cgo with mingw: 5 min cold; not part of make test)
	@command -v x86_64-w64-mingw32-gcc >/dev/null || { echo "Installez gcc-mingw-w64-x86-64 (apt-get install gcc-mingw-w64-x86-64)."; exit 1; }
	GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc $(GO) build -ldflags '$(LDFLAGS) -H=windowsgui' -o bin/windows/ ./cmd/xdemat

# restic.exe, shipped next to the agent by the MSI: pure Go, cross-compiled
# from the module proxy (go install puts cross-compiled binaries in
# GOPATH/bin/windows_amd64 and refuses a GOBIN).
bin/windows/restic.exe:
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 GOBIN= GOFLAGS= $(GO) install -ldflags '-s -w' github.com/restic/restic/cmd/restic@v0.18.1
	install -D -m 0755 "$$($(GO) env GOPATH | cut -d: -f1)/bin/windows_amd64/restic.exe" $@

package: deps app-linux build-windows build-windows-app bin/windows/restic.exe ## bin/packages/: the .deb and the signed .msi of a mairie PC (version from git describe)
	@rm -f bin/packages/xdemat_*.deb bin/packages/xdemat-*.msi
	@VERSION='$(VERSION)' bash installer/deb.sh -o bin/packages
	@VERSION='$(VERSION)' bash installer/msi.sh -o bin/packages

package-test: package ## inspect the packages (msiinfo, osslsigncode, dpkg-deb), install, upgrade and purge the .deb here (as root)
	XDEMAT_PAQUETS='$(CURDIR)/bin/packages' $(GO) test -count=1 -timeout 20m ./installer/...

lint: deps ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt à appliquer :"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GOBIN)/staticcheck ./...

test: deps lint build-windows package-test ## everything: lint, Windows build, packages, all tests (race detector) on SQLite and a real PostgreSQL
	$(GO) test -race -count=1 -timeout 45m ./...

test-short: ## quick tests, no race detector
	$(GO) test -count=1 ./...

bench: deps ## benchmarks of the issue notes (sync drain, fan-in, round trip, stores, 2 GB backup, REST backend, signing)
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./cmd/xdemat-agent/ ./central/api/ ./central/server/
	$(GO) test -run '^$$' -bench . -benchmem -skip RechercheActes100000 ./central/sqlite/ ./agent/sqlite/ ./central/backuprepo/
	$(GO) test -run '^$$' -bench RechercheActes100000 -benchtime 2000x -timeout 30m ./agent/sqlite/
	$(GO) test -run '^$$' -bench . -benchtime 3x ./agent/localapi/ ./pkcs11/ ./signature/pades/ ./signature/xades/

app-linux: # bin/xdemat and the agent it needs, without the Windows builds
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/xdemat-agent
	CGO_ENABLED=1 $(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/xdemat

bench-app: deps app-linux ## the app under Xvfb with 1,000 notifications: first image, home page, memory after 1 min
	@bash cmd/xdemat/internal/demo/xvfb.sh mesure 1000 1m

screenshot: deps app-linux ## bin/ecran-accueil.png: the home page under Xvfb with a few notifications
	@bash cmd/xdemat/internal/demo/xvfb.sh ecran 6

run: deps app-linux ## the whole suite on this machine: central (SQLite, simulators), a demo commune, its enrolled agent, the app with the maire's demo token
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/xdemat-central
	CGO_ENABLED=0 $(GO) build -o bin/xdemat-demo ./cmd/xdemat/internal/demo
	@bash installer/demo.sh

clean: ## remove built files
	rm -rf bin
