// Package jetontest makes, once per test process, a throwaway SoftHSM2
// token holding the keys and certificates that signing tests need: an
// RSA-2048 and an ECDSA P-256 key pair generated on the token, with RGS**
// style certificates issued by a test CA (internal/pkitest), plus an
// expired certificate and one expiring in 20 days. Tests of any package may
// use it; they are skipped when SoftHSM2 is not installed.
//
// SoftHSM2 reads SOFTHSM2_CONF once, when the library is initialised: call
// Nouveau before anything in the test process opens the SoftHSM2 library.
package jetontest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"xdemat/internal/pkitest"
	"xdemat/pkcs11"
	"xdemat/pkcs11/internal/bibliotheque"
)

// Cle is a key pair on the token with its certificate (same CKA_ID).
type Cle struct {
	ID      []byte
	Libelle string
	Cert    *x509.Certificate
}

// Jeton is the test token.
type Jeton struct {
	Module  string // path of libsofthsm2.so
	Libelle string // token label
	PIN     string // user PIN ("PIN utilisateur"); a test value, not a secret
	Dossier string // temporary folder with softhsm2.conf and the token files
	AC      *pkitest.AC

	RSA           Cle // RSA-2048, valid RGS** signature certificate
	ECDSA         Cle // ECDSA P-256, valid, qualified (QCStatements) and RGS**
	Expire        Cle // ECDSA P-256, certificate expired yesterday
	BientotExpire Cle // ECDSA P-256, certificate expiring in 20 days
}

// Test token settings.
const (
	Libelle = "xdemat-test"
	PIN     = "1234"
	pinSO   = "87654321"
)

// modulesSoftHSM are where Debian, Ubuntu, Fedora and a source install put
// the library; XDEMAT_SOFTHSM2 overrides them.
var modulesSoftHSM = []string{
	"/usr/lib/softhsm/libsofthsm2.so",
	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/lib64/pkcs11/libsofthsm2.so",
	"/usr/local/lib/softhsm/libsofthsm2.so",
}

var (
	une     sync.Once
	jeton   *Jeton
	absent  string // why the token cannot be made here (skip)
	echec   error  // an unexpected failure (fatal)
	dossier string
)

// Nouveau returns the process's test token, making it on first call. It
// skips the test when softhsm2-util or the SoftHSM2 library is missing.
func Nouveau(tb testing.TB) *Jeton {
	tb.Helper()
	une.Do(func() {
		// pkitest calls tb.Fatal on failure, which leaves Do early: say so
		// to every later caller instead of handing out a nil token.
		echec = errors.New("création du jeton interrompue (voir le premier test en échec)")
		jeton, absent, echec = creer(tb)
	})
	if absent != "" {
		tb.Skip(absent)
	}
	if echec != nil {
		tb.Fatalf("jeton de test SoftHSM2 : %v", echec)
	}
	return jeton
}

// Nettoyer removes the token's folder; call it from TestMain after m.Run.
func Nettoyer() {
	if dossier != "" {
		os.RemoveAll(dossier)
	}
}

// PINOctets returns a fresh copy of the PIN, as the app passes it (the
// pkcs11 package never keeps it; callers may clear their copy).
func (j *Jeton) PINOctets() []byte { return []byte(j.PIN) }

// Cles returns the four keys, valid ones first.
func (j *Jeton) Cles() []Cle { return []Cle{j.RSA, j.ECDSA, j.Expire, j.BientotExpire} }

// Ouvrir opens the token's library for the test (closed at its end) and
// finds the token.
func (j *Jeton) Ouvrir(tb testing.TB) (*pkcs11.Module, pkcs11.Jeton) {
	tb.Helper()
	m, jt, err := pkcs11.OuvrirJeton(j.Module, j.Libelle)
	if err != nil {
		tb.Fatalf("ouverture du jeton de test : %v", err)
	}
	tb.Cleanup(func() { m.Fermer() })
	return m, jt
}

// Connecter opens a logged-in session for the test (closed at its end).
func (j *Jeton) Connecter(tb testing.TB) *pkcs11.Session {
	tb.Helper()
	m, jt := j.Ouvrir(tb)
	s, err := m.Connecter(jt, j.PINOctets())
	if err != nil {
		tb.Fatalf("connexion au jeton de test : %v", err)
	}
	tb.Cleanup(func() { s.Fermer() })
	return s
}

