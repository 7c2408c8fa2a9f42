package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// mesure is the hidden -mesure flag of the benchmark: the time from
// the process start to the first image painted, to the home page painted
// with its list, and the memory after a while; then the app quits.
type mesure struct {
	debut time.Time
	duree time.Duration
	app   fyne.App

	mu         sync.Mutex
	premiere   time.Duration // first frame painted
	accueil    time.Duration // first frame painted after the home list loaded
	attendPret bool
	sonde      *canvas.Raster
}

// Resultat is the JSON line printed on stdout.
type Resultat struct {
	PremiereImageMs int64   `json:"premiereImageMs"`
	AccueilMs       int64   `json:"accueilMs,omitempty"`
	RSSMo           float64 `json:"rssMo"`
	// GoMo is the part of the memory the Go runtime holds (heap, stacks,
	// runtime), so that the rest (GL driver, fonts in C) can be told apart.
	GoMo float64 `json:"goMo"`
}

func newMesure(debut time.Time, duree time.Duration, a fyne.App) *mesure {
	m := &mesure{debut: debut, duree: duree, app: a}
	// The painter calls a raster's generator when it draws it: the first
	// call is the first frame actually painted.
	m.sonde = canvas.NewRaster(m.peint)
	m.sonde.SetMinSize(fyne.NewSize(1, 1))
	m.sonde.Resize(fyne.NewSize(1, 1)) // no layout sizes it
	go func() {
		time.Sleep(duree)
		m.ecrire()
		fyne.Do(a.Quit)
	}()
	return m
}

// sonder adds the probe to the window's content (again after it changed).
func (m *mesure) sonder(w fyne.Window) {
	w.SetContent(container.NewStack(w.Content(), container.NewWithoutLayout(m.sonde)))
}

func (m *mesure) peint(w, h int) image.Image {
	t := time.Since(m.debut)
	m.mu.Lock()
	if m.premiere == 0 {
		m.premiere = t
	}
	if m.attendPret && m.accueil == 0 {
		m.accueil = t
	}
	m.mu.Unlock()
	return image.NewRGBA(image.Rect(0, 0, max(w, 1), max(h, 1)))
}

// accueilPret is called on the UI thread when the home list is loaded: the
// next frame painted shows it.
func (m *mesure) accueilPret() {
	m.mu.Lock()
	m.attendPret = true
	m.mu.Unlock()
	m.sonde.Refresh()
}

func (m *mesure) ecrire() {
	m.mu.Lock()
	r := Resultat{PremiereImageMs: m.premiere.Milliseconds(), AccueilMs: m.accueil.Milliseconds(), RSSMo: rssMo(), GoMo: goMo()}
	m.mu.Unlock()
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

// goMo returns the memory mapped by the Go runtime and not released to the
// system, in MiB.
func goMo() float64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	b := float64(s[0].Value.Uint64() - s[1].Value.Uint64())
	return float64(int(b/(1<<20)*10)) / 10
}

// rssMo returns the resident memory of the process in MiB (Linux; 0 elsewhere).
func rssMo() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return float64(int(kb/1024*10)) / 10
		}
	}
	return 0
}
