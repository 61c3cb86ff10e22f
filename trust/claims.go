package trust

import "time"

// Claims returns the registry: every claim of CLAIMS.md, in its order. The
// slice is a fresh copy, so callers may keep or change it.
func Claims() []Claim {
	return append([]Claim(nil), registry...)
}

// registry holds the claims. Text is CLAIMS.md's wording with its lines
// joined; a test compares the two, so edit both together.
var registry = []Claim{
	{
		ID:      "ENC-1",
		Section: "Encryption",
		Title:   "Encryption at rest",
		Text:    "Every data store is encrypted at rest with AES-256 (GCM): database content and every user-provided value in it (emails, names, titles, bodies, chat messages, TOTP secrets, payment references), files/blobs, exports and backups. A raw copy of the data directory or of the Postgres database reveals no user content or identifier. Lookups that need equality (e.g. login by email) use keyed blind indexes (HMAC).",
		Verify: "Writes a throwaway canary through the store's services: a user, a workspace and a note whose email, names, title and content each carry a fresh random marker. " +
			"Reads the note and the user back (by email, through the blind index) to prove the values were stored, then asks the store to scan its raw storage for every marker " +
			"(the database files on SQLite, every row of every table as text on PostgreSQL) and streams every regular file of the data directory looking for them (required on SQLite, whose database lives there). " +
			"A control proves the scans see stored rows: the canary note's ID, which is stored in clear as a key, must be found. " +
			"Fails if any marker is found, naming the file or table. The canary is then deleted, its workspace key shredded.",
		Check:   checkENC1,
		Timeout: 2 * time.Minute,
	},
	{
		ID:      "ENC-2",
		Section: "Encryption",
		Title:   "Key hierarchy, rotation and crypto-shredding",
		Text:    "Keys: a root key (file, env, or KMS) wraps a versioned keyring; each workspace has its own random data key. Every ciphertext names its key version and is bound to its record (table/row/field as associated data). Keys rotate by time and by operation count; old versions can be rewrapped and retired; deleting a workspace's data key makes its data unrecoverable (crypto-shredding).",
		Verify: "Reads the barrier's status: a keyring with at least one key-encryption key, a named root key source, rotation by age and by operation count (at most 2^32 operations per key, the random-nonce bound of AES-GCM) and no key used beyond that bound. " +
			"Then, on a fresh scope, encrypts a value and proves that it names its key version, decrypts with the right associated data, fails to decrypt with another record's associated data, " +
			"and, once the scope's keys are shredded, fails with \"no key\". Reports the number of data keys, keyring versions and keys wrapped by an older keyring key.",
		Check: checkENC2,
	},
	{
		ID:      "TLS-1",
		Section: "Encryption",
		Title:   "TLS 1.2+ only, HTTPS redirect and HSTS",
		Text:    "Every listener speaks TLS 1.2 or 1.3 only; plain HTTP only redirects to HTTPS; HSTS (1 year, includeSubDomains) on every HTTPS response.",
		Verify: "Connects to the server URL: a client limited to TLS 1.1 must be refused, TLS 1.2 and TLS 1.3 clients must succeed with a verified certificate (TLS 1.2 on an AEAD cipher suite), " +
			"and a TLS 1.2 client offering only CBC cipher suites must be refused. GET /healthz and a missing page must both carry Strict-Transport-Security with max-age of at least one year and includeSubDomains. " +
			"If a plain-HTTP listener is configured, GET /healthz?x=1 on it must answer 308 with a Location on https:// keeping the path and query.",
		Check: checkTLS1,
	},
	{
		ID:      "TLS-2",
		Section: "Encryption",
		Title:   "TLS on every outbound connection",
		Text:    "Every outbound connection — AI providers, webhooks, SMTP, PostgreSQL, Redis, S3, breached-password API — uses TLS 1.2+ with certificate verification. Plaintext is refused, except to loopback in development mode.",
		Verify:  "Lists every configured outbound connection (each AI provider, PostgreSQL, Redis, the SMTP relay, the breached-password API) and fails for any that is not TLS with certificate verification, except plaintext to loopback in development.",
		Check:   checkTLS2,
	},
	{
		ID:      "AI-1",
		Section: "AI and your data",
		Title:   "One gateway for every AI call",
		Text:    "Every AI call goes through the gateway; no other code path talks to a model provider.",
		Verify:  "Sends requests to vendor API hosts and to every configured provider endpoint through the process's default HTTP transport, which any code path other than the gateway would use, and fails unless each is refused before it leaves; checks that the live gateway endpoint is served and refuses a call without a key. A build-time test fails if code outside the gateway imports a provider SDK or names a provider host.",
		Check:   checkAI1,
	},
	{
		ID:      "AI-2",
		Section: "AI and your data",
		Title:   "Zero data retention",
		Text:    "Zero data retention: the gateway never stores or logs prompts or outputs (only metadata: provider, model, token counts, latency, status). Only providers marked ZDR in configuration are used; a workspace in strict mode fails closed. Provider-side storage flags are forced off (e.g. OpenAI `store: false`); endpoints that retain data (batch, files) are refused.",
		Verify:  "Lists the providers with their attestations; asks the router which providers every model would be sent to under the default policy and fails if one lacks zero data retention; captures on loopback the request the OpenAI adapter sends for a chat carrying store, user, metadata and previous_response_id and fails unless it carries store: false and none of the others; on the live server, POST /v1/files and /v1/batches must not be served.",
		Check:   checkAI2,
	},
	{
		ID:      "AI-3",
		Section: "AI and your data",
		Title:   "No training on customer data",
		Text:    "No training: only providers attested as not training on customer data are used; the binary never uses customer content for any training.",
		Verify:  "Lists the providers' training attestations and fails if any provider that may train on customer data is configured or would be used for any model.",
		Check:   checkAI3,
	},
	{
		ID:      "AI-4",
		Section: "AI and your data",
		Title:   "Minimum context sent to AI providers",
		Text:    "Minimum context: each request to a provider carries only allowlisted fields; personal data and secrets in prompts are replaced by placeholders before they leave and restored in the answer (streaming too); retrieved context is cut to a budget of the most relevant passages.",
		Verify:  "Puts fresh values of every redacted kind (an email address, a Luhn-valid card number, a token, an IP address) through the gateway's redaction as a request would, and fails if any reaches the provider side or the restored answer differs from the original; checks that an unknown request field is dropped by the OpenAI adapter.",
		Check:   checkAI4,
	},
	{
		ID:      "AI-5",
		Section: "AI and your data",
		Title:   "Short-lived diagnostic logs without content",
		Text:    "Diagnostic logs are short-lived: they hold no content, and they are deleted on a rolling basis (default 7 days).",
		Verify: "Checks the diagnostic log directory: mode 0700, every file 0600, no quire-*.log file older than the retention period (plus a day of slack), and a retention of at most 30 days (default 7). " +
			"Then logs a record carrying a fresh password, email address, bearer token, card number and note body through the production logger and fails if any of those values appears in its output. " +
			"Fails too if the retention janitor has no diagnostic-logs rule, or that rule's last run failed.",
		Check: checkAI5,
	},
	{
		ID:      "RES-1",
		Section: "Infrastructure",
		Title:   "Data residency",
		Text:    "Data residency: each workspace is pinned to a region (default `us`, optional `eu`), whose database and file store are separate.",
	},
	{
		ID:      "ISO-1",
		Section: "Infrastructure",
		Title:   "Tenant isolation",
		Text:    "Tenant isolation at the database level: on PostgreSQL, row-level security bound to the current workspace in every transaction, and a dedicated database role per deployment (quire refuses a superuser or table-owner role in production); on SQLite, per-workspace keys. No API call can read or change another workspace's data.",
		Verify: "Reads the database's isolation state. On PostgreSQL every tenant table must have row-level security enabled and forced with at least one policy; in production the server's role must be neither superuser, nor BYPASSRLS, nor owner of its tables " +
			"(in development these are reported as warnings). Then, on two canary workspaces, a cross-tenant probe reads, lists, updates and deletes one workspace's note through the other and must be refused each time, leaving the note unchanged. " +
			"Finally a value sealed for one workspace must not decrypt under the other's data key, and deleting one workspace (which shreds its key) must leave the other readable; this part needs the barrier and is required on SQLite, where isolation rests on per-workspace keys.",
		Check:   checkISO1,
		Timeout: time.Minute,
	},
	{
		ID:      "REP-1",
		Section: "Infrastructure",
		Title:   "Replication",
		Text:    "Replication: PostgreSQL replicas or continuous SQLite replication to an S3-compatible store; the server reports its replication status.",
	},
	{
		ID:      "DOS-1",
		Section: "Infrastructure",
		Title:   "L7 DDoS resilience",
		Text:    "L7 DDoS resilience: header/read/idle timeouts, header and body size limits, per-IP connection caps, a global concurrency limit that sheds load with 503 and Retry-After instead of falling over.",
		Verify: "Against the server URL: sends a header twice the configured limit (431) and a body over the limit (413), leaves a request header unfinished and expects the connection closed once the header timeout passes, " +
			"and opens one connection more than the per-address cap, expecting that one closed at once and the others open; reports the in-flight limit.",
		Check:   checkDOS1,
		Timeout: time.Minute,
	},
	{
		ID:      "BOT-1",
		Section: "Infrastructure",
		Title:   "Bot detection",
		Text:    "Bot detection against 600+ known bot signatures, with categories (search engine, AI crawler, monitor, scraper, …), verified good bots (IP range or reverse DNS), and a per-route allow/deny policy.",
		Verify: "Reports the compiled signature count (at least 600) by category and the crawler operators verified by reverse DNS; against the server URL, sends curl, python-requests, GPTBot and no User-Agent to pages and the sign-in routes, " +
			"and a Googlebot User-Agent from the checker's own (non-Google) address to a public note link, expecting 403 bot_denied for each, while a browser on the sign-in page, curl on the API (judged by its key) and the health check are let through.",
		Check:   checkBOT1,
		Timeout: time.Minute,
	},
	{
		ID:      "RL-1",
		Section: "Infrastructure",
		Title:   "Rate limiting",
		Text:    "Rate limiting on every plan: in-process limits per IP, user, API key and route, and a shared Redis layer across instances; 429 with Retry-After and RateLimit headers.",
		Verify: "Against the server URL: sends requests from one address until one is refused, expecting that near the configured burst, as 429 rate_limited with Retry-After, RateLimit-Policy and RateLimit headers " +
			"(and RateLimit on the requests served before it); reports whether the budgets are shared through Redis.",
		Check:   checkRL1,
		Timeout: time.Minute,
	},
	{
		ID:      "WAF-1",
		Section: "Infrastructure",
		Title:   "Web application firewall (Shield)",
		Text:    "Shield: OWASP Core Rule Set (via Coraza) blocks SQL injection, XSS, path traversal, RCE and protocol attacks; repeat offenders are blocked for a period.",
		Verify: "Reports the rule set, paranoia level, anomaly threshold and penalty settings; puts SQL injection (query and JSON body), XSS, path traversal, RCE and a CRLF injection to the deployment's shield, expecting each blocked in its class, " +
			"then trips it with a client key of its own until that client is in the penalty box and refused even an ordinary request; against the server URL, sends one request carrying SQL injection and path traversal (403 shield_blocked) and an ordinary request (not refused).",
		Check:   checkWAF1,
		Timeout: time.Minute,
	},
	{
		ID:      "ACC-1",
		Section: "Application security",
		Title:   "CSRF protection",
		Text:    "CSRF protection on every state-changing browser request.",
		Verify: "Against the server URL: POSTs a sign-in as another site would (Sec-Fetch-Site: cross-site; and a foreign Origin alone) and expects 403 cross_origin_request; " +
			"signs up a throwaway account and, with its session cookie, POSTs a new API key, DELETEs its other sessions and POSTs the /logout form cross-site, expecting 403 each time, no key created and the session alive, then the key request same-origin, expecting 201.",
		Check:   checkACC1,
		Timeout: 2 * time.Minute,
	},
	{
		ID:      "ACC-2",
		Section: "Application security",
		Title:   "Breached-password detection",
		Text:    "Breached-password detection at sign-up, password change and sign-in (k-anonymity range API with padding, plus an offline list of common passwords).",
		Verify:  "Against the server URL: signs up with top breached passwords and changes a throwaway account's password to one, expecting 422 password_breached each time; reports whether the k-anonymity range API is on.",
		Check:   checkACC2,
		Timeout: 2 * time.Minute,
	},
	{
		ID:      "ACC-3",
		Section: "Application security",
		Title:   "Account lockout",
		Text:    "Account lockout after repeated failed attempts (default 10, then 1 hour; configurable; admin unlock), safe under parallel attempts, without user enumeration.",
		Verify: "Against the server URL: signs up a throwaway account, sends the configured number of wrong passwords (401 invalid_credentials, the last 423 account_locked), then the right one (423 with Retry-After); " +
			"an address without an account must get the same status, code and message in similar time (median ratio at most 3).",
		Check:   checkACC3,
		Timeout: 3 * time.Minute,
	},
	{
		ID:      "ACC-4",
		Section: "Application security",
		Title:   "Session security",
		Text:    "Sessions: random tokens stored hashed, `__Host-` cookies (Secure, HttpOnly, SameSite), idle and absolute timeouts, rotation on login, revocation.",
		Verify: "Against the server URL: signs up a throwaway account and checks the session cookie (__Host- name, Secure, HttpOnly, SameSite Lax or Strict, Path=/, no Domain, a 256-bit token), " +
			"scans the store's raw storage for the token (it must not be there), signs in again (a new token), signs out and revokes a session from the list (the old tokens answer 401).",
		Check:   checkACC4,
		Timeout: 2 * time.Minute,
	},
	{
		ID:      "ACC-5",
		Section: "Application security",
		Title:   "Multi-factor authentication",
		Text:    "Multi-factor authentication (TOTP + recovery codes; passkeys).",
		Verify: "Against the server URL: expects TOTP enrolment on a throwaway account refused without its password, enrols it with a code computed from the otpauth URI, signs in again (403 mfa_required until the second factor), " +
			"expects a wrong code refused, a recovery code accepted once and refused the second time, and a WebAuthn challenge from the passkey sign-in.",
		Check:   checkACC5,
		Timeout: 2 * time.Minute,
	},
	{
		ID:      "HDR-1",
		Section: "Application security",
		Title:   "Security headers",
		Text:    "Security headers on every response, errors and redirects included: HSTS, Content-Security-Policy (no unsafe-inline/unsafe-eval), X-Frame-Options, Referrer-Policy `no-referrer`, X-Content-Type-Options, COOP/CORP, and the rest of the set that scores A+ on the Mozilla HTTP Observatory.",
		Verify: "GETs the /trust page, /healthz, a missing page and the plain-HTTP redirect from the server URL. Each response must carry a Content-Security-Policy with default-src, " +
			"no 'unsafe-inline' or 'unsafe-eval' anywhere, no wildcard script source, frame-ancestors and base-uri 'none' or 'self', object-src 'none' and form-action; X-Frame-Options DENY or SAMEORIGIN; " +
			"Referrer-Policy no-referrer; X-Content-Type-Options nosniff; Cross-Origin-Opener-Policy same-origin; Cross-Origin-Resource-Policy same-origin or same-site; Origin-Agent-Cluster, " +
			"X-DNS-Prefetch-Control off, X-Permitted-Cross-Domain-Policies none and a Permissions-Policy; HSTS of a year with includeSubDomains over HTTPS; and no Server or X-Powered-By header.",
		Check: checkHDR1,
	},
	{
		ID:      "PAY-1",
		Section: "Application security",
		Title:   "Payments without card data",
		Text:    "Payments through Stripe Checkout; no card data ever reaches the server; only Stripe customer/subscription IDs are stored; webhooks are signature-verified.",
	},
	{
		ID:      "ERR-1",
		Section: "Application security",
		Title:   "Error monitoring with masking",
		Text:    "Error monitoring with sensitive-field masking (passwords, tokens, keys, cookies, authorization, card numbers, IBANs, emails) before anything is stored or sent.",
	},
	{
		ID:      "DEP-1",
		Section: "Application security",
		Title:   "Dependency scanning",
		Text:    "Dependencies are kept current and scanned for known vulnerabilities (govulncheck in CI; an SBOM per build); the build fails on a reachable one.",
	},
	{
		ID:      "SUB-1",
		Section: "Sub-processors",
		Title:   "Sub-processor list",
		Text:    "The list of external services actually enabled in this deployment (AI providers, SMTP, S3, Stripe, …) with purpose and data-handling attestation is generated from configuration and shown on the trust page.",
		Verify: "Generates the list from this process's configuration (shown on the trust page and in /trust.json as subprocessors) and checks that every entry has a purpose and a data-handling statement, " +
			"and every AI provider its zero-data-retention and training attestations; fails if an AI provider that may train on customer data is enabled. " +
			"Cross-checks the list both ways against the outbound connections found independently in the configuration (each AI provider, SMTP, S3, PostgreSQL, Redis, the breached-password API) " +
			"and against the providers the gateway routes to: a remote service missing from the list, or a listed service not configured, fails. Services on loopback are named as running on this machine.",
		Check: checkSUB1,
	},
	{
		ID:      "GDPR-1",
		Section: "Compliance",
		Title:   "Data access and portability",
		Text:    "Access and portability: a user can export all their data in a machine-readable archive (JSON + Markdown + files).",
		Verify: "Checks that data exports are served by this deployment and that a ready archive expires within 30 days (exports.ttl); reads the export queue and fails if an export has been queued or running for more than a day, " +
			"or a ready archive is more than an hour past its expiry and not deleted; scans the archive directory and fails if any stored archive is not an encrypted blob (a plaintext archive at rest). Counts only, never who.",
		Check: checkGDPR1,
	},
	{
		ID:      "GDPR-2",
		Section: "Compliance",
		Title:   "Data correction",
		Text:    "Correction: a user can correct their personal data.",
		Verify: "Corrects a throwaway user's name and email address through the deployment's stores: the name must read back at once; " +
			"an email change must not take effect before its link is used, the link must work once, and afterwards the account must be found " +
			"by the new address and not the old. The user is deleted afterwards.",
		Check: checkGDPR2,
	},
	{
		ID:      "GDPR-3",
		Section: "Compliance",
		Title:   "Data deletion",
		Text:    "Deletion: account deletion shreds the keys at once and purges rows, files and derived data (search indexes, embeddings) within 30 days.",
		Verify: "Reads the account deletion queue (which survives restarts) and fails if a deletion is past its 30-day deadline without being purged, " +
			"or has waited more than 30 minutes for its keys to be shredded (the request shreds them at once; the purge retries every 10 minutes). Counts only, never who.",
		Check: checkGDPR3,
	},
	{
		ID:      "CCPA-1",
		Section: "Compliance",
		Title:   "No sale of personal data",
		Text:    "No sale of personal data; opt-out of analytics and \"help improve\" honoured everywhere.",
		Verify: "Quire has no analytics and no \"help improve\" data flow; any that may come must pass the privacy gate, which answers no unless the user opted in, and on any error. " +
			"Cross-checks the configured outbound destinations against the SUB-1 sub-processor list both ways (as SUB-1 does), and fails if a destination is missing from it or an entry is of an unknown kind: personal data goes nowhere else. " +
			"Creates a throwaway user and fails unless its settings are off and the gate refuses both purposes, then opts it in and out and fails unless the gate follows at once; deletes it. Reports how many users opted in to each purpose (counts only, never who).",
		Check: checkCCPA1,
	},
	{
		ID:      "VDP-1",
		Section: "Compliance",
		Title:   "Vulnerability disclosure",
		Text:    "Vulnerability disclosure: `/.well-known/security.txt` (RFC 9116), a report intake, acknowledgement within 48 hours tracked and alerted.",
		Verify: "Against the server URL, GETs /.well-known/security.txt and parses it as RFC 9116 (200 text/plain; charset=utf-8, fields and comments only): Contact present (mailto:, https: or tel:), Expires exactly once, " +
			"in the future and less than a year ahead, Canonical naming the URL fetched (or the public name's), Preferred-Languages at most once; checks that /security.txt redirects there with 301, " +
			"that the report form /security/report is served and that POST /api/v1/security/reports answers an empty report with 422 field_required; and, in the store, that no report is still unacknowledged past its 48-hour deadline.",
		Check: checkVDP1,
	},
}
