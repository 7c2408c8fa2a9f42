package xades

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Attribute type names of RFC 4514 and the usual extras (DC, E, OI…)
// found in X509IssuerName as other producers write it.
var typesAttribut = map[string]string{
	"CN": "2.5.4.3", "C": "2.5.4.6", "O": "2.5.4.10", "OU": "2.5.4.11", "L": "2.5.4.7",
	"ST": "2.5.4.8", "S": "2.5.4.8", "STREET": "2.5.4.9", "SERIALNUMBER": "2.5.4.5",
	"DC": "0.9.2342.19200300.100.1.25", "UID": "0.9.2342.19200300.100.1.1",
	"E": "1.2.840.113549.1.9.1", "EMAILADDRESS": "1.2.840.113549.1.9.1",
	"T": "2.5.4.12", "TITLE": "2.5.4.12", "SN": "2.5.4.4", "SURNAME": "2.5.4.4",
	"G": "2.5.4.42", "GIVENNAME": "2.5.4.42", "OI": "2.5.4.97", "ORGANIZATIONIDENTIFIER": "2.5.4.97",
	"POSTALCODE": "2.5.4.17",
}

func normaliser(v string) string {
	return strings.ToLower(strings.Join(strings.Fields(v), " "))
}

// memeEmetteur compares an X509IssuerName string with the issuer of cert,
// attribute by attribute and ignoring order, case and spacing: producers
// write the same name in different ways (order of RDNs, DC=, OID=#hex).
func memeEmetteur(cert *x509.Certificate, nom string) bool {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(cert.RawIssuer, &rdns); err != nil || len(rest) > 0 {
		return false
	}
	var attendu []string
	for _, rdn := range rdns {
		for _, atv := range rdn {
			attendu = append(attendu, atv.Type.String()+"="+normaliser(fmt.Sprint(atv.Value)))
		}
	}
	lu, ok := lireNom(nom)
	if !ok {
		return false
	}
	slices.Sort(attendu)
	slices.Sort(lu)
	return slices.Equal(attendu, lu)
}

// lireNom parses an RFC 4514 distinguished name into "oid=value" strings.
func lireNom(nom string) ([]string, bool) {
	var out []string
	var cur strings.Builder
	var parts []string
	for i := 0; i < len(nom); i++ {
		c := nom[i]
		switch {
		case c == '\\' && i+1 < len(nom):
			cur.WriteByte(c)
			cur.WriteByte(nom[i+1])
			i++
		case c == ',' || c == ';' || c == '+':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	parts = append(parts, cur.String())
	for _, p := range parts {
		k := strings.IndexByte(p, '=')
		if k < 0 {
			return nil, false
		}
		typ := strings.ToUpper(strings.TrimSpace(p[:k]))
		if oid, ok := typesAttribut[typ]; ok {
			typ = oid
		}
		typ = strings.TrimPrefix(typ, "OID.")
		val := strings.TrimSpace(p[k+1:])
		if strings.HasPrefix(val, "#") {
			der, err := hex.DecodeString(val[1:])
			if err != nil {
				return nil, false
			}
			var v any
			if _, err := asn1.Unmarshal(der, &v); err != nil {
				return nil, false
			}
			val = fmt.Sprint(v)
		} else {
			val = sansEchappement(strings.Trim(val, `"`))
		}
		out = append(out, typ+"="+normaliser(val))
	}
	return out, true
}

func sansEchappement(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			if i+2 < len(s) {
				if x, err := hex.DecodeString(s[i+1 : i+3]); err == nil {
					b.Write(x)
					i += 2
					continue
				}
			}
			b.WriteByte(s[i+1])
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
