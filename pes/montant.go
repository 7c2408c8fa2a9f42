package pes

import (
	"fmt"
	"strconv"
	"strings"
)

// Montant is an amount in euro cents: PES amounts have at most two decimals
// (xs:decimal, fractionDigits 2), and totals must add up exactly, which
// float64 does not guarantee.
type Montant int64

// lireMontant parses a PES amount: optional sign, digits, optional point and
// one or two decimals ("4874.40", "12", "0.5").
func lireMontant(s string) (Montant, bool) {
	s = strings.TrimSpace(s)
	negatif := false
	switch {
	case strings.HasPrefix(s, "-"):
		negatif, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	entiers, decimales, _ := strings.Cut(s, ".")
	if entiers == "" && decimales == "" || len(decimales) > 2 {
		return 0, false
	}
	// totalDigits 14 in the XSD: 16 digits still fit an int64 of cents.
	if len(entiers) > 16 || !chiffres(entiers) || !chiffres(decimales) {
		return 0, false
	}
	for len(decimales) < 2 {
		decimales += "0"
	}
	if entiers == "" {
		entiers = "0"
	}
	n, err := strconv.ParseInt(entiers+decimales, 10, 64)
	if err != nil {
		return 0, false
	}
	if negatif {
		n = -n
	}
	return Montant(n), true
}

func chiffres(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats the amount the French way: "4 874,40 €", with a narrow
// no-break space between thousands.
func (m Montant) String() string {
	signe := ""
	n := int64(m)
	if n < 0 {
		signe, n = "-", -n
	}
	entiers := strconv.FormatInt(n/100, 10)
	var b strings.Builder
	for i, c := range entiers {
		if i > 0 && (len(entiers)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%s,%02d\u00a0€", signe, b.String(), n%100)
}

// PES returns the amount as written in a PES file: "4874.40".
func (m Montant) PES() string {
	n := int64(m)
	signe := ""
	if n < 0 {
		signe, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", signe, n/100, n%100)
}
