package config

import (
	"math"
	"strings"
	"testing"
	"time"
)

// validProvider returns a provider that passes validation in both modes.
func validProvider(name string) Provider {
	return Provider{Name: name, Kind: KindOpenAI, APIKey: "sk-test", ZDR: true, Models: []string{"gpt-4o-mini"}}
}

func production(c *Config) {
	c.Mode = ModeProduction
	c.TLS = TLS{CertFile: "/tls/cert.pem", KeyFile: "/tls/key.pem"}
	c.Mail.SMTP.Host = "smtp.example.com"
	c.Server.PublicURL = "https://quire.example.com"
}

func postgres(url string) func(*Config) {
	return func(c *Config) {
		c.Database = Database{Driver: DriverPostgres, URL: Secret(url), MaxConns: 10}
	}
}

func withProvider(mut func(*Provider)) func(*Config) {
	return func(c *Config) {
		p := validProvider("p")
		mut(&p)
		c.AI.Providers = []Provider{p}
	}
}

// TestValidateMessages is the golden list of every validation message: a
// change to a message, or a check that stops firing, fails here.
func TestValidateMessages(t *testing.T) {
	t.Parallel()
	tests := []validateCase{
		{"defaults", nil, nil},
		{"mode", fns(func(c *Config) { c.Mode = "prod" }), []string{
			`mode: must be "development" or "production"`}},
		{"data_dir", fns(func(c *Config) { c.DataDir = "" }), []string{
			"data_dir: must not be empty; set it to the directory that holds Quire's data, e.g. /var/lib/quire"}},
		{"addr", fns(func(c *Config) { c.Server.Addr = "localhost" }), []string{
			"server.addr: must be host:port, e.g. 127.0.0.1:8443 or :443"}},
		{"addr port", fns(func(c *Config) { c.Server.Addr = ":70000" }), []string{
			"server.addr: must be host:port, e.g. 127.0.0.1:8443 or :443"}},
		{"http_addr", fns(func(c *Config) { c.Server.HTTPAddr = "8080" }), []string{
			`server.http_addr: must be host:port, e.g. 127.0.0.1:8080, or "" to turn the HTTP redirect off`}},
		{"http_addr same", fns(func(c *Config) { c.Server.HTTPAddr = c.Server.Addr }), []string{
			`server.http_addr: must differ from server.addr; use another port, or "" to turn the HTTP redirect off`}},
		{"both ephemeral", fns(func(c *Config) { c.Server.Addr, c.Server.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0" }), nil},
		{"http_addr off", fns(func(c *Config) { c.Server.HTTPAddr = "" }), nil},
		{"public_url ok", fns(func(c *Config) { c.Server.PublicURL = "https://quire.example.com/" }), nil},
		{"public_url http", fns(func(c *Config) { c.Server.PublicURL = "http://quire.example.com" }), []string{publicURLMsg}},
		{"public_url credentials", fns(func(c *Config) { c.Server.PublicURL = "https://u:p@quire.example.com" }), []string{publicURLMsg}},
		{"public_url path", fns(func(c *Config) { c.Server.PublicURL = "https://quire.example.com/app" }), []string{publicURLMsg}},
		{"public_url query", fns(func(c *Config) { c.Server.PublicURL = "https://quire.example.com?x" }), []string{publicURLMsg}},
		{"timeouts", fns(func(c *Config) {
			c.Server.ReadHeaderTimeout, c.Server.ReadTimeout, c.Server.WriteTimeout, c.Server.IdleTimeout = 0, -1, 0, 0
		}), []string{
			"server.read_header_timeout: " + timeoutMsg, "server.read_timeout: " + timeoutMsg,
			"server.write_timeout: " + timeoutMsg, "server.idle_timeout: " + timeoutMsg}},
		{"read_header_timeout", fns(func(c *Config) { c.Server.ReadHeaderTimeout = time.Minute }), []string{
			"server.read_header_timeout: must not be longer than server.read_timeout"}},
		{"max_header_bytes", fns(func(c *Config) { c.Server.MaxHeaderBytes = 100 }), []string{
			"server.max_header_bytes: must be between 4096 and 1048576 (1 MiB)"}},
		{"hsts_preload", fns(func(c *Config) { c.Server.HSTSPreload = true }), []string{
			"server.hsts_preload: needs mode: production and a server.public_url on a domain you control, since preloading pins that domain to HTTPS in browsers for months"}},
		{"hsts_preload production", fns(production, func(c *Config) {
			c.Server.HSTSPreload, c.Server.PublicURL = true, "https://quire.example.com"
		}), nil},
		{"cert without key", fns(func(c *Config) { c.TLS.CertFile = "/c" }), []string{
			"tls.key_file: must be set together with tls.cert_file"}},
		{"key without cert", fns(func(c *Config) { c.TLS.KeyFile = "/k" }), []string{
			"tls.cert_file: must be set together with tls.key_file"}},
		{"production without certificate", fns(production, func(c *Config) { c.TLS = TLS{} }), []string{
			"tls: production needs a certificate that clients trust; set tls.cert_file and tls.key_file (PEM files)"}},
		{"root key twice", fns(func(c *Config) { c.RootKey.Env = "K" }), []string{
			"root_key: set either root_key.file or root_key.env, not both"}},
		{"root key missing", fns(func(c *Config) { c.RootKey = RootKey{} }), []string{
			"root_key: set root_key.file (a path) or root_key.env (a variable name)"}},
		{"root key env is the key", fns(func(c *Config) { c.RootKey = RootKey{Env: "c2VjcmV0IGtleQ=="} }), []string{
			"root_key.env: must be the name of an environment variable (letters, digits and _), not the key itself"}},
		{"driver", fns(func(c *Config) { c.Database.Driver = "mysql" }), []string{
			`database.driver: must be "sqlite" or "postgres"`}},
		{"sqlite path", fns(func(c *Config) { c.Database.Path = "" }), []string{
			"database.path: must not be empty with driver sqlite; it is the database file, e.g. /var/lib/quire/quire.db"}},
		{"sqlite with postgres keys", fns(func(c *Config) {
			c.Database.URL, c.Database.OwnerURL, c.Database.MaxConns = "postgres://x", "postgres://y", 5
		}), []string{
			"database.url: " + postgresOnlyMsg, "database.owner_url: " + postgresOnlyMsg, "database.max_conns: " + postgresOnlyMsg}},
		{"postgres loopback plaintext", fns(production, postgres("postgres://quire:pw@127.0.0.1:5432/test?sslmode=disable")), nil},
		{"postgres localhost default sslmode", fns(production, postgres("postgres://quire:pw@localhost/test")), nil},
		{"postgres ipv6 loopback", fns(production, postgres("postgres://quire:pw@[::1]:5432/test")), nil},
		{"postgres unix socket", fns(production, postgres("postgres://quire@/test?host=/var/run/postgresql")), nil},
		{"postgres default socket", fns(production, postgres("postgresql:///test")), nil},
		{"postgres verify-full", fns(production, postgres("postgres://quire:pw@db.internal/quire?sslmode=verify-full")), nil},
		{"postgres verify-ca in development", fns(postgres("postgres://quire:pw@db.internal/quire?sslmode=verify-ca")), nil},
		{"postgres require in development", fns(postgres("postgres://quire:pw@db.internal/quire?sslmode=require")), []string{
			"database.url: " + devVerifyMsg}},
		{"postgres path", fns(postgres("postgres://127.0.0.1/q"), func(c *Config) { c.Database.Path = "/q.db" }), []string{
			"database.path: only applies to driver sqlite; remove it"}},
		{"postgres url missing", fns(postgres("")), []string{
			"database.url: required with driver postgres, e.g. postgres://quire:PASSWORD@db.internal:5432/quire?sslmode=verify-full"}},
		{"postgres key=value string", fns(postgres("host=db password=hunter2")), []string{"database.url: " + postgresURLMsg}},
		{"postgres wrong scheme", fns(postgres("mysql://u:hunter2@db/q")), []string{"database.url: " + postgresURLMsg}},
		{"postgres bad sslmode", fns(postgres("postgres://u:hunter2@db/q?sslmode=on")), []string{
			"database.url: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full"}},
		{"postgres production require", fns(production, postgres("postgres://u:hunter2@db.internal/q?sslmode=require")), []string{
			"database.url: " + verifyFullMsg}},
		{"postgres production multi-host", fns(production, postgres("postgres://u:hunter2@127.0.0.1,db.internal:5433/q?sslmode=disable")), []string{
			"database.url: " + verifyFullMsg}},
		{"postgres production host parameter", fns(production, postgres("postgres://u:hunter2@127.0.0.1/q?host=db.internal")), []string{
			"database.url: " + verifyFullMsg}},
		{"postgres development plaintext", fns(postgres("postgres://u:hunter2@10.0.0.5/q")), []string{
			"database.url: " + devVerifyMsg}},
		{"postgres owner_url", fns(production, postgres("postgres://u@127.0.0.1/q"), func(c *Config) {
			c.Database.OwnerURL = "postgres://owner:hunter2@db.internal/q?sslmode=verify-ca"
		}), []string{"database.owner_url: " + verifyFullMsg}},
		{"postgres max_conns", fns(postgres("postgres://127.0.0.1/q"), func(c *Config) { c.Database.MaxConns = 0 }), []string{
			"database.max_conns: must be between 1 and 1000"}},
		{"rotate_after", fns(func(c *Config) { c.Keys.RotateAfter = time.Minute }), []string{
			"keys.rotate_after: must be between 1h and 8760h (365d), e.g. 720h"}},
		{"rotate_after_ops zero", fns(func(c *Config) { c.Keys.RotateAfterOps = 0 }), []string{rotateOpsMsg}},
		{"rotate_after_ops too many", fns(func(c *Config) { c.Keys.RotateAfterOps = MaxRotateAfterOps + 1 }), []string{rotateOpsMsg}},
		{"rotate_after_ops max", fns(func(c *Config) { c.Keys.RotateAfterOps = MaxRotateAfterOps }), nil},
		{"logs dir", fns(func(c *Config) { c.Logs.Dir = "" }), []string{
			"logs.dir: must not be empty; it is where the daily diagnostic log files go"}},
		{"retention short", fns(func(c *Config) { c.Logs.Retention = time.Hour }), []string{retentionMsg}},
		{"retention long", fns(func(c *Config) { c.Logs.Retention = MaxLogRetention + time.Second }), []string{retentionMsg}},
		{"retention max", fns(func(c *Config) { c.Logs.Retention = MaxLogRetention }), nil},
		{"level", fns(func(c *Config) { c.Logs.Level = "verbose" }), []string{
			"logs.level: must be one of debug, info, warn, error"}},
		{"level case", fns(func(c *Config) { c.Logs.Level = "DEBUG" }), nil},
		{"alias ok", fns(withProvider(func(*Provider) {}), func(c *Config) {
			c.AI.Aliases = map[string][]string{"chat": {"p/gpt-4o-mini"}}
		}), nil},
		{"alias targets", fns(withProvider(func(*Provider) {}), func(c *Config) {
			c.AI.Aliases = map[string][]string{"chat": {"gpt-4o-mini", "other/gpt-4o-mini", "p/gpt-5"}, "empty": nil}
		}), []string{
			"ai.aliases.chat[0]: must be provider/model, e.g. main-openai/gpt-4o-mini",
			`ai.aliases.chat[1]: names no provider: "other" is not in ai.providers`,
			`ai.aliases.chat[2]: provider p does not list model "gpt-5" in its models`,
			"ai.aliases.empty: list at least one target, e.g. [main-openai/gpt-4o-mini]"}},
		{"redaction kinds", fns(func(c *Config) { c.AI.Redaction.Kinds = []string{"email", "names"} }), []string{
			"ai.redaction.kinds[1]: must be one of email, phone, card, iban, national_id, ip, secret"}},
		{"budgets negative", fns(func(c *Config) { c.AI.Budgets = Budgets{TokensPerDay: -1, TokensPerMinute: -1} }), []string{
			"ai.budgets.tokens_per_day: must be 0 (no cap) or more", "ai.budgets.tokens_per_minute: must be 0 (no cap) or more"}},
		{"prices", fns(func(c *Config) {
			c.AI.Prices = map[string]Price{"m": {Input: -1, Output: math.NaN()}, "ok": {Input: 0.15, CachedInput: 0.075, Output: 0.6}}
		}), []string{
			"ai.prices.m.input: must be a price in US dollars per million tokens, between 0 and 10000",
			"ai.prices.m.output: must be a price in US dollars per million tokens, between 0 and 10000"}},
		{"gateway body cap", fns(func(c *Config) { c.AI.MaxBodyBytes = 100 }), []string{
			"ai.max_body_bytes: must be between 1024 and 67108864 (64 MiB)"}},
		{"provider timeout and concurrency", fns(withProvider(func(p *Provider) { p.Timeout, p.MaxConcurrent = -time.Second, -1 })), []string{
			"ai.providers[0].timeout: must be between 0 (the default) and 1h",
			"ai.providers[0].max_concurrent: must be between 0 (the default, 64) and 10000"}},
		{"provider ok in production", fns(production, withProvider(func(*Provider) {})), nil},
		{"provider name missing", fns(withProvider(func(p *Provider) { p.Name = "" })), []string{
			"ai.providers[0].name: required: a short unique label such as main-openai"}},
		{"provider name invalid", fns(withProvider(func(p *Provider) { p.Name = "my provider" })), []string{
			"ai.providers[0].name: must be 1 to 64 letters, digits, '-', '_' or '.'"}},
		{"provider name duplicate", fns(func(c *Config) {
			c.AI.Providers = []Provider{validProvider("a"), validProvider("b"), validProvider("a")}
		}), []string{`ai.providers[2].name: "a" is already the name of ai.providers[0]; names must be unique`}},
		{"provider kind", fns(withProvider(func(p *Provider) { p.Kind = "bedrock" })), []string{
			"ai.providers[0].kind: must be one of openai, azure_openai, anthropic, gemini, vertex, groq, perplexity, cohere, nebius, openai_compatible"}},
		{"azure without base_url", fns(withProvider(func(p *Provider) { p.Kind = KindAzureOpenAI })), []string{
			"ai.providers[0].base_url: required with kind azure_openai: the resource endpoint, e.g. https://RESOURCE.openai.azure.com"}},
		{"compatible without base_url", fns(withProvider(func(p *Provider) { p.Kind, p.APIKey = KindOpenAICompatible, "" })), []string{
			"ai.providers[0].base_url: required with kind openai_compatible: the server's API root, e.g. https://llm.internal/v1"}},
		{"base_url relative", fns(withProvider(func(p *Provider) { p.BaseURL = "api.openai.com/v1" })), []string{
			"ai.providers[0].base_url: must be an absolute URL such as https://api.example.com/v1"}},
		{"base_url credentials", fns(withProvider(func(p *Provider) { p.BaseURL = "https://u:hunter2@api.example.com" })), []string{
			"ai.providers[0].base_url: must not contain credentials; put the key in api_key"}},
		{"base_url query", fns(withProvider(func(p *Provider) { p.BaseURL = "https://api.example.com/v1?key=hunter2" })), []string{
			"ai.providers[0].base_url: must not have a query or fragment"}},
		{"base_url loopback http in development", fns(withProvider(func(p *Provider) { p.BaseURL = "http://127.0.0.1:9999/v1" })), nil},
		{"base_url localhost http in development", fns(withProvider(func(p *Provider) { p.BaseURL = "http://localhost:9999" })), nil},
		{"base_url remote http in development", fns(withProvider(func(p *Provider) { p.BaseURL = "http://10.1.2.3/v1" })), []string{
			"ai.providers[0].base_url: must use https://; http:// is allowed only to a loopback address (127.0.0.1, ::1, localhost) in development (claim TLS-2)"}},
		{"base_url http in production", fns(production, withProvider(func(p *Provider) { p.BaseURL = "http://127.0.0.1:9999/v1" })), []string{
			"ai.providers[0].base_url: must use https:// in production (claim TLS-2)"}},
		{"base_url scheme", fns(withProvider(func(p *Provider) { p.BaseURL = "ftp://api.example.com" })), []string{
			"ai.providers[0].base_url: must use https://"}},
		{"api_key missing", fns(withProvider(func(p *Provider) { p.Kind, p.APIKey = KindAnthropic, "" })), []string{
			"ai.providers[0].api_key: required with kind anthropic; write api_key: ${ANTHROPIC_API_KEY} and export that variable"}},
		{"api_key newline", fns(withProvider(func(p *Provider) { p.APIKey = "sk-hunter2\n" })), []string{
			"ai.providers[0].api_key: must not contain spaces, line breaks or control characters; check the variable for a trailing newline"}},
		{"models missing", fns(withProvider(func(p *Provider) { p.Models = nil })), []string{
			"ai.providers[0].models: list at least one model ID this provider serves, e.g. models: [MODEL_ID]"}},
		{"model empty and repeated", fns(withProvider(func(p *Provider) { p.Models = []string{"a", " ", "a"} })), []string{
			"ai.providers[0].models[1]: must not be empty",
			"ai.providers[0].models[2]: repeats models[0]; list each model once"}},
		{"kind-specific fields", fns(withProvider(func(p *Provider) { p.APIVersion, p.Deployment, p.Region, p.Project = "v", "d", "r", "p" })), []string{
			"ai.providers[0].api_version: only applies to kind azure_openai; remove it",
			"ai.providers[0].deployment: only applies to kind azure_openai; remove it",
			"ai.providers[0].project: only applies to kind vertex; remove it"}},
		{"vertex", fns(withProvider(func(p *Provider) { p.Kind, p.APIKey = KindVertex, "" })), []string{
			"ai.providers[0].project: required with kind vertex: the Google Cloud project ID",
			"ai.providers[0].region: required with kind vertex, e.g. us-central1 or europe-west4"}},
		{"trains on data", fns(withProvider(func(p *Provider) { p.TrainsOnData = true })), []string{
			"ai.providers[0].trains_on_data: providers that may train on customer data are never used (claim AI-3); remove this provider, or set trains_on_data: false if its terms exclude training"}},
		{"no zdr in development", fns(withProvider(func(p *Provider) { p.ZDR = false })), nil},
		{"no zdr in production", fns(production, withProvider(func(p *Provider) { p.ZDR = false })), []string{
			"ai.providers[0].zdr: production uses only providers with a zero-data-retention agreement (claim AI-2); set zdr: true once the agreement is in place, or remove the provider"}},
	}
	runValidateCases(t, tests)
}

// validateCase is one golden case: mutations of the defaults and the
// messages Validate must then report, in order.
type validateCase struct {
	name string
	mut  []func(*Config)
	want []string
}

func runValidateCases(t *testing.T, tests []validateCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := defaults(env())
			for _, m := range tt.mut {
				m(c)
			}
			err := c.Validate()
			equalLines(t, errorLines(err), tt.want)
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("a message reveals a secret: %v", err)
			}
		})
	}
}

