// Package helios holds what the DGFiP's Hélios platform exchanges with a
// collectivité besides the PES_Aller itself: the transport's file naming and
// parameters, and the messages that come back — PES_Acquit (accepted or
// refused, per bordereau, pièce, ligne and pièce justificative), PES_NonAcquit
// (the whole file refused) and PES_Retour (what the Trésorerie did with each
// mandat and titre). Each message is read into typed values whose anomalies
// are explained in French for the secrétaire, and can be written back in the
// real format (ISO-8859-1, values in V attributes), which the simulator needs.
//
// Facts and their sources: shared/reference/protocols-actes-helios.md §6–7.
// Reading a PES_Aller belongs to package pes.
package helios

// Namespaces of the root elements. Children are unqualified
// (elementFormDefault="unqualified"), so only the root carries one.
const (
	NamespaceAller     = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller"
	NamespaceAcquit    = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/retour/v2"
	NamespaceRetour    = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/retour"
	NamespaceNonAcquit = "http://www.minefi.gouv.fr/cp/helios/pes" // as in the DGFiP sample; its XSD misspells it
)

// TailleMaxMessage is the largest acquit or retour we read. S2LOW refuses
// received files above 150 MiB (HeliosAnalyseFichierRecu.php MAX_FILE_SIZE).
const TailleMaxMessage = 150 << 20
