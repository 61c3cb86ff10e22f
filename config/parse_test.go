package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseEmptyIsDefault(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"", "\n\n", "# only a comment\n", "---\n", "--- # comment\n...\n"} {
		c := mustParse(t, src, env())
		if want := defaults(env()); !reflect.DeepEqual(c, want) {
			t.Errorf("parse(%q) = %+v, want the defaults %+v", src, c, want)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("defaults do not validate: %v", err)
		}
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		lookup  lookupFunc
		src     string
		rootKey RootKey
		dbPath  string
		logsDir string
	}{
		{"plain", env(), "", RootKey{File: "quire-data/root.key"}, "quire-data/quire.db", "quire-data/logs"},
		{"QUIRE_DATA_DIR", env("QUIRE_DATA_DIR", "/srv/q"), "", RootKey{File: "/srv/q/root.key"}, "/srv/q/quire.db", "/srv/q/logs"},
		{"file beats QUIRE_DATA_DIR", env("QUIRE_DATA_DIR", "/srv/q"), "data_dir: /d\n", RootKey{File: "/d/root.key"}, "/d/quire.db", "/d/logs"},
		{"QUIRE_ROOT_KEY", env("QUIRE_ROOT_KEY", "a2V5"), "", RootKey{Env: "QUIRE_ROOT_KEY"}, "quire-data/quire.db", "quire-data/logs"},
		{"configured file beats QUIRE_ROOT_KEY", env("QUIRE_ROOT_KEY", "a2V5"), "root_key: {file: /k}\n", RootKey{File: "/k"}, "quire-data/quire.db", "quire-data/logs"},
		{"explicit paths", env(), "database: {path: /db}\nlogs: {dir: /l}\n", RootKey{File: "quire-data/root.key"}, "/db", "/l"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustParse(t, tt.src, tt.lookup)
			if c.RootKey != tt.rootKey || c.Database.Path != tt.dbPath || c.Logs.Dir != tt.logsDir {
				t.Errorf("got root_key %+v, database.path %q, logs.dir %q; want %+v, %q, %q",
					c.RootKey, c.Database.Path, c.Logs.Dir, tt.rootKey, tt.dbPath, tt.logsDir)
			}
		})
	}
}

func TestDefaultReadsEnvironment(t *testing.T) {
	t.Setenv(EnvDataDir, "/from/env")
	t.Setenv(EnvRootKey, "")
	c := Default()
	if c.DataDir != "/from/env" || c.RootKey.File != "/from/env/root.key" {
		t.Errorf("Default() = data_dir %q, root_key.file %q", c.DataDir, c.RootKey.File)
	}
	if c.Production() {
		t.Error("Default() is in production mode")
	}
}

func TestSetDataDirMovesOnlyDerivedPaths(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "database: {path: /fixed/quire.db}\n", env())
	c.SetDataDir("/new")
	if c.DataDir != "/new" || c.RootKey.File != "/new/root.key" || c.Logs.Dir != "/new/logs" {
		t.Errorf("derived paths did not move: %+v %+v", c.RootKey, c.Logs)
	}
	if c.Database.Path != "/fixed/quire.db" {
		t.Errorf("explicit database.path moved to %q", c.Database.Path)
	}
}

func TestHTTPAddrEmptyDiffersFromAbsent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		env  lookupFunc
		want string
	}{
		{"server: {addr: ':1'}\n", env(), DefaultHTTPAddr},
		{"server:\n  http_addr:\n", env(), DefaultHTTPAddr},
		{"server:\n  http_addr: ~\n", env(), DefaultHTTPAddr},
		{"server:\n  http_addr: \"\"\n", env(), ""},
		{"server:\n  http_addr: ''\n", env(), ""},
		{"server:\n  http_addr: ${H}\n", env("H", ""), ""},
		{"server:\n  http_addr: ${H}\n", env("H", "127.0.0.1:9"), "127.0.0.1:9"},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.src, tt.env).Server.HTTPAddr; got != tt.want {
			t.Errorf("%q: http_addr = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestNullSectionKeepsDefaults(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "server:\ntls:\nlogs:\n  # level: debug\n", env())
	if c.Server.Addr != DefaultAddr || c.Logs.Level != DefaultLogLevel {
		t.Errorf("empty sections reset defaults: %+v %+v", c.Server, c.Logs)
	}
}

func TestDurations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"168h", 168 * time.Hour, true},
		{"30m", 30 * time.Minute, true},
		{"1h30m", 90 * time.Minute, true},
		{"7d", 7 * day, true},
		{"0d", 0, true},
		{"1d12h", 36 * time.Hour, true},
		{" 2d ", 2 * day, true},
		{"30", 0, false},
		{"d", 0, false},
		{"7days", 0, false},
		{"1.5d", 0, false},
		{"-1d", 0, false},
		{"1d-1h", 0, false},
		{"1h2d", 0, false},
		{"99999999999999d", 0, false},
		{"106751d23h59m59s", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDurationKeys(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "logs: {retention: 3d}\nkeys: {rotate_after: 36h}\nserver: {read_timeout: 45s}\n", env())
	if c.Logs.Retention != 3*day || c.Keys.RotateAfter != 36*time.Hour || c.Server.ReadTimeout != 45*time.Second {
		t.Errorf("durations: %v %v %v", c.Logs.Retention, c.Keys.RotateAfter, c.Server.ReadTimeout)
	}
}