const (
	publicURLMsg    = "server.public_url: must be the https:// origin users reach Quire at, e.g. https://quire.example.com (no credentials, path, query or fragment)"
	timeoutMsg      = "must be positive, e.g. 30s: without it a slow client holds a connection forever (claim DOS-1)"
	postgresOnlyMsg = "only applies to driver postgres; remove it, or set database.driver: postgres"
	postgresURLMsg  = "must be a URL such as postgres://USER:PASSWORD@HOST:5432/DATABASE?sslmode=verify-full (key=value connection strings are not accepted)"
	devVerifyMsg    = "needs sslmode=verify-full or verify-ca for a non-loopback host, so that the connection is encrypted and the server's certificate checked; plaintext is allowed only to loopback (claim TLS-2)"
	verifyFullMsg   = "needs sslmode=verify-full for a non-loopback host in production, so that the connection is encrypted and the server's certificate checked (claim TLS-2)"
	rotateOpsMsg    = "keys.rotate_after_ops: must be between 1 and 1073741824 (2^30), far below the 2^32 random-nonce limit of AES-GCM"
	retentionMsg    = "logs.retention: must be between 24h and 720h (30d): diagnostic logs are deleted on a rolling basis (claim AI-5)"
)

func fns(f ...func(*Config)) []func(*Config) { return f }

