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
// ranges or pass forward-confirmed reverse DNS against the names the
// vendor documents for that kind of bot (vendor.go); otherwise it is
// Spoofed. Decide checks a claim only when its route class's policy gives
// a verified bot another action than a spoofed one (public notes, by
// default), so fake Googlebots on pages cost no DNS at all. Lookups have a
// timeout, are cached (LRU; an outcome that verifies for its address, one
// that does not for the client's network, an IPv4 address or an IPv6
// /64), are shared among concurrent requests for one address, and are
// bounded in number, in all and per network; any failure leaves the claim
// unverified.
//
// The matcher compiles every pattern once and reads the first 512 bytes
// of the User-Agent (MatchWindow). An Aho-Corasick automaton over literal
// factors of the patterns, read in one pass over the lower-cased
// User-Agent, selects the few patterns that can match; only those run,
// most of them as plain substring searches, first those that claim a
// verifiable bot, then the others, each in table order, stopping at the
// first that matches. A browser's User-Agent, the common case, runs none.
//
// The policy maps (route class, category) to allow or deny, with
// defaults that deny every automated client on pages and sign-in routes,
// let verified search engines and link previews see public notes, and
// leave static files, health checks and the API (judged by its key)
// alone. Decisions carry names from the signature table and fixed
// reasons, never request content, so they are safe to log.
package bot
