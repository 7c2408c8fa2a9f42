package pkcs11_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"xdemat/pkcs11"
	"xdemat/pkcs11/internal/bibliotheque"
	"xdemat/pkcs11/jetontest"
	"xdemat/signature"
)

func empreinte(t testing.TB, texte string) []byte {
	t.Helper()
	h := sha256.Sum256([]byte(texte))
	return h[:]
}

func TestListerJetonEtCertificats(t *testing.T) {
	jt := jetontest.Nouveau(t)
	m, j := jt.Ouvrir(t)
	// A right PIN clears SoftHSM2's "few tries left" flag that an earlier
	// test's wrong PIN may have set.
	if s, err := m.Connecter(j, jt.PINOctets()); err != nil {
		t.Fatal(err)
	} else {
		s.Fermer()
	}
	js, err := m.Jetons()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(js, func(x pkcs11.Jeton) bool { return x.Libelle == jetontest.Libelle }) {
		t.Fatalf("jeton %q absent de la liste %+v", jetontest.Libelle, js)
	}
	if j.Fabricant != "SoftHSM project" || j.Modele != "SoftHSM v2" || j.NumeroSerie == "" {
		t.Errorf("informations du jeton : %+v", j)
	}
	j, _ = m.Jeton(jetontest.Libelle)
	if j.PINBloque || j.PINDernierEssai || j.PINPeuDEssais || j.EtatPIN() != "" {
		t.Errorf("après un bon PIN, aucune alerte de PIN : %+v", j)
	}
	if !strings.Contains(j.Nom(), "« xdemat-test »") {
		t.Errorf("nom du jeton : %q", j.Nom())
	}

	// Without the PIN: certificates are public objects.
	certs, err := m.Certificats(j)
	if err != nil {
		t.Fatal(err)
	}
	// With the PIN: private keys are visible, so each certificate is paired.
	s := func() []pkcs11.Certificat {
		s, err := m.Connecter(j, jt.PINOctets())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Fermer()
		l, err := s.Certificats()
		if err != nil {
			t.Fatal(err)
		}
		return l
	}()

	cas := []struct {
		nom                 string
		cle                 jetontest.Cle
		rgs, qualifie, qscd bool
		nomCommun           string
		politiqueAttendue   string
	}{
		{"RSA, RGS** par la politique de l'ANSSI", jt.RSA, true, false, false, "Jean Dupont", "1.2.250.1.223.1.2.2.1"},
		{"ECDSA qualifié sur QSCD et RGS**", jt.ECDSA, true, true, true, "Marie Martin", "0.4.0.194112.1.2"},
		{"certificat expiré, toujours listé", jt.Expire, true, false, false, "Paul Ancien", "1.2.250.1.223.1.2.2.1"},
		{"certificat expirant dans 20 jours", jt.BientotExpire, true, false, false, "Claire Bientôt", "1.2.250.1.223.1.2.2.1"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			for _, liste := range [][]pkcs11.Certificat{certs, s} {
				i := slices.IndexFunc(liste, func(x pkcs11.Certificat) bool { return string(x.ID) == string(c.cle.ID) })
				if i < 0 {
					t.Fatalf("certificat %s absent", c.cle.Libelle)
				}
				d := liste[i]
				if d.Libelle != c.cle.Libelle || d.NomCommun != c.nomCommun || d.Organisation != "Commune de Test" {
					t.Errorf("identité : %q %q %q", d.Libelle, d.NomCommun, d.Organisation)
				}
				if !strings.Contains(d.Emetteur, "AC de test xdemat RGS") || d.NumeroSerie == "" {
					t.Errorf("émetteur ou série : %q %q", d.Emetteur, d.NumeroSerie)
				}
				if !d.FinValidite.Equal(c.cle.Cert.NotAfter) || !d.DebutValidite.Equal(c.cle.Cert.NotBefore) {
					t.Errorf("validité %v–%v", d.DebutValidite, d.FinValidite)
				}
				if !d.NonRepudiation || !slices.Contains(d.UsagesCle, "non-répudiation") || !slices.Contains(d.UsagesCle, "signature numérique") {
					t.Errorf("usages : %v", d.UsagesCle)
				}
				if !slices.Contains(d.Politiques, c.politiqueAttendue) {
					t.Errorf("politiques %v sans %s", d.Politiques, c.politiqueAttendue)
				}
				if d.RGS2Etoiles != c.rgs || d.Qualifie != c.qualifie || d.SurQSCD != c.qscd {
					t.Errorf("RGS** %v qualifié %v QSCD %v (%s)", d.RGS2Etoiles, d.Qualifie, d.SurQSCD, d.Motif)
				}
			}
			i := slices.IndexFunc(s, func(x pkcs11.Certificat) bool { return string(x.ID) == string(c.cle.ID) })
			if !s[i].ClePrivee {
				t.Errorf("après le PIN, la clé privée de %s doit être appariée", c.cle.Libelle)
			}
		})
	}
}

