package admin

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"xdemat"
	"xdemat/central"
)

// Enrollment codes are typed by a technician on a mairie PC, often read over
// the phone: 12 characters from an alphabet without the look-alikes 0/O,
// 1/I/L, shown in groups of four (ABCD-EFGH-JKMN) and stored normalised
// (ABCDEFGHJKMN). Each character carries almost 5 bits: 59 bits in all,
// far out of reach of guessing within the 48 hours a code lives.

// CodeAlphabet is the set of characters of an enrollment code.
const CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// CodeLength is the number of characters of an enrollment code.
const CodeLength = 12

// NewCode returns a random enrollment code, normalised.
func NewCode() (string, error) {
	out := make([]byte, 0, CodeLength)
	var buf [32]byte
	for len(out) < CodeLength {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("admin: random code: %w", err)
		}
		for _, b := range buf {
			// Rejection sampling keeps every character equally likely.
			if int(b) >= 256/len(CodeAlphabet)*len(CodeAlphabet) {
				continue
			}
			out = append(out, CodeAlphabet[int(b)%len(CodeAlphabet)])
			if len(out) == CodeLength {
				break
			}
		}
	}
	return string(out), nil
}

// NormalizeCode returns a code as stored: upper case, without the spaces and
// dashes people type between groups.
func NormalizeCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '\u00a0', '\u2010', '\u2011', '\u2013':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
}

// FormatCode returns a code as shown to people: XXXX-XXXX-XXXX.
func FormatCode(code string) string {
	code = NormalizeCode(code)
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// IssueCode creates and records a new enrollment code for the commune, valid
// xdemat.DureeCodeEnrolement from now. ENOTFOUND when the commune does not exist.
func IssueCode(ctx context.Context, store central.Store, communeID string, now time.Time) (*xdemat.CodeEnrolement, error) {
	if _, err := store.FindCommune(ctx, communeID); err != nil {
		return nil, err
	}
	code, err := NewCode()
	if err != nil {
		return nil, err
	}
	c := &xdemat.CodeEnrolement{
		Code:      code,
		CommuneID: communeID,
		CreeLe:    now,
		ExpireLe:  now.Add(xdemat.DureeCodeEnrolement),
	}
	if err := store.CreateCode(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// EnrollCommand returns the command a technician types on the mairie PC to
// enroll it with code. With a certificate fingerprint, the agent checks the
// server's certificate against it from the very first contact.
func EnrollCommand(centralURL, code, fingerprint string) string {
	cmd := fmt.Sprintf("xdemat-agent enroll --central %s --code %s", centralURL, FormatCode(code))
	if fingerprint != "" {
		cmd += " --empreinte " + fingerprint
	}
	return cmd
}
