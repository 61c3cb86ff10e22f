// Package shield is Quire's web application firewall (claim WAF-1): the
// OWASP Core Rule Set, run by Coraza, inspects every request after the
// rate limit and before authentication, and refuses SQL injection, XSS,
// path traversal, remote command execution, protocol attacks and the rest
// of what CRS detects. A client that trips it repeatedly is put in a
// penalty box for a while.
//
// # Rules and configuration
//
// New compiles one Coraza WAF (Directives) from the CRS embedded by
// coraza-coreruleset: Coraza's recommended configuration with the engine
// on (detection only in dry_run mode), the request body limit held in
// memory, no audit log and no debug log, the CRS setup with the configured
// paranoia level and inbound anomaly threshold and Quire's methods (PUT,
// PATCH and DELETE besides CRS's GET HEAD POST OPTIONS), and the CRS
// request rules. Two CRS rules are removed: 905100 and 905110, Apache
// exceptions that switch the CRS off for loopback clients, which every
// client is behind a reverse proxy on the same host.
//
// Responses are not inspected: the response rules (950–959, 980) are not
// loaded, so outbound_anomaly_threshold has no meaning here. Coraza's own
// regular-expression pre-check (SecRxPreFilter) stays off: over the CRS
// regression suite it loses two detections.
//
// Inspect returns a Verdict: blocked or not, the status (403, or 400 for a
// body the rules cannot parse), the ids of the rules that matched, their
// attack categories and the anomaly score. A Verdict holds no request
// content, so it can be logged whole; the shield itself logs only fixed
// messages. Coraza's own outputs (debug log, error callback, audit log)
// are off, since each would print matched request content.
//
// # Bodies
//
// The first body_limit bytes of a body are inspected; the bytes read are
// put back in front of the rest, so the handler reads the body exactly as
// sent, and the shield never holds more than body_limit+1 bytes of it. A
// longer body is not refused (the server has its own caps): its first part
// is inspected. A cut JSON body does not parse as a whole, so its complete
// values are extracted and inspected as Coraza's JSON processor names them;
// a cut XML body is not inspected. Multipart bodies never reach Coraza's
// multipart processor, which copies file parts to temporary files (request
// content must not touch the disk): their fields and file names are
// extracted here, and a whole body that does not parse is refused with
// 400, as Coraza's strict multipart check would. File contents and
// multipart part headers are not inspected.
//
// # Excluded routes
//
// The exclusions (by default the AI gateway's prompt routes,
// /v1/chat/completions, /v1/embeddings, /v1/rerank and
// /anthropic/v1/messages) are route prefixes whose body is not inspected:
// prompts are arbitrary user text that legitimately looks like SQL, shell
// or markup, and CRS would refuse much of it. Their path, query string and
// headers are still inspected. Only a clean path counts (no dot segments,
// doubled or encoded slashes), so no other route can borrow an exclusion.
// Note, idea, chat and search bodies (/api/v1/notes, /api/v1/ideas,
// /api/v1/chats, /api/v1/search, and a shared folder's notes and ideas
// under /api/v1/shared) are excluded for the same reason: a
// writer's note, or a question or search about it, quotes SQL, shell and
// markup. They stay protected by what those
// routes do with them: a session cookie with CSRF protection or an API
// key, strict JSON decoding, storage encrypted through parameterised
// statements, and rendering only through the Markdown sanitizer.
// Vulnerability reports (/api/v1/security/reports and the form at
// /security/report) are excluded because a report's proof of concept is
// an attack by design; they are rate limited per address, decoded
// strictly, stored encrypted through parameterised statements, and shown
// only to the operator's terminal, with control characters escaped.
// The prompt bodies stay protected by what the routes do with them: they need an
// API key (no cookie, so no cross-site use), they are rate limited per key
// and per address, they are decoded as JSON against strict schemas that
// refuse unknown fields, and the gateway never executes or interprets the
// content: it forwards it to the AI provider and keeps only usage metadata.
//
// # Bypassed routes
//
// The AI gateway's routes (by default every path under /v1/ and
// /anthropic/v1/) are not put to the rules at all; a client in the penalty
// box is still refused there. The rules cost about as much as the gateway's
// whole latency budget on each call (the bare CRS takes over 400 µs on a
// small chat request with its body excluded), and they have nothing to
// protect on these routes: every request needs an API key, which the
// server checks before any handler reads the request (an unknown key is
// refused with 401 at once); the handlers decode bodies against strict
// schemas, build no SQL, HTML or shell from the request, and send the
// content only to the AI provider; and each key and address is rate
// limited. Path, query and headers of these routes are read by nothing
// but the key check and the router, which treats the model name as an
// opaque key.
//
// # Penalty box
//
// A client (the key the server passes, its /64-grouped address) whose
// requests the shield blocks trips times within window is blocked for
// block_for: every request of it is refused with 403 shield_blocked and
// Retry-After, without evaluation. MemoryPenalties keeps the last trips
// per client in a sharded LRU of bounded size; the Penalties interface
// lets a shared box (Redis) replace it. Dry-run mode never penalises.
//
// # Pre-filter
//
// Coraza with the CRS costs about 1.3 ms for a plain page GET; most of it
// is the rules' regular expressions, run over every header and cookie.
// Much of it is spent on parts that cannot carry anything a rule matches.
// The pre-filter finds those requests and runs only the rules that could
// match them:
//
//   - The class (prefilter_grammar.go): GET or HEAD, HTTP/1.1 or 2, no
//     query and no body, a path of plain segments, a host name, and only
//     headers a browser or API client sends, each once, each fitting a
//     grammar (a browser User-Agent built from a fixed vocabulary, media
//     types, language tags, Sec-Fetch values, tokens for cookies and
//     bearer keys…). Requests outside the class run the full rules.
//   - The analysis (analysis_test.go): each CRS detection rule's variables,
//     transformations and operator are intersected with the class's
//     grammars, exactly for the grammars and the rule's regular expression
//     (product automaton of the two Go regexp programs) and
//     over-approximating the transformations, so that "cannot match" is a
//     proof and "may match" an overestimate. Of the 282 request detection
//     rules, 212 cannot match any request of the class (class_rules.txt);
//     the test TestClassRules reruns the analysis and fails when the file
//     and the rules disagree.
//   - The residual rules: the others run, in two Coraza WAFs. The rules
//     that can only match the Cookie header run on a probe request that
//     carries only it, and a clean answer is remembered per Cookie header
//     value (a session sends the same one every time; 128-bit keyed hashes,
//     bounded); the rest run on the request without its Cookie header. A
//     rule that can match both runs in both. A rule splits so because its
//     chained links read only what its first link matched; the analysis
//     checks it, and that the rules run without the cookies read no count
//     or list the Cookie header changes.
//
// For a request of the class, the residual rules match exactly what the
// full rules match, so a clean residual answer is the full verdict and
// anything else goes to the full rules. The proof is checked, besides the
// analysis, by running the CRS regression suite with the pre-filter on and
// off (TestCRSRegression as written, TestPrefilterCRSSuite as a browser
// would send it: 152 stages in the class, the same tests pass), by a
// sweep of every keyword of the CRS data files and regular expressions
// (and base64 forms of decoded payloads) through every free part of the
// class (TestPrefilterKeywordSweep; -shield.fullsweep for all 6,700
// words), and by FuzzPrefilter at every paranoia level: whatever the
// pre-filter judges clean, the full rules find nothing in.
//
// BenchmarkInspect reports the cost against bare Coraza with the CRS in
// the same run: a page GET with the session cookie takes about 0.24–0.31
// of it with the pre-filter (3–4 times faster), about 0.6 on a session's
// first request (its cookie not yet remembered), about 0.93–1.0 without
// the pre-filter. A JSON note save gains nothing (BenchmarkInspectJSON):
// its body runs the full rules, about 14 ms for 2 KB of Markdown, of which
// the headers take about 1.3 ms and nearly all the rest is some 90 regular
// expressions of paranoia level 1 that read ARGS, each scanning the one
// long value (Coraza's JSON processor gives three ARGS, no REQUEST_BODY).
// The pre-filter does not judge bodies because prose defeats it: even for
// values of lower-case words and single spaces the analysis proves that 15
// rules can match (Unix commands at a line start, SQL keyword runs), and
// they alone cost about 0.37 of bare Coraza on the note
// (BenchmarkJSONFloor), short of a 3-fold gain before any header rule runs;
// a grammar that admits the note leaves 65 rules that read ARGS able to
// match (about 0.8).
package shield