func TestSignerEtVerifier(t *testing.T) {
	jt := jetontest.Nouveau(t)
	s := jt.Connecter(t)
	h256 := empreinte(t, "Délibération 2026-041")
	h384 := sha512.Sum384([]byte("Délibération 2026-041"))
	cas := []struct {
		nom    string
		cle    jetontest.Cle
		digest []byte
		opts   crypto.SignerOpts
	}{
		{"RSA PKCS#1 v1.5 SHA-256", jt.RSA, h256, crypto.SHA256},
		{"RSA PKCS#1 v1.5 SHA-384", jt.RSA, h384[:], crypto.SHA384},
		{"RSA-PSS sel = taille du hachage", jt.RSA, h256, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}},
		{"RSA-PSS sel maximal", jt.RSA, h256, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: crypto.SHA256}},
		{"ECDSA P-256 SHA-256", jt.ECDSA, h256, crypto.SHA256},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			k, err := s.Signataire(c.cle.ID)
			if err != nil {
				t.Fatal(err)
			}
			if k.Certificat().SerialNumber.Cmp(c.cle.Cert.SerialNumber) != 0 {
				t.Fatal("le signataire n'a pas le certificat de sa clé")
			}
			sig, err := k.Sign(rand.Reader, c.digest, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			switch pub := k.Public().(type) {
			case *rsa.PublicKey:
				if pss, ok := c.opts.(*rsa.PSSOptions); ok {
					err = rsa.VerifyPSS(pub, pss.Hash, c.digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
				} else {
					err = rsa.VerifyPKCS1v15(pub, c.opts.HashFunc(), c.digest, sig)
				}
			case *ecdsa.PublicKey:
				if !ecdsa.VerifyASN1(pub, c.digest, sig) {
					err = errors.New("signature ECDSA refusée par crypto/ecdsa")
				}
			}
			if err != nil {
				t.Fatalf("signature refusée : %v", err)
			}
		})
	}
	// The two-step path the parapheur uses: an Empreinte and its algorithm.
	for _, c := range []struct {
		cle jetontest.Cle
		alg signature.Algorithme
	}{{jt.RSA, signature.RSAPKCS1v15SHA256}, {jt.RSA, signature.RSAPSSSHA256}, {jt.ECDSA, signature.ECDSASHA256}} {
		t.Run("empreinte "+string(c.alg), func(t *testing.T) {
			k, err := s.Signataire(c.cle.ID)
			if err != nil {
				t.Fatal(err)
			}
			e := signature.Empreinte{Valeur: h256, Algorithme: c.alg}
			sig, err := signature.Signer(k, e)
			if err != nil {
				t.Fatal(err)
			}
			if err := signature.Verifier(c.cle.Cert.PublicKey, e, sig); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPINIncorrect(t *testing.T) {
	jt := jetontest.Nouveau(t)
	m, j := jt.Ouvrir(t)
	faux := []byte("98765")
	_, err := m.Connecter(j, faux)
	if !errors.Is(err, pkcs11.ErrPINIncorrect) {
		t.Fatalf("attendu ErrPINIncorrect, obtenu %v", err)
	}
	if !strings.HasPrefix(err.Error(), "PIN incorrect") || strings.Contains(err.Error(), "98765") {
		t.Errorf("message : %q", err)
	}
	// SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a wrong PIN (and clears
	// it after a right one) but never tells the last try nor locks.
	var e *pkcs11.Erreur
	if !errors.As(err, &e) || e.EssaisRestants != -1 || !e.PeuDEssais || !strings.Contains(e.Message, "il reste peu d'essais") {
		t.Errorf("essais restants mal rapportés : %+v", e)
	}
	if j, _ := m.Jeton(jt.Libelle); !j.PINPeuDEssais {
		t.Errorf("le jeton doit signaler peu d'essais : %+v", j)
	}
	if c, ok := errors.AsType[p11.Error](err); !ok || c != p11.CKR_PIN_INCORRECT {
		t.Errorf("cause PKCS#11 perdue : %v", err)
	}
	// A failed login leaves the token free for the right PIN.
	s, err := m.Connecter(j, jt.PINOctets())
	if err != nil {
		t.Fatal(err)
	}
	s.Fermer()
	if j, _ := m.Jeton(jt.Libelle); j.PINPeuDEssais {
		t.Errorf("un bon PIN efface l'alerte : %+v", j)
	}
}

// SoftHSM2 2.6.1 never locks its PIN (12 wrong PINs in a row accepted the
// right one afterwards; only COUNT_LOW is ever set: measured), so a card
// with three tries is simulated around the real token.
func TestCleBloqueeApresTroisPINIncorrects(t *testing.T) {
	jt := jetontest.Nouveau(t)
	carte := &pkcs11.CarteSimulee{PIN: jt.PIN, Max: 3}
	m, err := pkcs11.OuvrirCarteSimulee(jt.Module, carte)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Fermer()
	j, err := m.Jeton(jt.Libelle)
	if err != nil {
		t.Fatal(err)
	}
	etapes := []struct {
		nom      string
		pin      string
		code     error
		restants int
		peu      bool
		message  string
		etatPIN  string
	}{
		{"premier PIN faux", "0000", pkcs11.ErrPINIncorrect, -1, true, "il reste peu d'essais avant le blocage", "il reste peu d'essais"},
		{"deuxième PIN faux", "0001", pkcs11.ErrPINIncorrect, 1, false, "il ne reste qu'un essai avant le blocage", "il ne reste qu'un essai"},
		{"troisième PIN faux : bloquée", "0002", pkcs11.ErrBloque, 0, false, "Clé bloquée", "Clé bloquée"},
		{"le bon PIN ne débloque pas", jt.PIN, pkcs11.ErrBloque, 0, false, "code PUK", "Clé bloquée"},
	}
	for _, e := range etapes {
		_, err := m.Connecter(j, []byte(e.pin))
		if !errors.Is(err, e.code) {
			t.Fatalf("%s : attendu %v, obtenu %v", e.nom, e.code, err)
		}
		er, _ := errors.AsType[*pkcs11.Erreur](err)
		if er.EssaisRestants != e.restants || er.PeuDEssais != e.peu || !strings.Contains(er.Message, e.message) {
			t.Errorf("%s : %+v", e.nom, er)
		}
		if e.code == pkcs11.ErrBloque && !strings.Contains(er.Message, "autorité de certification") {
			t.Errorf("%s : le message doit dire quoi faire : %q", e.nom, er.Message)
		}
		j, _ = m.Jeton(jt.Libelle)
		if !strings.Contains(j.EtatPIN(), e.etatPIN) {
			t.Errorf("%s : état du PIN %q", e.nom, j.EtatPIN())
		}
	}
}

func TestCertificatExpireRefuse(t *testing.T) {
	jt := jetontest.Nouveau(t)
	s := jt.Connecter(t)
	_, err := s.Signataire(jt.Expire.ID)
	if !errors.Is(err, pkcs11.ErrCertificatExpire) || !strings.Contains(err.Error(), "un certificat expiré ou pas encore valide ne peut pas signer") {
		t.Fatalf("certificat expiré accepté ou mal expliqué : %v", err)
	}
	// A certificate that expires in the middle of a batch stops the batch.
	k, err := s.Signataire(jt.BientotExpire.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Sign(rand.Reader, empreinte(t, "avant"), crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	k.FixerHorloge(func() time.Time { return time.Now().AddDate(0, 0, 21) })
	if _, err := k.Sign(rand.Reader, empreinte(t, "après"), crypto.SHA256); !errors.Is(err, pkcs11.ErrCertificatExpire) {
		t.Fatalf("signature après l'expiration : %v", err)
	}
	if c := s.Compteurs(); c.Signatures != 1 {
		t.Errorf("la signature refusée ne doit pas atteindre le jeton : %+v", c)
	}
}

func TestLotDeVingtAvecUneSeuleConnexion(t *testing.T) {
	jt := jetontest.Nouveau(t)
	s := jt.Connecter(t)
	k, err := s.Signataire(jt.RSA.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		h := empreinte(t, "document "+string(rune('A'+i)))
		sig, err := k.Sign(rand.Reader, h, crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if err := rsa.VerifyPKCS1v15(jt.RSA.Cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, h, sig); err != nil {
			t.Fatal(err)
		}
	}
	if c := s.Compteurs(); c != (pkcs11.Compteurs{Connexions: 1, Signatures: 20}) {
		t.Fatalf("compteurs %+v, attendu 1 connexion et 20 signatures", c)
	}
}

func TestSignaturesConcurrentes(t *testing.T) {
	jt := jetontest.Nouveau(t)
	s := jt.Connecter(t)
	rsaK, err := s.Signataire(jt.RSA.ID)
	if err != nil {
		t.Fatal(err)
	}
	ecK, err := s.Signataire(jt.ECDSA.ID)
	if err != nil {
		t.Fatal(err)
	}
	const routines, parRoutine = 8, 5
	var wg sync.WaitGroup
	erreurs := make(chan error, routines*parRoutine)
	for g := range routines {
		wg.Go(func() {
			k := rsaK
			if g%2 == 1 {
				k = ecK
			}
			for i := range parRoutine {
				h := empreinte(t, string(rune('a'+g))+string(rune('0'+i)))
				sig, err := k.Sign(rand.Reader, h, crypto.SHA256)
				if err != nil {
					erreurs <- err
					continue
				}
				ok := false
				switch pub := k.Public().(type) {
				case *rsa.PublicKey:
					ok = rsa.VerifyPKCS1v15(pub, crypto.SHA256, h, sig) == nil
				case *ecdsa.PublicKey:
					ok = ecdsa.VerifyASN1(pub, h, sig)
				}
				if !ok {
					erreurs <- errors.New("signature concurrente invalide")
				}
			}
		})
	}
	wg.Wait()
	close(erreurs)
	for err := range erreurs {
		t.Error(err)
	}
	if c := s.Compteurs(); c.Signatures != routines*parRoutine || c.Connexions != 1 {
		t.Errorf("compteurs %+v", c)
	}
}

func TestUneSeuleSessionParJeton(t *testing.T) {
	jt := jetontest.Nouveau(t)
	m, j := jt.Ouvrir(t)
	s, err := m.Connecter(j, jt.PINOctets())
	if err != nil {
		t.Fatal(err)
	}
	// Even with a wrong PIN: the token would say "already logged in"
	// without checking it.
	if _, err := m.Connecter(j, []byte("0000")); !errors.Is(err, pkcs11.ErrDejaConnecte) {
		t.Fatalf("deuxième session : %v", err)
	}
	s.Fermer()
	s2, err := m.Connecter(j, jt.PINOctets())
	if err != nil {
		t.Fatalf("après fermeture : %v", err)
	}
	s2.Fermer()
}

func TestFermetureEtFinalisation(t *testing.T) {
	jt := jetontest.Nouveau(t)
	m, j, err := pkcs11.OuvrirJeton(jt.Module, jt.Libelle)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Connecter(j, jt.PINOctets())
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.Signataire(jt.ECDSA.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Closing the module first keeps the library for the open session.
	if err := m.Fermer(); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Sign(rand.Reader, empreinte(t, "x"), crypto.SHA256); err != nil {
		t.Fatalf("la session doit survivre à la fermeture du module : %v", err)
	}
	if err := s.Fermer(); err != nil {
		t.Fatal(err)
	}
	if err := s.Fermer(); err != nil {
		t.Fatalf("deuxième fermeture : %v", err)
	}
	if _, err := k.Sign(rand.Reader, empreinte(t, "x"), crypto.SHA256); !errors.Is(err, pkcs11.ErrSessionFermee) {
		t.Fatalf("signature après fermeture : %v", err)
	}
	if n := bibliotheque.Ouverte(jt.Module); n != 0 {
		t.Fatalf("bibliothèque encore ouverte %d fois après le dernier utilisateur", n)
	}
}

func TestJetonRetirePendantLeLot(t *testing.T) {
	jt := jetontest.Nouveau(t)
	carte := &pkcs11.CarteSimulee{PIN: jt.PIN, Max: 3}
	m, err := pkcs11.OuvrirCarteSimulee(jt.Module, carte)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Fermer()
	j, _ := m.Jeton(jt.Libelle)
	s, err := m.Connecter(j, jt.PINOctets())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Fermer()
	k, err := s.Signataire(jt.RSA.ID)
	if err != nil {
		t.Fatal(err)
	}
	carte.ErreurSignature = p11.Error(p11.CKR_DEVICE_REMOVED)
	_, err = k.Sign(rand.Reader, empreinte(t, "x"), crypto.SHA256)
	if !errors.Is(err, pkcs11.ErrJetonAbsent) || !strings.Contains(err.Error(), "rebranchez-la") {
		t.Fatalf("clé retirée : %v", err)
	}
}

func TestCleSansCertificat(t *testing.T) {
	jt := jetontest.Nouveau(t)
	s := jt.Connecter(t)
	if _, err := s.Signataire([]byte{0x42}); !errors.Is(err, pkcs11.ErrCleIntrouvable) {
		t.Fatalf("identifiant inconnu : %v", err)
	}
}

func TestEmpreinteDeMauvaiseTaille(t *testing.T) {
	jt := jetontest.Nouveau(t)
	k := jt.Signataire(t, jt.RSA)
	if _, err := k.Sign(rand.Reader, []byte("trop court"), crypto.SHA256); !errors.Is(err, pkcs11.ErrNonPrisEnCharge) {
		t.Fatalf("empreinte de 10 octets acceptée : %v", err)
	}
}

// BenchmarkLot100 is the parapheur's batch: one PIN, 100 documents.
func BenchmarkLot100(b *testing.B) {
	jt := jetontest.Nouveau(b)
	m, j := jt.Ouvrir(b)
	empreintes := make([][]byte, 100)
	for i := range empreintes {
		empreintes[i] = empreinte(b, "document "+string(rune(i)))
	}
	var c pkcs11.Compteurs
	for b.Loop() {
		s, err := m.Connecter(j, jt.PINOctets())
		if err != nil {
			b.Fatal(err)
		}
		k, err := s.Signataire(jt.RSA.ID)
		if err != nil {
			b.Fatal(err)
		}
		for _, h := range empreintes {
			if _, err := k.Sign(rand.Reader, h, crypto.SHA256); err != nil {
				b.Fatal(err)
			}
		}
		c = s.Compteurs()
		if c != (pkcs11.Compteurs{Connexions: 1, Signatures: 100}) {
			b.Fatalf("compteurs %+v, attendu 1 connexion et 100 signatures", c)
		}
		s.Fermer()
	}
	b.ReportMetric(float64(c.Signatures), "signatures/lot")
	b.ReportMetric(float64(c.Connexions), "connexions/lot")
}

// BenchmarkSurcoutHorsJeton measures what the package adds around each
// token signature (lock, validity check, DigestInfo, counters): the token
// answers at once.
func BenchmarkSurcoutHorsJeton(b *testing.B) {
	jt := jetontest.Nouveau(b)
	carte := &pkcs11.CarteSimulee{PIN: jt.PIN, Max: 3}
	m, err := pkcs11.OuvrirCarteSimulee(jt.Module, carte)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Fermer()
	j, _ := m.Jeton(jt.Libelle)
	s, err := m.Connecter(j, jt.PINOctets())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Fermer()
	k, err := s.Signataire(jt.RSA.ID)
	if err != nil {
		b.Fatal(err)
	}
	carte.SansCalcul = true
	h := empreinte(b, "document")
	for b.Loop() {
		if _, err := k.Sign(rand.Reader, h, crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}