func TestValidateReportsEverythingWithLines(t *testing.T) {
	t.Parallel()
	src := yamlDoc(`
mode: production
server:
	max_header_bytes: 10
database:
	driver: postgres
	url: postgres://quire:${DB_PASSWORD}@db.internal/quire
ai:
	providers:
		- name: x
			kind: openai
			api_key: ${KEY}
			models: [m]
`)
	_, err := parse([]byte(src), "q.yaml", env("DB_PASSWORD", "hunter2", "KEY", "sk-hunter2"))
	equalLines(t, errorLines(err), []string{
		"q.yaml:2: server.public_url: production needs the https:// origin users reach Quire at, e.g. https://quire.example.com: links in emails and passkeys are made for it",
		"q.yaml:3: server.max_header_bytes: must be between 4096 and 1048576 (1 MiB)",
		"q.yaml: tls: production needs a certificate that clients trust; set tls.cert_file and tls.key_file (PEM files)",
		"q.yaml:6: database.url: " + verifyFullMsg,
		"q.yaml:9: ai.providers[0].zdr: production uses only providers with a zero-data-retention agreement (claim AI-2); set zdr: true once the agreement is in place, or remove the provider",
		"q.yaml: mail.smtp.host: production sends real email: set the relay's host name (the outbox directory is for development)",
	})
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a message reveals a secret: %v", err)
	}
}

