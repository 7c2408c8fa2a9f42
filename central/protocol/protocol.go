// Package protocol holds the wire types of the agent ↔ central sync API and the
// request-signing scheme. Agent and central both import it; nothing else here
// may depend on either side.
//
// # Versions
//
//	1 (2026-11-25): enrollment, signed requests, operations with per-poste Seq
//	  acknowledged "up to n", resumable chunked document upload, event long-poll.
//
// # Routes
//
//	POST /v1/enrolement                  EnrolementRequest → EnrolementResponse (signed with the new key)
//	GET  /v1/poste                       → PosteResponse
//	POST /v1/operations                  OperationsRequest → OperationsResponse
//	GET  /v1/operations/ack              → OperationsResponse
//	POST /v1/televersements              TeleversementRequest → TeleversementEtat
//	PUT  /v1/televersements/{sha256}?offset=N   chunk bytes → TeleversementEtat
//	PUT  /v1/documents/{sha256}?nom=…&type=…    a whole small document (≤ TailleBloc) in one request → TeleversementEtat
//	GET  /v1/documents/{sha256}          → document bytes
//	GET  /v1/evenements?apres=C&attente=S → EvenementsResponse (long-poll up to S seconds)
//	POST /v1/sauvegarde/acces            → AccesSauvegarde (new REST password each call)
//	PUT  /v1/sauvegarde/cle              CleSauvegarde → 204 (escrow of the repository password, once)
//
// Backups use restic's REST backend protocol under /restic/{communeID}/ on
// the same listener, with HTTP Basic authentication (AccesSauvegarde).
//
// Errors come back as an ErrorResponse with an HTTP status matching the code.
package protocol

import (
	"time"

	"xdemat"
)

// Version is the protocol version spoken by this build. Central refuses
// requests from a newer major version with a clear message.
const Version = 1

// HTTP header names.
const (
	HeaderVersion   = "X-Xdemat-Protocole"
	HeaderPoste     = "X-Xdemat-Poste"
	HeaderDate      = "X-Xdemat-Date"
	HeaderContenu   = "X-Xdemat-Contenu-Sha256" // hex SHA-256 of the request body
	HeaderSignature = "X-Xdemat-Signature"      // base64 Ed25519 signature
	HeaderAgent     = "X-Xdemat-Agent"          // agent version, reported in the admin console
)

// Limits shared by both sides.
const (
	// TailleBloc is the chunk size the agent uploads documents with: small
	// enough to resume cheaply on a rural line, big enough to keep overhead low.
	TailleBloc = 1 << 20
	// TailleMaxBloc is the largest chunk central accepts.
	TailleMaxBloc = 8 << 20
	// MaxOperationsParLot bounds one OperationsRequest.
	MaxOperationsParLot = 500
	// TailleMaxRequeteJSON bounds any JSON request body.
	TailleMaxRequeteJSON = 4 << 20
	// AttenteMax is the longest long-poll central honours.
	AttenteMax = 60 * time.Second
	// DecalageHorlogeMax is the clock skew tolerated on signed requests.
	DecalageHorlogeMax = 5 * time.Minute
)

// ErrorResponse is the body of every error answer.
type ErrorResponse struct {
	Code    string `json:"code"`
	Message string `json:"message"` // French, for people
}

// EnrolementRequest asks central to enroll this device with a one-time code.
type EnrolementRequest struct {
	Code        string `json:"code"`
	Nom         string `json:"nom"`         // host name
	ClePublique []byte `json:"clePublique"` // Ed25519 public key, 32 bytes
	Version     string `json:"version"`     // agent version
}

// EnrolementResponse gives the device its identity.
type EnrolementResponse struct {
	PosteID string         `json:"posteId"`
	Commune xdemat.Commune `json:"commune"`
}

// PosteResponse says who the authenticated poste is.
type PosteResponse struct {
	Poste   xdemat.Poste   `json:"poste"`
	Commune xdemat.Commune `json:"commune"`
}

// OperationsRequest carries the next operations of a poste, in Seq order.
type OperationsRequest struct {
	Operations []*xdemat.Operation `json:"operations"`
	EnAttente  int64               `json:"enAttente"` // operations still queued on the poste, for the console
}

// OperationsResponse acknowledges every operation of the poste up to Ack.
type OperationsResponse struct {
	Ack int64 `json:"ack"`
}

// TeleversementRequest opens (or finds) the upload of a document.
type TeleversementRequest struct {
	Document xdemat.Document `json:"document"`
}

// TeleversementEtat says how far the upload of a document has gone. The agent
// sends the next chunk from Offset; Complet means central holds the whole,
// verified document.
type TeleversementEtat struct {
	SHA256  string `json:"sha256"`
	Taille  int64  `json:"taille"`
	Offset  int64  `json:"offset"`
	Complet bool   `json:"complet"`
}

// EvenementsResponse returns events after the requested cursor, oldest first.
// Curseur is the cursor to ask from next time (unchanged when there is none).
type EvenementsResponse struct {
	Evenements []*xdemat.Evenement `json:"evenements"`
	Curseur    int64               `json:"curseur"`
}

// AccesSauvegarde is what the agent needs to run restic against its
// commune's repository on central.
type AccesSauvegarde struct {
	// Depot is restic's repository URL: rest:https://host:port/restic/{communeID}/
	Depot string `json:"depot"`
	// Utilisateur and MotDePasseREST are restic's HTTP Basic credentials
	// (RESTIC_REST_USERNAME/PASSWORD). A new password is issued at each
	// call and the previous one stops working; it only appends to the
	// repository (no deletion, no overwrite).
	Utilisateur    string `json:"utilisateur"`
	MotDePasseREST string `json:"motDePasseRest"`
	// CertificatPEM is central's TLS certificate for restic's --cacert; the
	// agent checks it against the fingerprint it pinned at enrollment.
	CertificatPEM string `json:"certificatPem"`
	// MotDePasseDepot is the repository password escrowed for the commune
	// (so that a new PC can restore), "" when none was escrowed yet.
	MotDePasseDepot string `json:"motDePasseDepot,omitempty"`
	Quota           int64  `json:"quota"`   // bytes
	Utilise         int64  `json:"utilise"` // bytes stored in the repository
}

// CleSauvegarde escrows the repository password of the commune at central,
// encrypted at rest. Accepted once; the same password again is a no-op.
type CleSauvegarde struct {
	MotDePasseDepot string `json:"motDePasseDepot"`
}
