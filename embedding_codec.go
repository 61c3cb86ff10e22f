package quire

import (
	"encoding/binary"
	"errors"
	"math"
	"unicode"
	"unicode/utf8"
)

// Limits on embeddings.
const (
	MaxEmbeddingDims  = 4096
	MaxEmbeddingModel = 128 // bytes
	// EmbeddingHashSize is the size of TextHash (SHA-256).
	EmbeddingHashSize = 32
)

// The plaintext the stores seal in vector_enc is the hash of the embedded text
// followed by the vector:
//
//	offset 0   TextHash, 32 bytes (SHA-256 of the embedded text)
//	offset 32  Vector[0], Vector[1], … Vector[dims-1], each an IEEE 754
//	           float32 in little-endian byte order
//
// so it is 32 + 4·dims bytes long. dims is also stored in clear, and a
// value whose length disagrees with it is refused as corrupt. The layout
// is part of the stored format: changing it makes existing rows unreadable.

// Validate reports whether e is acceptable to store. Messages name the
// field at fault, never its value.
func (e *Embedding) Validate() error {
	if err := ValidateEmbeddingIDs(e.WorkspaceID, e.DocID); err != nil {
		return err
	}
	switch {
	case e.Kind != "note" && e.Kind != "idea":
		return Errorf(EINVALID, "Embedding kind must be %q or %q.", "note", "idea")
	case e.Model == "":
		return Errorf(EINVALID, "Embedding model is required.")
	case len(e.Model) > MaxEmbeddingModel:
		return Errorf(EINVALID, "Embedding model must be at most %d bytes.", MaxEmbeddingModel)
	case !printableText(e.Model):
		return Errorf(EINVALID, "Embedding model must be UTF-8 text without control characters.")
	case len(e.Vector) == 0 || len(e.Vector) > MaxEmbeddingDims:
		return Errorf(EINVALID, "Embedding vector must have 1 to %d dimensions.", MaxEmbeddingDims)
	case !finiteVector(e.Vector):
		return Errorf(EINVALID, "Embedding vector must hold finite numbers only (no NaN or infinity).")
	case len(e.TextHash) != EmbeddingHashSize:
		return Errorf(EINVALID, "Embedding text hash must be %d bytes (SHA-256).", EmbeddingHashSize)
	}
	return nil
}

// ValidateEmbeddingIDs checks the IDs that name an embedding.
func ValidateEmbeddingIDs(workspaceID, docID string) error {
	if err := ValidateEmbeddingWorkspace(workspaceID); err != nil {
		return err
	}
	if !ValidID(docID) {
		return Errorf(EINVALID, "Embedding document ID is not valid.")
	}
	return nil
}

// ValidateEmbeddingWorkspace checks the workspace ID of an embedding
// call.
func ValidateEmbeddingWorkspace(id string) error {
	if !ValidID(id) {
		return Errorf(EINVALID, "Embedding workspace ID is not valid.")
	}
	return nil
}

func printableText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func finiteVector(v []float32) bool {
	for _, f := range v {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return false
		}
	}
	return true
}

// MarshalVector returns the plaintext of e's vector_enc (see the layout
// above).
func (e *Embedding) MarshalVector() []byte {
	out := make([]byte, 0, EmbeddingHashSize+4*len(e.Vector))
	out = append(out, e.TextHash...)
	for _, f := range e.Vector {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(f))
	}
	return out
}

// ErrVectorSize reports a stored vector whose length disagrees with its
// dims column.
var ErrVectorSize = errors.New("stored embedding does not have the length its dimensions call for")

// UnmarshalVector splits a vector_enc plaintext of dims dimensions into
// hash and vector, copying into hash (32 bytes) and vec (dims floats).
func UnmarshalVector(pt []byte, hash []byte, vec []float32) error {
	if len(hash) != EmbeddingHashSize || len(pt) != EmbeddingHashSize+4*len(vec) {
		return ErrVectorSize
	}
	copy(hash, pt)
	for i := range vec {
		vec[i] = math.Float32frombits(binary.LittleEndian.Uint32(pt[EmbeddingHashSize+4*i:]))
	}
	return nil
}