func TestEnvExpansion(t *testing.T) {
	t.Parallel()
	lookup := env("KEY", "sk-abc", "EMPTY", "", "DOLLAR", "${KEY}", "N", "25", "YES", "true", "DIR", "/srv")
	tests := []struct {
		name string
		src  string
		get  func(*Config) any
		want any
	}{
		{"set", "data_dir: ${DIR}/quire\n", func(c *Config) any { return c.DataDir }, "/srv/quire"},
		{"twice", "data_dir: ${DIR}${DIR}\n", func(c *Config) any { return c.DataDir }, "/srv/srv"},
		{"set but empty", "server: {public_url: '${EMPTY}'}\n", func(c *Config) any { return c.Server.PublicURL }, ""},
		{"escaped", "data_dir: /a$${DIR}\n", func(c *Config) any { return c.DataDir }, "/a${DIR}"},
		{"double escaped", "data_dir: /a$$$$b\n", func(c *Config) any { return c.DataDir }, "/a$$b"},
		{"lone dollar kept", "data_dir: /a$b$\n", func(c *Config) any { return c.DataDir }, "/a$b$"},
		{"value not re-expanded", "data_dir: ${DOLLAR}\n", func(c *Config) any { return c.DataDir }, "${KEY}"},
		{"integer", "keys:\n  rotate_after_ops: ${N}\n", func(c *Config) any { return c.Keys.RotateAfterOps }, int64(25)},
		{"quoted integer", "keys: {rotate_after_ops: \"${N}\"}\n", func(c *Config) any { return c.Keys.RotateAfterOps }, int64(25)},
		{"duration", "logs:\n  retention: ${N}h\n", func(c *Config) any { return c.Logs.Retention }, 25 * time.Hour},
		{"boolean", "ai:\n  providers:\n    - name: a\n      kind: openai\n      api_key: x\n      models: [m]\n      zdr: ${YES}\n", func(c *Config) any { return c.AI.Providers[0].ZDR }, true},
		{"price", "ai:\n  prices:\n    m: {input: 0.15, output: 2}\n", func(c *Config) any { return c.AI.Prices["m"] }, Price{Input: 0.15, Output: 2}},
		{"secret", "ai:\n  providers:\n    - {name: a, kind: openai, api_key: \"${KEY}\", models: [m]}\n", func(c *Config) any { return c.AI.Providers[0].APIKey.Reveal() }, "sk-abc"},
		{"list item", "ai:\n  providers:\n    - {name: a, kind: openai, api_key: x, models: [\"${DIR}\"]}\n", func(c *Config) any { return c.AI.Providers[0].Models[0] }, "/srv"},
		{"comment ignored", "data_dir: /d # ${UNSET}\n", func(c *Config) any { return c.DataDir }, "/d"},
		{"anchor expanded once", "data_dir: &d $$$$x\nlogs: {dir: *d}\n", func(c *Config) any { return c.Logs.Dir }, "$$x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.get(mustParse(t, tt.src, lookup)); got != tt.want {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unset variable", "ai:\n  providers:\n    - name: a\n      api_key: ${OPENAI_API_KEY}\n", []string{
			"q.yaml:4: ai.providers[0].api_key: environment variable OPENAI_API_KEY is not set; export it, or write the value without ${...}"}},
		{"malformed reference", "data_dir: ${1BAD}\nlogs:\n  dir: ${OPEN\n", []string{
			"q.yaml:1: data_dir: malformed ${...} reference: write ${NAME} (letters, digits and _), or $$ for a literal $",
			"q.yaml:3: logs.dir: malformed ${...} reference: write ${NAME} (letters, digits and _), or $$ for a literal $"}},
		{"unclosed reference", "data_dir: a${B\n", []string{
			"q.yaml:1: data_dir: malformed ${...} reference: write ${NAME} (letters, digits and _), or $$ for a literal $"}},
		{"key is not expanded", "${MODE}: production\n", []string{
			"q.yaml:1: ${MODE}: unknown key; the keys accepted here are mode, data_dir, server, tls, root_key, database, keys, logs, ai, auth, mail, ratelimit, bots, shield, metrics, workspace, disclosure, exports, retention"}},
		{"unknown top-level key", "mdoe: production\n", []string{
			`q.yaml:1: mdoe: unknown key; did you mean "mode"?`}},
		{"unknown key in another style", "dataDir: /x\n", []string{
			`q.yaml:1: dataDir: unknown key; did you mean "data_dir"?`}},
		{"unknown nested key", "server:\n  addr: :1\n  adr: :2\n", []string{
			`q.yaml:3: server.adr: unknown key; did you mean "addr"?`}},
		{"price not a number", "ai:\n  prices:\n    m: {input: cheap}\n", []string{
			"q.yaml:3: ai.prices.m.input: expected a number such as 0.15"}},
		{"unknown key in list item", "ai:\n  providers:\n    - name: a\n      colour: blue\n", []string{
			"q.yaml:4: ai.providers[0].colour: unknown key; the keys accepted here are name, kind, base_url, api_key, zdr, trains_on_data, models, api_version, deployment, region, project, attestation, timeout, max_concurrent"}},
		{"all problems at once", "mdoe: x\nserver:\n  adr: 1\n  max_header_bytes: lots\n  read_timeout: 30\nai:\n  providers:\n    - models: gpt\n      zdr: maybe\n", []string{
			`q.yaml:1: mdoe: unknown key; did you mean "mode"?`,
			`q.yaml:3: server.adr: unknown key; did you mean "addr"?`,
			"q.yaml:4: server.max_header_bytes: expected a whole number",
			"q.yaml:5: server.read_timeout: expected a duration such as 30s, 15m, 168h or 7d",
			`q.yaml:8: ai.providers[0].models: expected a list ("- item" lines or [a, b]), not a single value`,
			"q.yaml:9: ai.providers[0].zdr: expected true or false"}},
		{"section is a value", "server: localhost\n", []string{
			"q.yaml:1: server: expected a mapping of keys (key: value lines), not a single value"}},
		{"value is a mapping", "mode: {a: b}\n", []string{
			"q.yaml:1: mode: expected a single value, not a mapping"}},
		{"top level is a list", "- a\n", []string{
			"q.yaml:1: expected a mapping of keys (key: value lines), not a list"}},
		{"duplicate key", "mode: development\nmode: production\n", []string{
			"q.yaml:2: mode: is set twice (first on line 1); keep one"}},
		{"complex key", "? [a]\n: b\n", []string{
			"q.yaml:1: keys must be plain names"}},
		{"two documents", "mode: development\n---\nmode: production\n", []string{
			"q.yaml: the file holds more than one YAML document; keep only one (remove the --- separator)"}},
		{"syntax error", "server:\n  addr: [\n", []string{
			"q.yaml: invalid YAML: line 2: did not find expected node content"}},
		{"bad merge", "server:\n  <<: 1\n", []string{
			"q.yaml:2: server: << must merge a mapping or a list of mappings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parse([]byte(tt.src), "q.yaml", env())
			if err == nil {
				t.Fatal("parse succeeded")
			}
			equalLines(t, errorLines(err), tt.want)
		})
	}
}

