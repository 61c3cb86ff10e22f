package trust

import (
	"bytes"
	"fmt"

	"github.com/quirehq/quire"
)

// SecurityMD returns the project's SECURITY.md, generated from the registry:
// how to report a vulnerability, how claims are checked, then every claim
// with its ID, its exact text and how it is verified. A test keeps the
// committed file equal to this output.
func SecurityMD() []byte {
	var b bytes.Buffer
	b.WriteString(securityHead)
	section := ""
	for _, c := range registry {
		if c.Section != section {
			section = c.Section
			fmt.Fprintf(&b, "\n### %s\n", section)
		}
		fmt.Fprintf(&b, "\n#### %s: %s\n\n> %s\n\n", c.ID, c.Title, c.Text)
		if c.Check == nil {
			b.WriteString("**Not verified automatically yet.** `quire trust` lists this claim as `not_implemented`.\n")
			continue
		}
		fmt.Fprintf(&b, "**How it is verified:** %s\n", c.Verify)
	}
	writeSubProcessorKinds(&b)
	return b.Bytes()
}

// writeSubProcessorKinds documents every kind of sub-processor a deployment
// may enable; each deployment's own list is on its trust page.
func writeSubProcessorKinds(b *bytes.Buffer) {
	b.WriteString(subProcessorsHead)
	for _, k := range quire.SubProcessorKinds() {
		fmt.Fprintf(b, "- **%s** (`%s`): %s. Data handling: %s.\n", k.Title, k.Kind, k.Purpose, k.DataHandling)
	}
}

const subProcessorsHead = `
## Sub-processors

A deployment sends data only to the external services its configuration
enables (claim SUB-1). Its ` + "`/trust`" + ` page and ` + "`/trust.json`" + ` (` + "`subprocessors`" + `)
list them, generated from the running configuration, with host, region and
the operator's attestation (` + "`attestation:`" + ` and ` + "`region:`" + ` keys). Services on
the same machine (SQLite, local disk, anything on a loopback address) are not
sub-processors and are not listed. The kinds a deployment can enable:

`

const securityHead = `# Security

<!-- Generated from the claim registry (trust/claims.go). Do not edit by hand:
change the registry, then run: go test ./trust -run TestSecurityMD -update -->

Quire makes the security promises listed below. Each has a stable ID, is
worded exactly as on every deployment's trust page, and says how it is
verified. The same registry drives ` + "`quire trust`" + ` and the ` + "`/trust`" + ` page and
` + "`/trust.json`" + ` of a running server, so these words cannot drift from what
the code checks.

## Reporting a vulnerability

- **In a running deployment:** the contact and the disclosure policy are in
  that server's ` + "`/.well-known/security.txt`" + ` (RFC 9116), and its ` + "`/trust`" + ` page
  shows which claims hold there right now, with evidence.
- **In Quire itself:** report it privately through the repository's private
  vulnerability reporting (Security, then "Report a vulnerability", on
  github.com/quirehq/quire). Please do not open a public issue.
- Name the claim ID your finding breaks, if any, and how to reproduce it.

## How the claims are checked

` + "`quire trust [--url URL] [--json]`" + ` runs every check and prints each claim
with its status and evidence. A status is one of:

- ` + "`pass`" + `: the check ran against this deployment and the claim held.
- ` + "`fail`" + `: the claim did not hold, or the check could not get what it needs
  (no server URL, no store, a timeout). A claim that cannot be verified never
  passes.
- ` + "`not_applicable`" + `: the claim does not apply to this deployment.
- ` + "`not_implemented`" + `: the claim has no automated check yet.

The run passes (exit status 0) when no claim fails. Claims without a check
are listed as ` + "`not_implemented`" + ` and do not fail the run: the features they
describe are still being built, and a run that always failed would teach
operators to ignore it. They never count as passing, either: read them as
promises not yet verified by this project's own checks.

Checks that write (ENC-1, ENC-2, ISO-1) use throwaway canary records made of
fresh random markers and delete them afterwards. Evidence never contains
secrets, key material or user content.

## Claims
`