func TestSlogLevel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"debug": "DEBUG", "INFO": "INFO", "warn": "WARN", "error": "ERROR", "": "INFO"} {
		if got := (Logs{Level: in}).SlogLevel().String(); got != want {
			t.Errorf("SlogLevel(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestValidateWorkspaceVersions(t *testing.T) {
	for _, tt := range []struct {
		keep   int
		maxAge time.Duration
		bad    string
	}{
		{100, 0, ""},
		{0, 0, ""},
		{10000, 365 * day, ""},
		{-1, 0, "workspace.versions.keep"},
		{10001, 0, "workspace.versions.keep"},
		{1, time.Minute, "workspace.versions.max_age"},
		{1, -time.Hour, "workspace.versions.max_age"},
	} {
		c := Default()
		c.Workspace.Versions = Versions{Keep: tt.keep, MaxAge: tt.maxAge}
		var p problems
		c.validateWorkspace(&p)
		err := p.err()
		if (tt.bad == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.bad)) {
			t.Errorf("keep %d, max_age %v: %v, want a problem with %q", tt.keep, tt.maxAge, err, tt.bad)
		}
	}
}

func TestValidateWorkspaceChat(t *testing.T) {
	c := Default()
	c.AI.Providers = []Provider{validProvider("main"), {Name: "web", Kind: KindPerplexity, APIKey: "k", ZDR: true, Models: []string{"sonar"}}}
	c.AI.Aliases = map[string][]string{"fast": {"main/gpt-4o-mini"}}
	if model, web := c.ChatModels(); model != "gpt-4o-mini" || web != "sonar" {
		t.Fatalf("default chat models %q, %q", model, web)
	}
	for _, tt := range []struct {
		model, web string
		tokens     int
		bad        string
	}{
		{"fast", "sonar", 3000, ""},
		{"gpt-4o-mini", "", 1, ""},
		{"nope", "", 3000, "workspace.chat.model"},
		{"", "nope", 3000, "workspace.chat.web_model"},
		{"", "", -1, "workspace.chat.context_tokens"},
		{"", "", 100_001, "workspace.chat.context_tokens"},
	} {
		c.Workspace.Chat = Chat{Model: tt.model, WebModel: tt.web, ContextTokens: tt.tokens}
		var p problems
		c.validateWorkspace(&p)
		err := p.err()
		if (tt.bad == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.bad)) {
			t.Errorf("%+v: %v, want a problem with %q", tt, err, tt.bad)
		}
	}
	c.AI.Providers = nil
	if model, web := c.ChatModels(); model != "" || web != "" {
		t.Fatalf("chat models with no provider: %q, %q", model, web)
	}
}

