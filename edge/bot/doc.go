// Package bot tells bots from people and applies a per-route policy to
// them (claim BOT-1). It sits after the client-IP and security-header
// layers and before rate limits (DESIGN.md).
//
// Classification has three sources. Signatures: the User-Agent is matched
// against the crawler-user-agents data (vendored under data/, with its
// MIT licence; refresh.sh updates it) and a small supplement of our own
// for security scanners the data lacks, each signature with a category
// (search_engine, ai_crawler, seo, monitor, archiver, social_preview,
// feed_reader, scraper, headless, security_scanner, other). Headers: a few
// conservative signals that no browser gives (no User-Agent, a browser
// User-Agent with neither Accept nor Accept-Language, a headless client
// hint, a scanner's own header) make a request Automated. Verification: a
// User-Agent claiming a bot whose vendor documents how to check it
// (Googlebot, Bingbot, Applebot, …) must come from the vendor's configured
// ranges or pass forward-confirmed reverse DNS; otherwise it is Spoofed.
// Lookups have a timeout, are cached (LRU, positive and negative), are
// shared among concurrent requests for one address, and are bounded in
// number; any failure leaves the claim unverified.
//
// The matcher compiles every pattern once. An Aho-Corasick automaton over
// literal factors of the patterns, read in one pass over the lower-cased
// User-Agent, selects the few patterns that can match; only those run, and
// most of them as plain substring searches. A browser's User-Agent, the
// common case, runs none.
//
// The policy maps (route class, category) to allow or deny, with
// defaults that deny every automated client on pages and sign-in routes,
// let verified search engines and link previews see public notes, and
// leave static files, health checks and the API (judged by its key)
// alone. Decisions carry names from the signature table and fixed
// reasons, never request content, so they are safe to log.
package bot
