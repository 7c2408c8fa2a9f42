package xdemat

import (
	"time"
	// The communes' time zone must load on a Windows PC too, which has no
	// IANA database of its own.
	_ "time/tzdata"
)

// Paris is the time zone of the communes: dates shown in texts, e-mails and
// documents are in it, whatever the machine's own zone.
var Paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err) // embedded tzdata: cannot happen
	}
	return l
}()