func TestTypeErrorsDoNotQuoteValues(t *testing.T) {
	t.Parallel()
	src := "database:\n  max_conns: sk-live-0123456789abcdef\n  url: [sk-live-0123456789abcdef]\nlogs: {retention: sk-live-0123456789abcdef}\n"
	_, err := parse([]byte(src), "q.yaml", env())
	if err == nil || strings.Contains(err.Error(), "sk-") || strings.Contains(err.Error(), "0123") {
		t.Errorf("error quotes the value or is missing: %v", err)
	}
	if n := len(FieldErrors(err)); n != 3 {
		t.Errorf("got %d errors, want 3: %v", n, err)
	}
}

func TestAliasesAndMerges(t *testing.T) {
	t.Parallel()
	src := yamlDoc(`
x-provider: &p
	kind: openai
	api_key: k
	zdr: true
	models: [m]
`)
	_, err := parse([]byte(src), "q.yaml", env())
	if err == nil {
		t.Fatal("an unknown top-level anchor holder was accepted")
	}
	src = yamlDoc(`
server:
	addr: &a 127.0.0.1:9443
logs: &l
	level: warn
ai:
	providers:
		- &p
			name: one
			kind: openai
			api_key: k
			zdr: true
			models: [m1, m2]
		- <<: *p
			name: two
			models: [m3]
`)
	c := mustParse(t, src, env())
	ps := c.AI.Providers
	if len(ps) != 2 || ps[1].Name != "two" || ps[1].Kind != "openai" || !ps[1].ZDR || !reflect.DeepEqual(ps[1].Models, []string{"m3"}) {
		t.Errorf("merge: %+v", ps)
	}
}

func TestAliasBombIsBounded(t *testing.T) {
	t.Parallel()
	// Each level merges the previous one ten times: 10^12 mappings to
	// visit, so the decoder must stop on its node budget.
	var b strings.Builder
	b.WriteString("server:\n  <<: [")
	b.WriteString("&l0 {addr: ':1'}")
	for i := 1; i <= 12; i++ {
		prev := fmt.Sprintf("*l%d", i-1)
		fmt.Fprintf(&b, ", &l%d {<<: [%s%s]}", i, strings.Repeat(prev+", ", 9), prev)
	}
	b.WriteString("]\n")
	start := time.Now()
	_, err := parse([]byte(b.String()), "q.yaml", env())
	if err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("alias bomb: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("alias bomb took %v", d)
	}
}
