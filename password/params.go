package password

import (
	"fmt"
	"runtime"
)

// Params are the Argon2id cost parameters and output sizes.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism (lanes); at most 255.
	Threads uint32
	// SaltLen and KeyLen are the salt and derived-key lengths in bytes.
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams returns the second recommended option of RFC 9106
// (section 4, for memory-constrained settings): Argon2id with 64 MiB of
// memory, 3 passes, 4 lanes, a 128-bit salt and a 256-bit tag.
func DefaultParams() Params {
	return Params{Memory: 64 * 1024, Time: 3, Threads: 4, SaltLen: 16, KeyLen: 32}
}

// Bounds on parameters. They are far above anything sensible and exist so
// that a corrupt or hostile stored hash cannot make Verify allocate without
// limit or spin for minutes.
const (
	// MaxMemory is 4 GiB, in KiB.
	MaxMemory  = 4 * 1024 * 1024
	MaxTime    = 100
	MaxThreads = 255
	// minStoredSalt and minStoredKey accept hashes made elsewhere with the
	// PHC minimums; new hashes must meet minConfigSalt and minConfigKey.
	minStoredSalt = 8
	minStoredKey  = 16
	minConfigSalt = 16
	minConfigKey  = 16
	maxSaltOrKey  = 64
	kib           = 1024
	memoryBudget  = 128 * 1024 * 1024
)

// check reports whether p is within the bounds; minSalt and minKey differ
// for configured and stored parameters.
func (p Params) check(minSalt, minKey uint32) error {
	switch {
	case p.Threads < 1 || p.Threads > MaxThreads:
		return fmt.Errorf("argon2 threads %d out of range 1..%d", p.Threads, MaxThreads)
	case p.Memory < 8*p.Threads || p.Memory > MaxMemory:
		return fmt.Errorf("argon2 memory %d KiB out of range %d..%d", p.Memory, 8*p.Threads, MaxMemory)
	case p.Time < 1 || p.Time > MaxTime:
		return fmt.Errorf("argon2 time %d out of range 1..%d", p.Time, MaxTime)
	case p.SaltLen < minSalt || p.SaltLen > maxSaltOrKey:
		return fmt.Errorf("argon2 salt length %d out of range %d..%d", p.SaltLen, minSalt, maxSaltOrKey)
	case p.KeyLen < minKey || p.KeyLen > maxSaltOrKey:
		return fmt.Errorf("argon2 key length %d out of range %d..%d", p.KeyLen, minKey, maxSaltOrKey)
	}
	return nil
}

// Validate reports whether p is acceptable for new hashes.
func (p Params) Validate() error { return p.check(minConfigSalt, minConfigKey) }

// DefaultMaxConcurrent is the concurrency cap used when Options leaves it
// zero: as many hashes as fit in a 128 MiB memory budget (2 with the
// default 64 MiB), but no more than the number of CPUs and at least one.
//
// Why: each hash holds Params.Memory for its whole run, so peak hashing
// memory is the cap × Params.Memory; 200 simultaneous sign-ins then cost
// 128 MiB, not 12.5 GiB. More concurrent hashes than CPUs would not finish
// sooner either: Argon2 is CPU-bound, and each hash already runs
// Params.Threads lanes in parallel. The rest wait their turn (bounded by
// their context).
func DefaultMaxConcurrent(p Params) int {
	n := memoryBudget / (int(p.Memory) * kib)
	n = min(n, runtime.NumCPU())
	return max(n, 1)
}
