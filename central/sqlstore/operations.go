package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"xdemat"
)

// ApplyOperations records ops of the poste in ctx; see central.Store. Each op
// is validated first (Operation.Validate). A revoked poste gets EFORBIDDEN.
// An empty batch returns the current acknowledgement.
func (s *Store) ApplyOperations(ctx context.Context, ops []*xdemat.Operation, now time.Time) (int64, error) {
	p, err := tenant(ctx)
	if err != nil {
		return 0, err
	}
	projections := make([]*projection, len(ops))
	for i, op := range ops {
		if op == nil {
			return 0, xdemat.Errorf(xdemat.EINVALID, "Opération vide dans le lot envoyé.")
		}
		if err := op.Validate(); err != nil {
			return 0, err
		}
		if projections[i], err = decodeProjection(op, p.CommuneID); err != nil {
			return 0, err
		}
	}
	if len(ops) == 0 {
		return s.Ack(ctx)
	}
	now = ts(now)
	var ack int64
	err = s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, p.CommuneID)
		if err != nil {
			return err
		}
		last, err := t.dernierSeq(ctx, p)
		if err != nil {
			return err
		}
		first := last
		for i, op := range ops {
			switch {
			case op.Seq <= last:
				if err := t.checkReplay(ctx, p, op); err != nil {
					return err
				}
			case op.Seq == last+1:
				if err := t.insertOperation(ctx, a, p, op, now); err != nil {
					return err
				}
				if pr := projections[i]; pr != nil {
					if err := t.project(ctx, a, p, pr, now); err != nil {
						return err
					}
				}
				last = op.Seq
			default:
				return xdemat.Errorf(xdemat.ECONFLICT, "Opération n°%d reçue alors que la n°%d est attendue : l'agent va renvoyer les opérations manquantes.", op.Seq, last+1)
			}
		}
		if last != first {
			if _, err := t.exec(ctx, qUpdateDernierSeq, last, p.ID, p.CommuneID); err != nil {
				return s.errorf("update dernier_seq: %w", err)
			}
		}
		ack = last
		return nil
	})
	if err != nil {
		return 0, err
	}
	return ack, nil
}

// dernierSeq reads the last acknowledged Seq of p in the transaction.
func (t tx) dernierSeq(ctx context.Context, p *xdemat.Poste) (int64, error) {
	var last int64
	var statut string
	err := t.queryRow(ctx, qDernierSeq, p.ID, p.CommuneID).Scan(&last, &statut)
	if notFound(err) {
		return 0, posteInconnu()
	} else if err != nil {
		return 0, t.s.errorf("read dernier_seq: %w", err)
	}
	if xdemat.PosteStatut(statut) == xdemat.PosteRevoque {
		return 0, xdemat.Errorf(xdemat.EFORBIDDEN, "Ce poste a été révoqué par la SPL : il ne peut plus envoyer de modifications. Contactez la SPL pour l'enrôler de nouveau.")
	}
	return last, nil
}

func posteInconnu() error {
	return xdemat.Errorf(xdemat.EUNAUTHORIZED, "Ce poste n'est pas enrôlé auprès de la SPL : enrôlez-le avec un nouveau code.")
}

// checkReplay accepts op, already acknowledged, when it is the very operation stored.
func (t tx) checkReplay(ctx context.Context, p *xdemat.Poste, op *xdemat.Operation) error {
	var id string
	err := t.queryRow(ctx, qReplay, p.ID, op.Seq, p.CommuneID).Scan(&id)
	if err != nil && !notFound(err) {
		return t.s.errorf("check replay: %w", err)
	}
	if id != op.ID {
		return xdemat.Errorf(xdemat.ECONFLICT, "L'opération n°%d de ce poste a déjà été reçue avec un autre identifiant : la file d'attente du poste est incohérente, contactez le support de la SPL.", op.Seq)
	}
	return nil
}

