package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	const value = "sk-hunter2-very-secret"
	c := defaults(env())
	c.Database = Database{Driver: DriverPostgres, URL: "postgres://u:" + value + "@db/q"}
	c.AI.Providers = []Provider{{Name: "p", APIKey: value}}

	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "config", c, "key", c.AI.Providers[0].APIKey)
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	ym, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	renderings := map[string]string{
		"%v":  fmt.Sprintf("%v", c),
		"%+v": fmt.Sprintf("%+v", c),
		"%#v": fmt.Sprintf("%#v", c),
		//lint:ignore S1025 the test is about what fmt's %s prints
		"%s":   fmt.Sprintf("%s", c.AI.Providers[0].APIKey),
		"%q":   fmt.Sprintf("%q", c.AI.Providers[0].APIKey),
		"%x":   fmt.Sprintf("%x", c.AI.Providers[0].APIKey),
		"json": string(js),
		"yaml": string(ym),
		"slog": logged.String(),
	}
	for name, s := range renderings {
		if strings.Contains(s, "hunter2") {
			t.Errorf("%s reveals the secret: %s", name, s)
		}
		if !strings.Contains(s, "REDACTED") && name != "%x" {
			t.Errorf("%s does not show the redaction marker: %s", name, s)
		}
	}
	if got := c.AI.Providers[0].APIKey.Reveal(); got != value {
		t.Errorf("Reveal() = %q", got)
	}
	if got := Secret("").String(); got != "" {
		t.Errorf("empty secret prints as %q, want \"\" so that unset is visible", got)
	}
}
