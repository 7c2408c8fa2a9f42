package assets

import (
	"encoding/xml"
	"testing"
)

func TestIconeEstUnSVGValide(t *testing.T) {
	var svg struct {
		XMLName xml.Name
		ViewBox string `xml:"viewBox,attr"`
	}
	if err := xml.Unmarshal(Icone(), &svg); err != nil {
		t.Fatal(err)
	}
	if svg.XMLName.Local != "svg" || svg.ViewBox != "0 0 64 64" {
		t.Fatalf("icône inattendue : %+v", svg)
	}
}