// insertOperation stores op with its event and journal entry, after checking
// that its ID is new to the commune and that its documents are there.
func (t tx) insertOperation(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, now time.Time) error {
	var n int
	if err := t.queryRow(ctx, qOperationExists, p.CommuneID, op.ID).Scan(&n); err != nil {
		return t.s.errorf("check operation id: %w", err)
	}
	if n > 0 {
		return xdemat.Errorf(xdemat.ECONFLICT, "L'opération %s (n°%d) a déjà été reçue sous un autre numéro : la file d'attente du poste est incohérente, contactez le support de la SPL.", op.ID, op.Seq)
	}
	for _, h := range op.Documents {
		if err := t.queryRow(ctx, qDocumentExists, p.CommuneID, h).Scan(&n); err != nil {
			return t.s.errorf("check document: %w", err)
		}
		if n == 0 {
			return xdemat.Errorf(xdemat.EINVALID, "L'opération n°%d fait référence au document %s…, qui n'a pas encore été reçu : l'agent va l'envoyer puis renvoyer l'opération.", op.Seq, h[:12])
		}
	}
	docs := op.Documents
	if docs == nil {
		docs = []string{}
	}
	docsJSON, err := json.Marshal(docs)
	if err != nil {
		return t.s.errorf("marshal documents: %w", err)
	}
	_, err = t.exec(ctx, qInsertOperation,
		p.CommuneID, p.ID, op.ID, op.Seq, op.Type, op.Auteur, nullBytes(op.Payload), string(docsJSON), micros(op.CreeLe), micros(now))
	if t.s.d.IsUniqueViolation(err) {
		return xdemat.Errorf(xdemat.ECONFLICT, "L'opération n°%d a déjà été reçue : l'agent va relire l'accusé de réception et reprendre.", op.Seq)
	} else if err != nil {
		return t.s.errorf("insert operation: %w", err)
	}
	payload := struct {
		Type string `json:"type"`
		Seq  int64  `json:"seq"`
	}{op.Type, op.Seq}
	if err := a.event(ctx, xdemat.EvenementOperationRecue, op.ID, p.ID, payload, now); err != nil {
		return err
	}
	acteur := op.Auteur
	if acteur == "" {
		acteur = "agent"
	}
	details, err := json.Marshal(struct {
		Poste     string   `json:"poste"`
		Seq       int64    `json:"seq"`
		Documents []string `json:"documents,omitempty"`
	}{p.ID, op.Seq, op.Documents})
	if err != nil {
		return t.s.errorf("marshal details: %w", err)
	}
	return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: acteur, Action: op.Type, Objet: op.ID, Details: string(details)})
}

// Ack returns the last acknowledged Seq of the poste in ctx.
func (s *Store) Ack(ctx context.Context) (int64, error) {
	p, err := tenant(ctx)
	if err != nil {
		return 0, err
	}
	var last int64
	err = s.queryRow(ctx, qAck, p.ID, p.CommuneID).Scan(&last)
	if notFound(err) {
		return 0, posteInconnu()
	} else if err != nil {
		return 0, s.errorf("ack: %w", err)
	}
	return last, nil
}

const operationCols = "id, seq, type, auteur, payload, documents, cree_le"

func scanOperation(r scanner) (*xdemat.Operation, error) {
	op := new(xdemat.Operation)
	var payload []byte
	var docs string
	var cree int64
	if err := r.Scan(&op.ID, &op.Seq, &op.Type, &op.Auteur, &payload, &docs, &cree); err != nil {
		return nil, err
	}
	if len(payload) > 0 {
		op.Payload = payload
	}
	if err := json.Unmarshal([]byte(docs), &op.Documents); err != nil {
		return nil, err
	}
	if len(op.Documents) == 0 {
		op.Documents = nil
	}
	op.CreeLe = fromMicros(cree)
	return op, nil
}

// ListOperations returns the operations of the commune in ctx, in order of
// arrival.
func (s *Store) ListOperations(ctx context.Context) ([]*xdemat.Operation, error) {
	p, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, scanOperation, "SELECT "+operationCols+" FROM operations WHERE commune_id = ? ORDER BY rang", p.CommuneID)
}