func TestValidateWorkspaceFiles(t *testing.T) {
	s3 := S3{Endpoint: "s3.example.com", Bucket: "b", AccessKey: "a", SecretKey: "s"}
	for _, tt := range []struct {
		files Files
		prod  bool
		bad   string
	}{
		{Files{Storage: StorageLocal, MaxSizeMB: 25}, false, ""},
		{Files{Storage: StorageS3, MaxSizeMB: 25, S3: s3}, true, ""},
		{Files{Storage: "ftp", MaxSizeMB: 25}, false, "workspace.files.storage"},
		{Files{Storage: StorageLocal, MaxSizeMB: 0}, false, "workspace.files.max_size_mb"},
		{Files{Storage: StorageS3, MaxSizeMB: 25, S3: S3{Bucket: "b", AccessKey: "a", SecretKey: "s"}}, false, "workspace.files.s3.endpoint"},
		{Files{Storage: StorageS3, MaxSizeMB: 25, S3: S3{Endpoint: "https://s3.example.com", Bucket: "b", AccessKey: "a", SecretKey: "s"}}, false, "workspace.files.s3.endpoint"},
		{Files{Storage: StorageS3, MaxSizeMB: 25, S3: S3{Endpoint: "s3.example.com", AccessKey: "a", SecretKey: "s"}}, false, "workspace.files.s3.bucket"},
		{Files{Storage: StorageS3, MaxSizeMB: 25, S3: S3{Endpoint: "s3.example.com", Bucket: "b"}}, false, "workspace.files.s3.access_key"},
		{Files{Storage: StorageS3, MaxSizeMB: 25, S3: S3{Endpoint: "127.0.0.1:9000", Bucket: "b", AccessKey: "a", SecretKey: "s", Insecure: true}}, true, "workspace.files.s3.insecure"},
	} {
		c := Default()
		if tt.prod {
			c.Mode = ModeProduction
		}
		c.Workspace.Files = tt.files
		var p problems
		c.validateFiles(&p)
		err := p.err()
		if (tt.bad == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.bad)) {
			t.Errorf("%+v: %v, want a problem with %q", tt.files, err, tt.bad)
		}
	}
}
