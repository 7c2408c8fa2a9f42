package xdemat

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A profile password only keeps colleagues from acting under each other's
// name on a shared mairie PC; it is hashed with PBKDF2-SHA256 (stdlib, no
// dependency) at OWASP's 2023 cost, and the hash travels with the user so
// that every poste of the commune accepts it.
const (
	prefixeEmpreinte      = "pbkdf2-sha256$"
	iterationsMotDePasse  = 600_000
	LongueurMinMotDePasse = 8
)

// HacherMotDePasse returns the hash to store in Utilisateur.MotDePasse.
func HacherMotDePasse(mdp string) (string, error) {
	if utf8.RuneCountInString(mdp) < LongueurMinMotDePasse {
		return "", Errorf(EINVALID, "Le mot de passe doit compter au moins %d caractères.", LongueurMinMotDePasse)
	}
	if !texteValide(mdp, 256) {
		return "", Errorf(EINVALID, "Le mot de passe est trop long ou contient des caractères interdits.")
	}
	sel := make([]byte, 16)
	rand.Read(sel)
	cle, err := pbkdf2.Key(sha256.New, mdp, sel, iterationsMotDePasse, 32)
	if err != nil {
		return "", fmt.Errorf("pbkdf2: %w", err)
	}
	b64 := base64.RawStdEncoding
	return prefixeEmpreinte + strconv.Itoa(iterationsMotDePasse) + "$" + b64.EncodeToString(sel) + "$" + b64.EncodeToString(cle), nil
}

// VerifierMotDePasse reports whether mdp matches the stored hash. An empty
// hash (a profile without password) accepts anything.
func VerifierMotDePasse(empreinte, mdp string) bool {
	if empreinte == "" {
		return true
	}
	parts := strings.Split(strings.TrimPrefix(empreinte, prefixeEmpreinte), "$")
	if !strings.HasPrefix(empreinte, prefixeEmpreinte) || len(parts) != 3 {
		return false
	}
	iter, err := strconv.Atoi(parts[0])
	if err != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	b64 := base64.RawStdEncoding
	sel, err1 := b64.DecodeString(parts[1])
	attendu, err2 := b64.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(attendu) == 0 {
		return false
	}
	cle, err := pbkdf2.Key(sha256.New, mdp, sel, iter, len(attendu))
	return err == nil && subtle.ConstantTimeCompare(cle, attendu) == 1
}

var telephoneRE = regexp.MustCompile(`^\+33[67][0-9]{8}$`)

// NormaliserTelephone turns a French mobile number as people write it
// ("06 12 34 56 78", "06.12.34.56.78", "+33 6 12…") into +33612345678.
func NormaliserTelephone(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '+' && b.Len() == 0:
			b.WriteRune(r)
		case r == ' ', r == '.', r == '-', r == '\u00a0':
		default:
			return "", Errorf(EINVALID, "Le numéro %q contient des caractères qui ne sont pas des chiffres.", s)
		}
	}
	n := b.String()
	switch {
	case n == "":
		return "", nil
	case strings.HasPrefix(n, "0033"):
		n = "+33" + n[4:]
	case strings.HasPrefix(n, "0") && len(n) == 10:
		n = "+33" + n[1:]
	}
	if !telephoneRE.MatchString(n) {
		return "", Errorf(EINVALID, "Le numéro %q n'est pas un numéro de mobile français : écrivez-le 06 12 34 56 78.", s)
	}
	return n, nil
}
