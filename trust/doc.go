// Package trust is Quire's claim registry: every security promise of
// CLAIMS.md is a Claim value here, with its stable ID, its exact wording and,
// where one is built, a Check that tests the promise against the live system
// and returns evidence a reviewer can read.
//
// One registry feeds everything that states a claim: `quire trust`, the
// /trust page and /trust.json (Handler), and SECURITY.md (SecurityMD), so the
// words shown to users cannot drift from what the code checks.
//
// Each check reports one of four statuses:
//
//   - pass: the check ran and the claim held.
//   - fail: the check ran and the claim did not hold, or the check could not
//     gather what it needs (a dependency was not available, it timed out, it
//     panicked). A claim that cannot be verified is never reported as passing.
//   - not_applicable: the claim does not apply to this deployment.
//   - not_implemented: the claim has no automated check yet.
//
// A report passes when no claim fails. Claims without a check are listed as
// not_implemented and do not make the report fail: the feature they describe
// may not be built yet, and failing every run until then would train
// operators to ignore the result. They are never counted as passing either;
// the page, the text report and SECURITY.md show them as unverified.
//
// Checks write only throwaway canary data made of fresh random markers and
// delete it afterwards; their evidence never contains secrets, key material
// or user content.
package trust
