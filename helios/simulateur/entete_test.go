package simulateur

import (
	"bytes"

	"xdemat/helios"
	"xdemat/pes"
)

// lireEnTete gives the EnTetePES of a PES_Aller, to build its transport
// parameters as the sender does.
func lireEnTete(b []byte) (helios.EnTetePES, error) {
	f, err := pes.Lire(bytes.NewReader(b))
	if err != nil {
		return helios.EnTetePES{}, err
	}
	return enTete(f.EnTete), nil
}

func depotTest() helios.Depot {
	return helios.NouveauDepot("PESALR2_21510108000019_260302_001.xml", "VHPCE21", enteteTest)
}
