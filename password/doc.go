// Package password hashes, verifies and judges passwords.
//
// Hashes are Argon2id (RFC 9106) in the PHC string format of the reference
// implementation, so the parameters travel with each hash and can be raised
// later: Verify reports when a stored hash was made with other parameters.
// Every password is normalised to Unicode NFKC before it is counted or
// hashed (NIST SP 800-63B), so the same password typed on two keyboards
// that produce different code points still verifies.
//
// Argon2id is memory-hard on purpose, which makes it a denial-of-service
// lever: a Hasher admits a bounded number of hashes at a time, so that peak
// hashing memory is MaxConcurrent × Params.Memory whatever the load.
//
// Policy enforces length only (no composition rules), and Strength gives
// zxcvbn feedback that is advice, never a rule.
package password
