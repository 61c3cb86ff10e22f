// Package redact keeps personal data and secrets out of what the gateway
// sends to AI providers (claim AI-4, minimum context): before a request
// leaves Quire, the entities in its text are replaced by placeholders such
// as "[EMAIL_1]", and the placeholders in the answer, streamed or not, are
// replaced back.
//
// A Redactor is compiled once, at start (New), and is safe for concurrent
// use. Each gateway request (or conversation) gets a Session: Redact,
// RedactChat and RedactTexts replace entities; Restore, RestoreChat and
// Stream put them back; Counts says how many of each kind were replaced,
// for metering. A session holds the original values in memory until it is
// dropped, and nothing else: no value reaches an error, a log or a metric.
//
// # What is detected
//
//   - Email addresses: a practical subset of RFC 5322 with RFC 6531
//     internationalised characters ("ünïcode@bücher.de"), a domain of two
//     or more labels ending in an alphabetic or punycode top-level label.
//     Dotless hosts, domain literals, quoted local parts and file names
//     such as "icon@2x.png" are not addresses here.
//   - Phone numbers: international ('+' or "00", country code, 8 to 15
//     digits, "(0)" allowed), North American ("(212) 555-0199",
//     "212-555-0199", "212.555.0199") and national numbers with a trunk 0
//     ("020 7946 0958", "06 12 34 56 78"). Digit runs without '+' or
//     separators, dates, times, versions, prices, ISBNs, ZIP+4 codes and
//     lists of numbers are not (testdata/prose.txt, ordinary prose dense
//     with such numbers, must come out unchanged).
//   - Payment card numbers: 13 to 19 digits, unseparated or grouped as
//     cards are printed, with a valid Luhn digit and a known issuer range
//     (Visa, Mastercard, Amex, Discover, UnionPay, JCB, Diners, Mir,
//     Maestro).
//   - IBANs: a country code from the SWIFT registry, that country's
//     length, unseparated or in groups of four, and a valid mod-97 check.
//   - National identifiers that can be checked: US Social Security
//     numbers ("536-22-1234", never-issued ranges excluded) and UK
//     National Insurance numbers (prefix rules and suffix A to D).
//   - IP addresses, v4 and v6, as net/netip parses them, private ranges
//     included (they map a network); not the unspecified, "this network"
//     (0.0.0.0/8), loopback and broadcast addresses, nor dotted quads that
//     are version numbers ("version 1.2.3.4", "10.0.19041.1").
//   - Secrets: the rules of gitleaks' embedded default configuration (API
//     keys of some 200 services, private key blocks, JWTs, generic
//     "password = …" assignments), used as a library. Only the secret
//     itself (the rule's secret group) is replaced: "api_key = [SECRET_1]"
//     keeps its meaning for the model.
//
// Text the client wrote that is shaped like a placeholder ("[EMAIL_1]")
// is replaced too (see below); it is not counted.
//
// # What is not
//
// Detection is by pattern, not by understanding. Names of people,
// postal addresses, dates of birth, health or financial details written
// in words, identity numbers of other countries (passports, driving
// licences, tax numbers without a checksum the redactor knows), account
// numbers other than IBANs and cards, MAC addresses, and secrets in no
// known format (a password in a sentence with no assignment) are NOT
// redacted. Neither is anything inside images or audio. Secrets that
// gitleaks finds only after decoding (base64, percent or hex encoding)
// are not looked for. Phone numbers in unusual formats, and addresses
// obfuscated by hand ("bob at example dot com"), are missed. Redaction
// narrows what a provider sees; it does not make arbitrary text safe.
//
// # Placeholders
//
// A placeholder is "[" LABEL "_" n "]", LABEL one of EMAIL, PHONE, CARD,
// IBAN, NATIONAL_ID, IP, SECRET, n from 1 (no leading zero, at most nine
// digits). Within a session the same text always gets the same
// placeholder, and numbers go by first appearance per kind, so a
// conversation sent again in a new session gets the same placeholders for
// what it said before, and the model can tell that two mentions are one
// person. Values are compared as written: the same card with and without
// spaces is two values, so that each is restored as it was written.
//
// Text the client wrote that already has the shape of a placeholder is
// treated like an entity: it gets a placeholder of its own (a literal
// "[EMAIL_1]" may go out as "[EMAIL_2]"), so that after redaction every
// placeholder-shaped text is one the session issued, and Restore maps
// each back to exactly what it replaced. Restore(Redact(x)) == x for every
// x (fuzzed), and Restore never turns the client's literal "[EMAIL_1]"
// into an address. Placeholder-shaped text the session did not issue, and
// placeholders the model altered ("[EMAIL 1]", "EMAIL_1"), are left as
// they are.
//
// RedactChat redacts, in this order (the parts that stay the same from
// turn to turn first): the system text, tool descriptions and the string
// values of tool parameter schemas, the response format's description and
// schema (gateway.MapStrings), every message's text parts and tool-call
// arguments (tool results included), and stop sequences (which must match
// what the model writes). Tool-call arguments that are JSON are walked:
// string values and keys are redacted, and a number that is itself an
// entity becomes a placeholder string. Images, tool names, IDs and schema
// property names are left alone. RestoreChat and Stream restore text and
// tool-call arguments; arguments, and text when the request asked for a
// JSON answer, are restored with JSON string escaping, so a restored
// secret with quotes or newlines keeps the JSON valid.
//
// Stream restores a streamed answer whose fragments may cut a placeholder
// anywhere ("[EMA" + "IL_1]"): per choice and per tool call it holds back
// only a trailing fragment that could still become a placeholder (fewer
// than 23 bytes), and releases it at the first character that rules this
// out, before the finish event, at the end and on an error. The restored
// stream, concatenated, equals Restore of the whole (tested at every split
// point of a text, and fuzzed).
//
// # Secrets: how gitleaks is used
//
// New parses gitleaks' embedded default configuration with gitleaks' own
// loader (github.com/zricethezav/gitleaks/v8/config; not its detect
// package, which brings git and archive handling), which compiles every
// rule with Go's regexp (gitleaks' regexp package is the standard one
// unless built with the gore2regex tag, which this package does not
// support). Rules that apply only to file paths, or only to files of a
// given name, are left out: a prompt has no path. Each rule runs only if
// one of its keywords occurs in the text; all keywords are found in one
// pass of an Aho-Corasick automaton, ASCII case-insensitively. As gitleaks
// does, a finding is dropped if its secret's entropy is at or below the
// rule's threshold, or if the global or the rule's allowlist excuses it
// (regexes on the secret, match or line, and stopwords; path and commit
// criteria never hold here). The "gitleaks:allow" comment is not honoured:
// text in a prompt cannot opt out. Where several rules overlap, a specific
// rule wins over a generic one. A composite rule (one that requires
// findings of auxiliary rules nearby) would be applied on its own, which
// redacts more, not less; the default configuration has none.
//
// Go's regexp has no DFA, and a rule that begins "[\w.-]{0,50}?" costs a
// full NFA pass over the text whenever its keyword occurs, which in prose
// ("key", "access", "token") is most of the time. So most rules (in
// gitleaks 8.30.1, 203 of the 217 that apply to text) run only on windows
// around their keyword occurrences, whose bounds are derived from the
// rule's regex (window.go); for the semi-generic rules, an occurrence not
// followed within a few characters by an assignment ("=", ":", ",", …) is
// skipped at once (follow.go). Both give the same findings as a pass over
// the whole text, which window_test.go checks on generated texts.
//
// # Costs
//
// Measured on a shared 2-core machine under load (bench_test.go; run
// them on the target): New takes 25 to 35 ms and allocates 26 to 30 MB,
// of which about 4 MB stay live (the compiled gitleaks rules). Redact of
// ordinary prose seeded with a few entities and dense with security words
// (the worst case for the secret rules): 0.15 to 0.2 ms for 2 KB, 3 to
// 5 ms for 32 KB (7 to 11 MB/s), of which everything but the secret rules
// takes about 0.4 ms (60 to 90 MB/s). Restore runs at 2 to 3 GB/s, and
// Stream at about 90 MB/s with 16-byte fragments. A session keeps one
// copy of each distinct value it replaced.
package redact
