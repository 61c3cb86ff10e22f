// Package breach tells whether a password is known from data breaches
// (claim ACC-2), in two ways:
//
//   - an offline list of the most common breached passwords, shipped in the
//     binary, which needs no network and answers first;
//   - the k-anonymity range API of Have I Been Pwned (Pwned Passwords):
//     only the first 5 hex characters of the password's SHA-1 leave the
//     process, the response is padded with decoy entries (count 0) so its
//     size does not reveal the prefix, and the match is made locally.
//
// The password, its full hash and its hash suffix are never sent or logged.
// When the range API cannot be reached, the Checker fails open (the offline
// answer stands and the failure is counted and reported) or, configured so,
// fails closed with quire.EBREACHUNAVAILABLE.
package breach
