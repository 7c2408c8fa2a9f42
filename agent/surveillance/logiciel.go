package surveillance

import (
	"os"
	"regexp"
	"strings"
)

// Logiciel is an accounting software that writes PES_Aller files, with the
// folders where it usually puts them. The paths are the installers' usual
// defaults as far as we know them — no editor publishes them, so the
// technicien confirms them on site and the poste's configuration overrides
// them. Most of these products are now also sold as web applications, whose
// exports land in the user's Téléchargements folder: it is listed last for
// each, as the fallback.
type Logiciel struct {
	Code    string   `json:"code"`
	Nom     string   `json:"nom"`
	Windows []string `json:"windows"` // %VARIABLE% are expanded from the environment
	Linux   []string `json:"linux"`   // $VARIABLE likewise
}

// telechargements is where a browser saves an export from a web version.
const (
	telechargementsWindows = `%USERPROFILE%\Downloads`
	telechargementsLinux   = `$HOME/Téléchargements`
)

// Logiciels are the accounting software of small communes named in the
// issue, Windows first (nearly every mairie PC).
var Logiciels = []Logiciel{
	{Code: "jvs", Nom: "JVS-Mairistem (Horizon Villages, Horizon On-line)",
		Windows: []string{`C:\JVS\Horizon\PES`, `C:\Horizon\Export\PES`, telechargementsWindows},
		Linux:   []string{telechargementsLinux}},
	{Code: "berger-levrault", Nom: "Berger-Levrault (e.magnus, BL.gf)",
		Windows: []string{`C:\BL\emagnus\Echanges\PES`, `C:\Berger-Levrault\PES`, telechargementsWindows},
		Linux:   []string{telechargementsLinux}},
	{Code: "segilog", Nom: "Segilog (Milord)",
		Windows: []string{`C:\Segilog\Milord\PES`, `C:\Milord\Export`, telechargementsWindows},
		Linux:   []string{telechargementsLinux}},
	{Code: "cosoluce", Nom: "Cosoluce (Coloris)",
		Windows: []string{`C:\Cosoluce\Coloris\PES`, `C:\Coloris\Export`, telechargementsWindows},
		Linux:   []string{telechargementsLinux}},
	{Code: "ciril", Nom: "Ciril Group (Civil Net Finances)",
		Windows: []string{`C:\Ciril\Export\PES`, telechargementsWindows},
		Linux:   []string{telechargementsLinux}},
	{Code: "nfi", Nom: "NFI (Nouvelle Formule Informatique)",
		Windows: []string{`C:\NFI\PES`, telechargementsWindows},
		Linux:   []string{telechargementsLinux}},
}

// LogicielParCode finds a software by its code.
func LogicielParCode(code string) (Logiciel, bool) {
	for _, l := range Logiciels {
		if l.Code == strings.ToLower(strings.TrimSpace(code)) {
			return l, true
		}
	}
	return Logiciel{}, false
}

// Dossiers gives the default folders for goos ("windows" or another), with
// variables expanded by env (os.Getenv when nil). A folder whose variable is
// not set is left out rather than guessed.
func (l Logiciel) Dossiers(goos string, env func(string) string) []string {
	if env == nil {
		env = os.Getenv
	}
	modeles := l.Linux
	if goos == "windows" {
		modeles = l.Windows
	}
	var out []string
	for _, m := range modeles {
		if d, ok := developper(m, env); ok {
			out = append(out, d)
		}
	}
	return out
}

var (
	reVarWindows = regexp.MustCompile(`%([A-Za-z_][A-Za-z0-9_]*)%`)
	reVarUnix    = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)
)

func developper(m string, env func(string) string) (string, bool) {
	ok := true
	f := func(re *regexp.Regexp) func(string) string {
		return func(v string) string {
			val := env(re.FindStringSubmatch(v)[1])
			if val == "" {
				ok = false
			}
			return val
		}
	}
	m = reVarWindows.ReplaceAllStringFunc(m, f(reVarWindows))
	m = reVarUnix.ReplaceAllStringFunc(m, f(reVarUnix))
	return m, ok
}
