package ui

import (
	"time"

	"xdemat"
	"xdemat/pkcs11"
)

// cleOuverte is the token logged in for one batch of signatures: one PIN,
// one login, every signature of the batch, then closed. The app never keeps
// a session open between batches: a token left in the PC must not sign
// without its owner typing the PIN again.
type cleOuverte struct {
	module     *pkcs11.Module
	session    *pkcs11.Session
	signataire *pkcs11.Signataire
}

// ouvrirCle finds the token, logs in with pin and picks its signature
// certificate valid at maintenant (the one that expires last when there
// are several). The caller clears pin afterwards.
func ouvrirCle(module string, pin []byte, maintenant time.Time) (*cleOuverte, error) {
	m, j, err := pkcs11.OuvrirJeton(module, "")
	if err != nil {
		return nil, err
	}
	s, err := m.Connecter(j, pin)
	if err != nil {
		m.Fermer()
		return nil, err
	}
	c := &cleOuverte{module: m, session: s}
	certs, err := s.Certificats()
	if err != nil {
		c.Fermer()
		return nil, err
	}
	var choisi *pkcs11.Certificat
	var refus error
	for i := range certs {
		x := &certs[i]
		if !x.ClePrivee || !x.NonRepudiation {
			continue
		}
		if err := pkcs11.ValiditeALaSignature(x.X509, maintenant); err != nil {
			refus = err
			continue
		}
		if choisi == nil || x.FinValidite.After(choisi.FinValidite) {
			choisi = x
		}
	}
	if choisi == nil {
		c.Fermer()
		if refus != nil {
			return nil, refus
		}
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Aucun certificat de signature sur cette clé : elle ne peut pas signer. Contactez votre autorité de certification.")
	}
	if c.signataire, err = s.Signataire(choisi.ID); err != nil {
		c.Fermer()
		return nil, err
	}
	return c, nil
}

// Fermer logs out and releases the driver.
func (c *cleOuverte) Fermer() {
	if c.session != nil {
		c.session.Fermer()
	}
	c.module.Fermer()
}
