package main

import (
	"context"
	"strings"
	"testing"

	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/subproc"
	"github.com/quirehq/quire/trust"
)

// subprocConfig enables every kind of outbound service, each remote.
const subprocConfig = `
ai:
  providers:
    - {name: main, kind: openai, api_key: sk-x, zdr: true, models: [gpt-4o-mini]}
    - {name: local, kind: openai_compatible, base_url: "http://127.0.0.1:11434/v1", zdr: true, models: [llama]}
mail:
  smtp: {host: smtp.example.com}
database:
  driver: postgres
  url: postgres://quire:pw@db.example:5432/quire?sslmode=verify-full
ratelimit:
  redis_url: rediss://cache.example:6380/0
workspace:
  files:
    storage: s3
    s3: {endpoint: s3.eu-central-1.amazonaws.com, bucket: b, access_key: a, secret_key: s}
`

// checkSUB1 runs claim SUB-1's check on env.
func checkSUB1(t *testing.T, env *trust.Env) (trust.Status, string) {
	t.Helper()
	for _, c := range trust.Claims() {
		if c.ID == "SUB-1" {
			st, ev := c.Check(context.Background(), env)
			return st, strings.Join(ev, "\n")
		}
	}
	t.Fatal("no SUB-1 claim")
	return "", ""
}

// TestSUB1FromConfig: the list that quire serve and quire trust build from
// a configuration agrees with the outbound connections found
// independently (TLS-2's list), and a service dropped from the list fails
// the check.
func TestSUB1FromConfig(t *testing.T) {
	cfg, err := config.Parse([]byte(subprocConfig), "q.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := &trust.Env{Outbound: outbound(cfg), SubProcessors: subproc.List(cfg), Local: subproc.Local(cfg)}
	st, ev := checkSUB1(t, env)
	if st != trust.StatusPass {
		t.Fatalf("status %s:\n%s", st, ev)
	}
	for _, want := range []string{"6 sub-processors", "s3 S3 file storage (s3.eu-central-1.amazonaws.com, region eu-central-1)",
		"runs on this machine: local on loopback (127.0.0.1:11434)"} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence lacks %q:\n%s", want, ev)
		}
	}
	for i, s := range env.SubProcessors {
		short := &trust.Env{Outbound: env.Outbound, Local: env.Local,
			SubProcessors: append(env.SubProcessors[:i:i], env.SubProcessors[i+1:]...)}
		if st, ev := checkSUB1(t, short); st != trust.StatusFail || !strings.Contains(ev, "missing from the sub-processor list") {
			t.Errorf("without %s: status %s:\n%s", s.Name, st, ev)
		}
	}
}
