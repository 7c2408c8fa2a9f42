package pes

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/net/html/charset"
)

// Lire reads a PES_Aller from r, streaming: memory stays small whatever the
// file's size (only the summary is kept; attachment contents are skipped).
// ISO-8859-1 (what every sample uses), windows-1252 and UTF-8 are read.
// Errors are *Erreur with a French message.
func Lire(r io.Reader) (*Fichier, error) {
	l := &lecteur{f: &Fichier{}}
	l.d = xml.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	l.d.CharsetReader = l.lecteurEncodage
	for {
		tok, err := l.jeton()
		if err == io.EOF {
			return nil, &Erreur{Code: ErrXML, Message: "Ce fichier est vide ou ne contient pas de XML : choisissez le fichier PES Aller produit par le logiciel financier."}
		}
		if err != nil {
			return nil, l.erreurXML(err)
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if t.Target == "xml" {
				l.f.Encodage = attributProlog(string(t.Inst), "encoding")
			}
		case xml.StartElement:
			if err := l.racine(t); err != nil {
				return nil, err
			}
			return l.f, nil
		}
	}
}

// LireFichier reads the PES_Aller file at chemin.
func LireFichier(chemin string) (*Fichier, error) {
	fic, err := os.Open(chemin)
	if err != nil {
		return nil, &Erreur{Code: ErrXML, Cause: err, Message: fmt.Sprintf(
			"Le fichier PES « %s » ne peut pas être ouvert : vérifiez qu'il existe et qu'il n'est pas ouvert ailleurs.", chemin)}
	}
	defer fic.Close()
	return Lire(fic)
}

type lecteur struct {
	d           *xml.Decoder
	f           *Fichier
	errEncodage error
	bord, pce   string     // where we are, for error messages
	pile        []xml.Name // open elements, as written (prefix:local)
}

// jeton returns the next token. It uses RawToken, about a third faster than
// Token since it resolves no namespaces (only the root is namespaced in a
// PES, see racine), and checks itself what Token would: every end tag
// closes the element open, and the file does not stop inside an element.
func (l *lecteur) jeton() (xml.Token, error) {
	tok, err := l.d.RawToken()
	if err == io.EOF && len(l.pile) > 0 {
		return nil, &xml.SyntaxError{Msg: "unexpected EOF", Line: l.ligne()}
	}
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		l.pile = append(l.pile, t.Name)
	case xml.EndElement:
		if len(l.pile) == 0 || l.pile[len(l.pile)-1] != t.Name {
			return nil, &xml.SyntaxError{Msg: "unexpected end element </" + t.Name.Local + ">", Line: l.ligne()}
		}
		l.pile = l.pile[:len(l.pile)-1]
	}
	return tok, nil
}

// lecteurEncodage is the decoder's CharsetReader: it only runs for encodings
// other than UTF-8.
func (l *lecteur) lecteurEncodage(label string, in io.Reader) (io.Reader, error) {
	r, err := charset.NewReaderLabel(label, in)
	if err != nil {
		l.errEncodage = &Erreur{Code: ErrEncodage, Cause: err, Message: fmt.Sprintf(
			"Ce fichier PES annonce l'encodage « %s », que xdemat ne sait pas lire : un PES s'écrit en ISO-8859-1 ou en UTF-8 ; régénérez-le depuis le logiciel financier.", label)}
		return nil, l.errEncodage
	}
	return r, nil
}

func (l *lecteur) erreurXML(err error) error {
	if l.errEncodage != nil {
		return l.errEncodage
	}
	var deja *Erreur
	if errors.As(err, &deja) {
		return err
	}
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		if strings.Contains(syn.Msg, "unexpected EOF") {
			return &Erreur{Code: ErrXML, Cause: err, Message: fmt.Sprintf(
				"Ce fichier PES est incomplet : il s'arrête à la ligne %d. Il a sans doute été mal copié ou mal téléchargé ; reprenez-le depuis le logiciel financier.", syn.Line)}
		}
		return &Erreur{Code: ErrXML, Cause: err, Message: fmt.Sprintf(
			"Ce fichier PES n'est pas un XML correct (erreur à la ligne %d) : régénérez-le depuis le logiciel financier.", syn.Line)}
	}
	return &Erreur{Code: ErrXML, Cause: err, Message: "Le fichier PES n'a pas pu être lu jusqu'au bout : recommencez ; si cela persiste, régénérez-le depuis le logiciel financier."}
}