// Signataire opens a session and returns the crypto.Signer of c.
func (j *Jeton) Signataire(tb testing.TB, c Cle) *pkcs11.Signataire {
	tb.Helper()
	k, err := j.Connecter(tb).Signataire(c.ID)
	if err != nil {
		tb.Fatalf("signataire %s : %v", c.Libelle, err)
	}
	return k
}

// PEMAC writes the test CA certificate in dir, for outside verifiers
// (xmlsec1 --trusted-pem, openssl -CAfile, certutil).
func (j *Jeton) PEMAC(tb testing.TB, dir string) string {
	return pkitest.EcrirePEM(tb, dir, "ac-test.pem", j.AC.Cert)
}

func creer(tb testing.TB) (*Jeton, string, error) {
	util, err := exec.LookPath("softhsm2-util")
	if err != nil {
		return nil, "softhsm2-util introuvable : installez le paquet softhsm2 (installer/deps.sh) pour les tests de signature par clé / softhsm2-util not found", nil
	}
	module := os.Getenv("XDEMAT_SOFTHSM2")
	if module == "" {
		for _, m := range modulesSoftHSM {
			if _, err := os.Stat(m); err == nil {
				module = m
				break
			}
		}
	}
	if module == "" {
		return nil, "bibliothèque libsofthsm2.so introuvable (paquet softhsm2, ou XDEMAT_SOFTHSM2) / SoftHSM2 module not found", nil
	}
	if bibliotheque.Ouverte(module) > 0 {
		return nil, "", errors.New("la bibliothèque SoftHSM2 est déjà ouverte dans ce processus : appelez jetontest.Nouveau avant de l'ouvrir (SOFTHSM2_CONF n'est lu qu'à l'initialisation)")
	}
	d, err := os.MkdirTemp("", "xdemat-jeton-")
	if err != nil {
		return nil, "", err
	}
	dossier = d
	if err := os.Mkdir(filepath.Join(d, "jetons"), 0o700); err != nil {
		return nil, "", err
	}
	conf := filepath.Join(d, "softhsm2.conf")
	texte := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", filepath.Join(d, "jetons"))
	if err := os.WriteFile(conf, []byte(texte), 0o600); err != nil {
		return nil, "", err
	}
	// Process-wide on purpose: the library reads it at every initialisation,
	// in every test of the process.
	os.Setenv("SOFTHSM2_CONF", conf)
	cmd := exec.Command(util, "--init-token", "--free", "--label", Libelle, "--so-pin", pinSO, "--pin", PIN)
	cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+conf)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("softhsm2-util --init-token : %v : %s", err, out)
	}

	j := &Jeton{Module: module, Libelle: Libelle, PIN: PIN, Dossier: d, AC: pkitest.NouvelleAC(tb)}
	ctx, err := bibliotheque.Prendre(module)
	if err != nil {
		return nil, "", fmt.Errorf("chargement de %s : %w", module, err)
	}
	defer bibliotheque.Rendre(module) // finalised when the tests close theirs
	sh, err := ouvrirSession(ctx)
	if err != nil {
		return nil, "", err
	}
	defer ctx.CloseSession(sh)
	defer ctx.Logout(sh)

	maintenant := time.Now()
	cles := []struct {
		dst        *Cle
		id         byte
		libelle    string
		rsa        bool
		signataire pkitest.Signataire
	}{
		{&j.RSA, 1, "signature-rsa", true, pkitest.Signataire{}},
		{&j.ECDSA, 2, "signature-ecdsa", false, pkitest.Signataire{Nom: "Marie Martin", Qualifie: true,
			Politiques: []asn1.ObjectIdentifier{pkitest.PolitiqueRGSDeuxEtoiles, pkitest.PolitiqueQualifiee}}},
		{&j.Expire, 3, "signature-expiree", false, pkitest.Signataire{Nom: "Paul Ancien",
			NotBefore: maintenant.AddDate(-3, 0, 0), NotAfter: maintenant.AddDate(0, 0, -1)}},
		{&j.BientotExpire, 4, "signature-bientot-expiree", false, pkitest.Signataire{Nom: "Claire Bientôt",
			NotBefore: maintenant.AddDate(-1, 0, 0), NotAfter: maintenant.Add(20*24*time.Hour + time.Hour)}},
	}
	for _, c := range cles {
		id := []byte{c.id}
		var pub crypto.PublicKey
		if c.rsa {
			pub, err = genererRSA(ctx, sh, id, c.libelle)
		} else {
			pub, err = genererECDSA(ctx, sh, id, c.libelle)
		}
		if err != nil {
			return nil, "", fmt.Errorf("clé %s : %w", c.libelle, err)
		}
		cert := j.AC.Emettre(tb, pub, c.signataire)
		if err := ecrireCertificat(ctx, sh, id, c.libelle, cert); err != nil {
			return nil, "", fmt.Errorf("certificat %s : %w", c.libelle, err)
		}
		*c.dst = Cle{ID: id, Libelle: c.libelle, Cert: cert}
	}
	return j, "", nil
}

