package http

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/quirehq/quire"
)

// maxNoteIDField bounds the noteId field of an upload form.
const maxNoteIDField = 64

// uploadForm is what an upload form has given so far.
type uploadForm struct {
	noteID  string
	noteSet bool
	file    *quire.File
}

// upload answers POST /api/v1/files: a multipart/form-data body with one
// file part named "file" and an optional noteId field, read as a stream
// (never the whole file in memory) → 201 with the file's metadata.
func (h *filesAPI) upload(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.s.callerWorkspace(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return quire.Errorf(EMULTIPARTREQUIRED, "Request body must be multipart/form-data with a boundary.")
	}
	n := r.ContentLength
	if n < 0 || n > h.files.MaxSize() {
		n = h.files.MaxSize() // chunked: the largest it may be
	}
	_ = http.NewResponseController(w).SetReadDeadline(transferDeadline(n)) // not every writer has one
	f, err := h.readForm(r.Context(), ws, multipart.NewReader(r.Body, params["boundary"]))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/files/"+f.ID)
	return JSON(w, http.StatusCreated, fileBody(f))
}

// readForm reads the parts of an upload form, uploading the file part as
// it streams by. A noteId that comes after the file attaches it then. If
// anything fails once the file is stored, the file is deleted again:
// nothing is left half-done.
func (h *filesAPI) readForm(ctx context.Context, ws string, mr *multipart.Reader) (_ *quire.File, err error) {
	var form uploadForm
	defer func() {
		if err != nil && form.file != nil {
			_ = h.files.Delete(context.WithoutCancel(ctx), ws, form.file.ID)
		}
	}()
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, uploadFormError(err)
		}
		err = h.readPart(ctx, ws, p, &form)
		_ = p.Close()
		if err != nil {
			return nil, err
		}
	}
	if form.file == nil {
		return nil, quire.Errorf(EFILEMISSING, "The form has no file: send it in a part named \"file\" with a file name.")
	}
	if form.noteSet && form.noteID != form.file.NoteID {
		return h.files.Update(ctx, ws, form.file.ID, quire.FileUpdate{NoteID: &form.noteID})
	}
	return form.file, nil
}

// readPart handles one part of an upload form.
func (h *filesAPI) readPart(ctx context.Context, ws string, p *multipart.Part, form *uploadForm) error {
	_, disp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return quire.WrapError(quire.EINVALID, "A part of the form has no valid Content-Disposition.", err)
	}
	name := disp["name"]
	filename, isFile := disp["filename"]
	switch {
	case (isFile || name == "file") && form.file != nil:
		return quire.Errorf(ETOOMANYFILES, "The form has more than one file: upload one file per request.")
	case isFile && name != "file":
		return quire.Errorf(quire.EINVALID, "The file must be sent in a part named \"file\".")
	case name == "file" && !isFile:
		return quire.Errorf(quire.EINVALID, "The \"file\" part has no file name.")
	case isFile:
		return h.uploadPart(ctx, ws, filename, p, form)
	case name == "noteId":
		return readNoteID(p, form)
	case safeField(name):
		return quire.Errorf(quire.EINVALID, "Form field %q is not known.", name)
	}
	return quire.Errorf(quire.EINVALID, "The form has a field that is not known.")
}

// uploadPart stores the file part.
func (h *filesAPI) uploadPart(ctx context.Context, ws, filename string, p *multipart.Part, form *uploadForm) error {
	src := &trackedReader{r: p}
	f, err := h.files.Upload(ctx, ws, form.noteID, filename, src)
	if err != nil {
		if src.err != nil { // the body failed, not the file: say why
			return uploadFormError(src.err)
		}
		return err
	}
	form.file = f
	return nil
}

// readNoteID reads the noteId field: a note ID, or empty for none.
func readNoteID(p *multipart.Part, form *uploadForm) error {
	if form.noteSet {
		return quire.Errorf(quire.EINVALID, "Field \"noteId\" is given more than once.")
	}
	v, err := io.ReadAll(io.LimitReader(p, maxNoteIDField+1))
	if err != nil {
		return uploadFormError(err)
	}
	id := string(v)
	if id != "" && !quire.ValidID(id) {
		return quire.Errorf(quire.EINVALID, "Field \"noteId\" must be a note ID.")
	}
	form.noteID, form.noteSet = id, true
	return nil
}

// uploadFormError classifies an error reading the form: the body cap (413) and
// the body's own read errors (timeout, a cut connection) stay as they
// are; anything else is a malformed form. The cause's text is never shown.
func uploadFormError(err error) error {
	var tooLarge *http.MaxBytesError
	var qe *quire.Error
	if errors.As(err, &tooLarge) || errors.As(err, &qe) {
		return err
	}
	return quire.WrapError(quire.EINVALID, "The multipart body is malformed or was cut short.", fmt.Errorf("read form: %w", err))
}

// trackedReader remembers the error its reader returned, so that a failed
// upload can tell a broken body from a refused file.
type trackedReader struct {
	r   io.Reader
	err error
}

func (t *trackedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}