// enfants calls f on each child element of the element just opened, up to
// its end. f must consume the child entirely (l.sauter, l.valeur, or a
// nested enfants).
func (l *lecteur) enfants(f func(xml.StartElement) error) error {
	for {
		tok, err := l.jeton()
		if err != nil {
			return l.erreurXML(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := f(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

func (l *lecteur) ligne() int {
	ligne, _ := l.d.InputPos()
	return ligne
}

// sauter consumes the element just opened.
func (l *lecteur) sauter() error {
	for profondeur := len(l.pile); len(l.pile) >= profondeur; {
		if _, err := l.jeton(); err != nil {
			return l.erreurXML(err)
		}
	}
	return nil
}

// valeur returns the V attribute of the element just opened, and consumes it.
func (l *lecteur) valeur(se xml.StartElement, dest *string) error {
	*dest = attribut(se, "V")
	return l.sauter()
}

func (l *lecteur) montant(se xml.StartElement, dest *Montant) error {
	v := attribut(se, "V")
	m, ok := lireMontant(v)
	if !ok {
		return &Erreur{Code: ErrValeur, Message: fmt.Sprintf(
			"Montant « %s » incorrect dans %s (élément %s, ligne %d) : un montant PES s'écrit avec un point et au plus deux décimales, par exemple 1234.56 ; corrigez-le dans le logiciel financier.",
			v, l.ou(), se.Name.Local, l.ligne())}
	}
	*dest = m
	return l.sauter()
}

func (l *lecteur) ou() string {
	switch {
	case l.bord != "" && l.pce != "":
		return fmt.Sprintf("le bordereau %s, pièce %s", l.bord, l.pce)
	case l.bord != "":
		return "le bordereau " + l.bord
	}
	return "le fichier"
}

func attribut(se xml.StartElement, nom string) string {
	for _, a := range se.Attr {
		if a.Name.Local == nom && a.Name.Space == "" {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// espaceDeNoms resolves the prefix of a raw start element from its own
// xmlns attributes ("" when it is not declared there).
func espaceDeNoms(se xml.StartElement) string {
	for _, a := range se.Attr {
		if se.Name.Space == "" && a.Name.Space == "" && a.Name.Local == "xmlns" ||
			se.Name.Space != "" && a.Name.Space == "xmlns" && a.Name.Local == se.Name.Space {
			return a.Value
		}
	}
	return ""
}

// attributProlog reads a pseudo-attribute of the XML declaration.
func attributProlog(inst, nom string) string {
	i := strings.Index(inst, nom+"=")
	if i < 0 || i+len(nom)+1 >= len(inst) {
		return ""
	}
	reste := inst[i+len(nom)+1:]
	guillemet := reste[0]
	if guillemet != '"' && guillemet != '\'' {
		return ""
	}
	fin := strings.IndexByte(reste[1:], guillemet)
	if fin < 0 {
		return ""
	}
	return reste[1 : 1+fin]
}

func (l *lecteur) racine(se xml.StartElement) error {
	if se.Name.Local != "PES_Aller" {
		return &Erreur{Code: ErrPasPESAller, Message: fmt.Sprintf(
			"Ce fichier n'est pas un PES Aller : élément racine « %s ». Choisissez le fichier PES Aller produit par le logiciel financier.", se.Name.Local)}
	}
	// RawToken leaves the prefix in Name.Space: resolve it from the root's
	// own declarations, where every PES declares it.
	se.Name.Space = espaceDeNoms(se)
	if se.Name.Space == "" {
		return &Erreur{Code: ErrPasPESAller, Message: fmt.Sprintf(
			"Ce fichier n'est pas un PES Aller : son élément racine PES_Aller n'a pas l'espace de noms « %s ». Régénérez-le depuis le logiciel financier.", NamespaceAller)}
	}
	if se.Name.Space != NamespaceAller {
		return &Erreur{Code: ErrPasPESAller, Message: fmt.Sprintf(
			"Ce fichier n'est pas un PES Aller : son élément racine PES_Aller est dans l'espace de noms « %s » au lieu de « %s ». Régénérez-le depuis le logiciel financier.", se.Name.Space, NamespaceAller)}
	}
	l.f.Id = attribut(se, "Id")
	return l.enfants(func(e xml.StartElement) error {
		switch e.Name.Local {
		case "Enveloppe":
			return l.enveloppe()
		case "EnTetePES":
			return l.entete()
		case "PES_DepenseAller":
			return l.domaine(Depense)
		case "PES_RecetteAller":
			return l.domaine(Recette)
		case "PES_PJ":
			return l.pesPJ()
		case "Signature":
			l.f.SigneGlobal = true
		default:
			l.f.AutresBlocs = append(l.f.AutresBlocs, e.Name.Local)
		}
		return l.sauter()
	})
}

func (l *lecteur) enveloppe() error {
	return l.enfants(func(e xml.StartElement) error {
		switch e.Name.Local {
		case "Parametres":
			return l.enfants(func(e xml.StartElement) error {
				switch e.Name.Local {
				case "Version":
					return l.valeur(e, &l.f.Version)
				case "TypFic":
					return l.valeur(e, &l.f.TypFic)
				case "NomFic":
					return l.valeur(e, &l.f.NomFic)
				}
				return l.sauter()
			})
		case "Emetteur":
			return l.enfants(func(e xml.StartElement) error {
				if e.Name.Local == "Sigle" {
					return l.valeur(e, &l.f.Emetteur)
				}
				return l.sauter()
			})
		}
		return l.sauter()
	})
}

func (l *lecteur) entete() error {
	t := &l.f.EnTete
	champs := map[string]*string{
		"DteStr": &t.DteStr, "IdPost": &t.IdPost, "LibellePoste": &t.LibellePoste, "IdColl": &t.IdColl,
		"CodCol": &t.CodCol, "CodBud": &t.CodBud, "LibelleColBud": &t.LibelleColBud,
	}
	return l.enfants(func(e xml.StartElement) error {
		if dest, ok := champs[e.Name.Local]; ok {
			return l.valeur(e, dest)
		}
		return l.sauter()
	})
}

func (l *lecteur) domaine(dom Domaine) error {
	return l.enfants(func(e xml.StartElement) error {
		if e.Name.Local != "Bordereau" {
			return l.sauter() // EnTeteDepense / EnTeteRecette
		}
		b := Bordereau{Domaine: dom, Id: attribut(e, "Id")}
		if err := l.bordereau(&b); err != nil {
			return err
		}
		l.controler(&b)
		if dom == Depense {
			l.f.Depenses = append(l.f.Depenses, b)
		} else {
			l.f.Recettes = append(l.f.Recettes, b)
		}
		return nil
	})
}

func (l *lecteur) bordereau(b *Bordereau) error {
	l.bord, l.pce = b.Id, ""
	defer func() { l.bord, l.pce = "", "" }()
	return l.enfants(func(e xml.StartElement) error {
		switch e.Name.Local {
		case "BlocBordereau":
			return l.enfants(func(e xml.StartElement) error {
				switch e.Name.Local {
				case "Exer":
					return l.valeur(e, &b.Exer)
				case "IdBord":
					if err := l.valeur(e, &b.IdBord); err != nil {
						return err
					}
					l.bord = b.IdBord
					return nil
				case "DteBordEm":
					return l.valeur(e, &b.DteBordEm)
				case "TypBord":
					return l.valeur(e, &b.TypBord)
				case "NbrPce":
					var s string
					if err := l.valeur(e, &s); err != nil {
						return err
					}
					n, err := strconv.Atoi(s)
					if err != nil || n < 0 {
						return &Erreur{Code: ErrValeur, Message: fmt.Sprintf(
							"Nombre de pièces « %s » incorrect dans %s : corrigez-le dans le logiciel financier.", s, l.ou())}
					}
					b.NbrPce = n
					return nil
				case "MtCumulAnnuel":
					return l.montant(e, &b.MtCumulAnnuel)
				case "MtBordHT", "MtBordHt": // dépense, recette
					return l.montant(e, &b.MtBordHT)
				case "MtBordTVA":
					return l.montant(e, &b.MtBordTVA)
				case "Objet":
					return l.valeur(e, &b.Objet)
				}
				return l.sauter()
			})
		case "Piece":
			p := Piece{}
			if err := l.piece(&p); err != nil {
				return err
			}
			b.Pieces = append(b.Pieces, p)
			return nil
		case "Signature":
			b.Signe = true
		}
		return l.sauter()
	})
}

// controler notes what does not add up in a bordereau.
func (l *lecteur) controler(b *Bordereau) {
	nom := b.IdBord
	if nom == "" {
		nom = b.Id
	}
	if b.NbrPce != len(b.Pieces) {
		l.f.Anomalies = append(l.f.Anomalies, fmt.Sprintf(
			"Bordereau de %s %s : %d pièce(s) annoncée(s), %d présente(s) dans le fichier.", b.Domaine, nom, b.NbrPce, len(b.Pieces)))
	}
	var somme Montant
	for _, p := range b.Pieces {
		somme += p.MtHT()
	}
	if somme != b.MtBordHT {
		l.f.Anomalies = append(l.f.Anomalies, fmt.Sprintf(
			"Bordereau de %s %s : montant HT annoncé %s, somme des lignes %s.", b.Domaine, nom, b.MtBordHT, somme))
	}
}

func (l *lecteur) piece(p *Piece) error {
	// Dépense wraps the fields in BlocPiece/InfoPce, recette puts them in
	// BlocPiece directly: one handler serves both levels.
	var champ func(e xml.StartElement) error
	champ = func(e xml.StartElement) error {
		switch e.Name.Local {
		case "BlocPiece", "InfoPce":
			return l.enfants(champ)
		case "IdPce":
			if err := l.valeur(e, &p.IdPce); err != nil {
				return err
			}
			l.pce = p.IdPce
			return nil
		case "TypPce":
			return l.valeur(e, &p.TypPce)
		case "NatPce":
			return l.valeur(e, &p.NatPce)
		case "Obj", "ObjPce":
			return l.valeur(e, &p.Obj)
		case "DteEch":
			return l.valeur(e, &p.DteEch)
		case "PJRef":
			r, err := l.refPJ()
			p.PJRef = append(p.PJRef, r)
			return err
		case "LigneDePiece":
			lg := Ligne{}
			if err := l.lignePiece(&lg); err != nil {
				return err
			}
			p.Lignes = append(p.Lignes, lg)
			return nil
		}
		return l.sauter()
	}
	defer func() { l.pce = "" }()
	return l.enfants(champ)
}

func (l *lecteur) lignePiece(lg *Ligne) error {
	var champ func(e xml.StartElement) error
	champ = func(e xml.StartElement) error {
		switch e.Name.Local {
		case "BlocLignePiece", "InfoLignePce", "InfoLignePiece": // dépense, recette
			return l.enfants(champ)
		case "IdLigne":
			return l.valeur(e, &lg.IdLigne)
		case "Nature":
			return l.valeur(e, &lg.Nature)
		case "Fonction":
			return l.valeur(e, &lg.Fonction)
		case "Operation":
			return l.valeur(e, &lg.Operation)
		case "LibVir1", "ObjLignePce":
			if lg.Libelle != "" {
				return l.sauter()
			}
			return l.valeur(e, &lg.Libelle)
		case "MtHT":
			return l.montant(e, &lg.MtHT)
		case "MtTVA":
			return l.montant(e, &lg.MtTVA)
		case "PJRef":
			r, err := l.refPJ()
			lg.PJRef = append(lg.PJRef, r)
			return err
		case "Tiers":
			t, err := l.tiers()
			lg.Tiers = append(lg.Tiers, t)
			return err
		}
		return l.sauter()
	}
	return l.enfants(champ)
}

func (l *lecteur) tiers() (Tiers, error) {
	var t Tiers
	champs := map[string]*string{
		"Civilite": &t.Civilite, "Nom": &t.Nom, "Prenom": &t.Prenom, "ComplNom": &t.ComplNom,
		"IdTiers": &t.IdTiers, "RefTiers": &t.RefTiers, "CP": &t.CP, "Ville": &t.Ville,
	}
	var champ func(e xml.StartElement) error
	champ = func(e xml.StartElement) error {
		if e.Name.Local == "InfoTiers" || e.Name.Local == "Adresse" {
			return l.enfants(champ)
		}
		if dest, ok := champs[e.Name.Local]; ok {
			return l.valeur(e, dest)
		}
		return l.sauter()
	}
	err := l.enfants(champ)
	return t, err
}

func (l *lecteur) refPJ() (RefPJ, error) {
	var r RefPJ
	champs := map[string]*string{"Support": &r.Support, "IdUnique": &r.IdUnique, "NomPJ": &r.NomPJ, "TypePJ": &r.TypePJ}
	err := l.enfants(func(e xml.StartElement) error {
		if dest, ok := champs[e.Name.Local]; ok {
			return l.valeur(e, dest)
		}
		return l.sauter()
	})
	return r, err
}

func (l *lecteur) pesPJ() error {
	return l.enfants(func(e xml.StartElement) error {
		if e.Name.Local != "PJ" {
			return l.sauter() // EnTetePES_PJ
		}
		var pj PJ
		champs := map[string]*string{"IdUnique": &pj.IdUnique, "NomPJ": &pj.NomPJ, "TypePJ": &pj.TypePJ, "Description": &pj.Description}
		err := l.enfants(func(e xml.StartElement) error {
			if dest, ok := champs[e.Name.Local]; ok {
				return l.valeur(e, dest)
			}
			if e.Name.Local == "Contenu" {
				return l.enfants(func(e xml.StartElement) error {
					if e.Name.Local != "Fichier" {
						return l.sauter()
					}
					pj.MIMEType = attribut(e, "MIMEType")
					n, err := l.tailleTexte()
					pj.TailleB64 = n
					return err
				})
			}
			return l.sauter()
		})
		l.f.PJ = append(l.f.PJ, pj)
		return err
	})
}

// tailleTexte consumes the element just opened and counts its text bytes
// other than white space (the base64 of an attachment).
func (l *lecteur) tailleTexte() (int64, error) {
	var n int64
	profondeur := 1
	for profondeur > 0 {
		tok, err := l.jeton()
		if err != nil {
			return n, l.erreurXML(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			profondeur++
		case xml.EndElement:
			profondeur--
		case xml.CharData:
			for _, c := range t {
				if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
					n++
				}
			}
		}
	}
	return n, nil
}