func ouvrirSession(ctx *p11.Ctx) (p11.SessionHandle, error) {
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		return 0, err
	}
	for _, s := range slots {
		ti, err := ctx.GetTokenInfo(s)
		if err != nil || ti.Label != Libelle {
			continue
		}
		sh, err := ctx.OpenSession(s, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
		if err != nil {
			return 0, err
		}
		if err := ctx.Login(sh, p11.CKU_USER, PIN); err != nil {
			ctx.CloseSession(sh)
			return 0, err
		}
		return sh, nil
	}
	return 0, fmt.Errorf("jeton %q introuvable après son initialisation", Libelle)
}

// modelePrive is the private half: on the token, never extractable.
func modelePrive(id []byte, libelle string) []*p11.Attribute {
	return []*p11.Attribute{
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, false),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_ID, id),
		p11.NewAttribute(p11.CKA_LABEL, libelle),
	}
}

func genererRSA(ctx *p11.Ctx, sh p11.SessionHandle, id []byte, libelle string) (crypto.PublicKey, error) {
	pub, _, err := ctx.GenerateKeyPair(sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS_KEY_PAIR_GEN, nil)},
		[]*p11.Attribute{
			p11.NewAttribute(p11.CKA_TOKEN, true),
			p11.NewAttribute(p11.CKA_VERIFY, true),
			p11.NewAttribute(p11.CKA_MODULUS_BITS, 2048),
			p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1}),
			p11.NewAttribute(p11.CKA_ID, id),
			p11.NewAttribute(p11.CKA_LABEL, libelle),
		}, modelePrive(id, libelle))
	if err != nil {
		return nil, err
	}
	a, err := ctx.GetAttributeValue(sh, pub, []*p11.Attribute{
		p11.NewAttribute(p11.CKA_MODULUS, nil), p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, nil)})
	if err != nil {
		return nil, err
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(a[0].Value), E: int(new(big.Int).SetBytes(a[1].Value).Int64())}, nil
}

// oidP256 is the DER of the prime256v1 curve OID, as CKA_EC_PARAMS wants it.
var oidP256 = []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}

func genererECDSA(ctx *p11.Ctx, sh p11.SessionHandle, id []byte, libelle string) (crypto.PublicKey, error) {
	pub, _, err := ctx.GenerateKeyPair(sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_EC_KEY_PAIR_GEN, nil)},
		[]*p11.Attribute{
			p11.NewAttribute(p11.CKA_TOKEN, true),
			p11.NewAttribute(p11.CKA_VERIFY, true),
			p11.NewAttribute(p11.CKA_EC_PARAMS, oidP256),
			p11.NewAttribute(p11.CKA_ID, id),
			p11.NewAttribute(p11.CKA_LABEL, libelle),
		}, modelePrive(id, libelle))
	if err != nil {
		return nil, err
	}
	a, err := ctx.GetAttributeValue(sh, pub, []*p11.Attribute{p11.NewAttribute(p11.CKA_EC_POINT, nil)})
	if err != nil {
		return nil, err
	}
	// CKA_EC_POINT is the DER OCTET STRING of the uncompressed point.
	var point []byte
	if _, err := asn1.Unmarshal(a[0].Value, &point); err != nil {
		return nil, fmt.Errorf("CKA_EC_POINT illisible : %w", err)
	}
	return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
}

func ecrireCertificat(ctx *p11.Ctx, sh p11.SessionHandle, id []byte, libelle string, c *x509.Certificate) error {
	serie, err := asn1.Marshal(c.SerialNumber)
	if err != nil {
		return err
	}
	_, err = ctx.CreateObject(sh, []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_CERTIFICATE),
		p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, false),
		p11.NewAttribute(p11.CKA_ID, id),
		p11.NewAttribute(p11.CKA_LABEL, libelle),
		p11.NewAttribute(p11.CKA_SUBJECT, c.RawSubject),
		p11.NewAttribute(p11.CKA_ISSUER, c.RawIssuer),
		p11.NewAttribute(p11.CKA_SERIAL_NUMBER, serie),
		p11.NewAttribute(p11.CKA_VALUE, c.Raw),
	})
	return err
}
