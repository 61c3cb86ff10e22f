package shield

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/corazawaf/coraza/v3/types"
)

// inspectBody reads at most body_limit+1 bytes of r.Body, hands the first
// body_limit of them to tx and puts every byte read back in front of the
// rest of the body, so the handler reads the body as the client sent it.
//
// A whole body goes to Coraza's body processors, except multipart: Coraza
// would copy file parts to temporary files, and request content must not
// touch the disk, so the fields of a multipart body are extracted here. A
// body cut at the limit cannot be parsed as a whole either: its complete
// JSON values or multipart fields are extracted, other types are given as
// they are (URL-encoded bodies parse fine cut short).
func (s *Shield) inspectBody(tx types.Transaction, r *http.Request, v *Verdict) *types.Interruption {
	limit := s.cfg.BodyLimit
	data, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	rest := r.Body
	if err != nil {
		// The client went away or the server's own cap tripped: the
		// handler must see the same error after the bytes read so far.
		rest = io.NopCloser(errReader{err})
	}
	r.Body = &stitched{Reader: io.MultiReader(bytes.NewReader(data), rest), Closer: r.Body}
	truncated := len(data) > limit || err != nil
	data = data[:min(len(data), limit)]
	v.BodyTruncated = truncated
	kind, params := bodyKind(r.Header.Get("Content-Type"))
	switch {
	case kind == kindMultipart:
		args, malformed := multipartArgs(data, params["boundary"], !truncated)
		addArgs(tx, args)
		if malformed {
			v.Categories = []string{"request-body"}
			return &types.Interruption{Action: "deny", Status: http.StatusBadRequest}
		}
	case truncated && kind == kindJSON:
		addArgs(tx, jsonArgs(data))
	case truncated && kind == kindXML:
		// A cut XML document does not parse; its headers and URI are
		// still inspected.
	default:
		it, _, err := tx.WriteRequestBody(data)
		if err != nil {
			return &types.Interruption{Action: "deny", Status: http.StatusBadRequest}
		}
		return it
	}
	return nil
}

// stitched is a request body made of the inspected prefix and the rest;
// closing it closes the original body.
type stitched struct {
	io.Reader
	io.Closer
}

// errReader fails every read with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

type bodyType int

const (
	kindOther bodyType = iota
	kindJSON
	kindXML
	kindMultipart
)

// bodyKind classifies a Content-Type as Coraza's recommended configuration
// does (application/json and application/*+json are JSON; text/xml and
// application/*xml are XML).
func bodyKind(ct string) (bodyType, map[string]string) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	switch {
	case mt == "multipart/form-data":
		return kindMultipart, params
	case mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"):
		return kindJSON, params
	case mt == "text/xml" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "xml"):
		return kindXML, params
	}
	return kindOther, params
}

// arg is one extracted body argument.
type arg struct{ key, value string }

// maxArgs bounds the arguments extracted from one body (Coraza's own
// argument limit).
const maxArgs = 1000

func addArgs(tx types.Transaction, args []arg) {
	for _, a := range args {
		tx.AddPostRequestArgument(a.key, a.value)
	}
}

var errStop = errors.New("stop")
