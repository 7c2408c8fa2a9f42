package xdemat

import (
	"fmt"
	"strings"
)

// Octets formats a size for people, the French way: "850 octets", "1,5 Mo".
func Octets(n int64) string {
	var s string
	switch {
	case n < 1000:
		return fmt.Sprintf("%d octets", n)
	case n < 1e6:
		s = fmt.Sprintf("%.1f Ko", float64(n)/1e3)
	case n < 1e9:
		s = fmt.Sprintf("%.1f Mo", float64(n)/1e6)
	default:
		s = fmt.Sprintf("%.1f Go", float64(n)/1e9)
	}
	return strings.Replace(s, ".", ",", 1)
}
