package search

import (
	"math"

	"github.com/quirehq/quire"
)

// MaxDims bounds the dimension of a vector.
const MaxDims = 1 << 13

// vectors holds the L2-normalised vectors of an index in one flat slice,
// dims floats per ordinal, so that a brute-force scan reads memory in
// order. The dimension is set by the first vector and freed with the last.
type vectors struct {
	dims    int
	data    []float32
	present []bool // by ordinal
	n       int    // ordinals with a vector
}

// normalized returns a unit-length copy of v, nil for nil.
func normalized(v []float32) ([]float32, error) {
	if len(v) == 0 {
		return nil, nil
	}
	if len(v) > MaxDims {
		return nil, quire.Errorf(quire.EINVALID, "Vector must have at most %d dimensions.", MaxDims)
	}
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
		return nil, quire.Errorf(quire.EINVALID, "Vector must be finite and not zero.")
	}
	inv := 1 / math.Sqrt(sum)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out, nil
}

// check refuses a vector of dims dimensions unless it matches the index's;
// replacing tells that the vector would replace one of the index's own, so
// that the last vector may change the dimension.
func (v *vectors) check(dims int, replacing bool) error {
	if dims == 0 || v.dims == 0 || dims == v.dims || replacing && v.n == 1 {
		return nil
	}
	return quire.Errorf(quire.EINVALID, "Vector has %d dimensions; the index holds vectors of %d.", dims, v.dims)
}

func (v *vectors) has(ord uint32) bool { return int(ord) < len(v.present) && v.present[ord] }

// set stores vec under ord and returns the bytes the storage grew by. The
// storage spans every ordinal up to the highest with a vector.
func (v *vectors) set(ord uint32, vec []float32) int64 {
	v.dims = len(vec) // check let it differ only when the storage is empty
	var grown int64
	if need := (int(ord) + 1) * v.dims; need > len(v.data) {
		grown = 4*int64(need-len(v.data)) + int64(int(ord)+1-len(v.present))
		v.data = append(v.data, make([]float32, need-len(v.data))...)
		v.present = append(v.present, make([]bool, int(ord)+1-len(v.present))...)
	}
	copy(v.at(ord), vec)
	v.present[ord] = true
	v.n++
	return grown
}

// clear forgets ord's vector and returns the bytes the storage shrank by:
// all of it with the last vector, else none.
func (v *vectors) clear(ord uint32) int64 {
	if !v.has(ord) {
		return 0
	}
	v.present[ord] = false
	v.n--
	if v.n > 0 {
		return 0
	}
	freed := 4*int64(len(v.data)) + int64(len(v.present))
	v.dims, v.data, v.present = 0, nil, nil
	return freed
}

func (v *vectors) at(ord uint32) []float32 {
	i := int(ord) * v.dims
	return v.data[i : i+v.dims]
}

// dot is the inner product of two vectors of the same length, unrolled for
// the compiler.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}
