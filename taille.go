package xdemat

import (
	"fmt"
	"strings"
)

// Octets formats a size for people, the French way, in units of 1,024 as
// file managers show them: "850 octets", "1,5 Ko", "512 Mo".
func Octets(n int64) string {
	units := []string{"Ko", "Mo", "Go", "To"}
	if n < 1024 {
		return fmt.Sprintf("%d octets", n)
	}
	v, u := float64(n)/1024, 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	s := strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
	return strings.Replace(s, ".", ",", 1) + " " + units[u]
}
