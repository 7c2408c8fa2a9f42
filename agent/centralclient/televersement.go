package centralclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"xdemat"
	"xdemat/agent/crashpoint"
	"xdemat/central/protocol"
)

// Upload sends a document to central in chunks, resuming from wherever
// central's copy stopped (a previous run, a cut line, a killed process).
// src must hold the document's bytes; progress, when not nil, is called after
// each chunk with the bytes central holds. Central verifies each chunk
// against its signed hash and the whole against doc.SHA256.
func (c *Client) Upload(ctx context.Context, doc *xdemat.Document, src io.ReaderAt, progress func(done int64)) error {
	size := c.BlocSize
	if size <= 0 {
		size = protocol.TailleBloc
	}
	if doc.Taille <= int64(size) {
		return c.uploadWhole(ctx, doc, src, progress)
	}
	etat, err := c.openUpload(ctx, doc)
	if err != nil {
		return err
	}
	buf := make([]byte, size)
	for conflicts := 0; !etat.Complet; {
		n := int64(len(buf))
		if rest := doc.Taille - etat.Offset; rest < n {
			n = rest
		}
		if _, err := src.ReadAt(buf[:n], etat.Offset); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
			return xdemat.Errorf(xdemat.EINTERNAL, "Lecture du document %s impossible : %v", doc.NomOriginal, err)
		}
		next, err := c.putChunk(ctx, doc.SHA256, etat.Offset, buf[:n])
		if err != nil {
			var ce *Error
			if errors.As(err, &ce) && ce.Status == http.StatusConflict && conflicts < 3 {
				// Central's copy is elsewhere than we thought (another
				// attempt went through): ask it where to resume.
				conflicts++
				if etat, err = c.openUpload(ctx, doc); err != nil {
					return err
				}
				continue
			}
			return err
		}
		crashpoint.Hit("televersement.bloc.recu")
		etat = next
		if progress != nil {
			progress(etat.Offset)
		}
	}
	return nil
}

// uploadWhole sends a document that fits in one chunk in a single request:
// nothing to resume, and one exchange instead of two.
func (c *Client) uploadWhole(ctx context.Context, doc *xdemat.Document, src io.ReaderAt, progress func(done int64)) error {
	data := make([]byte, doc.Taille)
	if _, err := src.ReadAt(data, 0); err != nil && !(errors.Is(err, io.EOF) && doc.Taille == 0) {
		return xdemat.Errorf(xdemat.EINTERNAL, "Lecture du document %s impossible : %v", doc.NomOriginal, err)
	}
	q := url.Values{"nom": {doc.NomOriginal}, "type": {doc.TypeMedia}}
	req, err := c.newSignedRequest(ctx, http.MethodPut, "/v1/documents/"+doc.SHA256+"?"+q.Encode(), data, doc.SHA256)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Body = io.NopCloser(&crashingReader{r: bytes.NewReader(data), half: len(data) / 2})
	req.GetBody = nil
	req.ContentLength = int64(len(data))
	var etat protocol.TeleversementEtat
	if err := c.send(ctx, req, &etat); err != nil {
		return err
	}
	crashpoint.Hit("televersement.bloc.recu")
	if progress != nil {
		progress(doc.Taille)
	}
	return nil
}

func (c *Client) openUpload(ctx context.Context, doc *xdemat.Document) (*protocol.TeleversementEtat, error) {
	body, err := json.Marshal(protocol.TeleversementRequest{Document: *doc})
	if err != nil {
		return nil, err
	}
	var etat protocol.TeleversementEtat
	return &etat, c.do(ctx, http.MethodPost, "/v1/televersements", body, &etat)
}

func (c *Client) putChunk(ctx context.Context, hash string, offset int64, chunk []byte) (*protocol.TeleversementEtat, error) {
	req, err := c.newRequest(ctx, http.MethodPut, "/v1/televersements/"+hash+"?offset="+strconv.FormatInt(offset, 10), chunk)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Body = io.NopCloser(&crashingReader{r: bytes.NewReader(chunk), half: len(chunk) / 2})
	req.GetBody = nil
	req.ContentLength = int64(len(chunk))
	var etat protocol.TeleversementEtat
	return &etat, c.send(ctx, req, &etat)
}

// crashingReader gives the test suite a point in the middle of a chunk where
// the agent can be killed while bytes are on the wire.
type crashingReader struct {
	r    *bytes.Reader
	read int
	half int
}

func (c *crashingReader) Read(p []byte) (int, error) {
	if c.read < c.half && c.read+len(p) > c.half {
		p = p[:c.half-c.read] // stop exactly at the middle once
	}
	n, err := c.r.Read(p)
	c.read += n
	if c.read == c.half && n > 0 {
		crashpoint.Hit("televersement.bloc.milieu")
	}
	return n, err
}
