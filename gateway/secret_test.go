package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	const key = "sk-CANARY-0123"
	s := Secret(key)
	type cfg struct{ Key Secret }
	var out []string
	for _, f := range []string{"%v", "%s", "%q", "%x", "%d", "%+v", "%#v"} {
		out = append(out, fmt.Sprintf(f, s), fmt.Sprintf(f, cfg{s}))
	}
	j, _ := json.Marshal(cfg{s})
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "key", s)
	out = append(out, string(j), logs.String())
	for _, o := range out {
		if strings.Contains(o, "CANARY") {
			t.Fatalf("secret printed: %s", o)
		}
	}
	if s.Reveal() != key {
		t.Fatal("Reveal lost the value")
	}
}
