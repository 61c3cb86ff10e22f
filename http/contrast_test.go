package http

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// themeVars reads the colour variables of the first `:root { … }` block of
// css at or after offset.
func themeVars(t *testing.T, css string, offset int) map[string]string {
	t.Helper()
	m := regexp.MustCompile(`:root\s*\{([^}]*)\}`).FindStringSubmatchIndex(css[offset:])
	if m == nil {
		t.Fatal("no :root block")
	}
	vars := map[string]string{}
	for _, decl := range strings.Split(css[offset+m[2]:offset+m[3]], ";") {
		name, value, ok := strings.Cut(decl, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if ok && strings.HasPrefix(name, "--") && strings.HasPrefix(value, "#") {
			vars[name] = value
		}
	}
	return vars
}

// luminance is the WCAG 2 relative luminance of a #rrggbb colour.
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 {
		t.Fatalf("colour %q is not #rrggbb", hex)
	}
	var l float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += weight * c
	}
	return l
}

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestThemeContrast holds the colours of the web app and of the account
// pages, light and dark, to WCAG 2's AA contrast: 4.5:1 for text on every
// background it is drawn on, 3:1 for the focus ring against the
// backgrounds around it (success criterion 1.4.11).
func TestThemeContrast(t *testing.T) {
	text := [][2]string{{"--fg", "--bg"}, {"--fg", "--panel"}, {"--muted", "--bg"}, {"--muted", "--panel"},
		{"--accent", "--bg"}, {"--accent-fg", "--accent"}, {"--danger", "--bg"}, {"--ok", "--bg"},
		{"--fg", "--accent-soft"}, {"--muted", "--accent-soft"}, {"--accent", "--accent-soft"}, {"--warn", "--bg"},
		{"--fg", "--panel-2"}, {"--muted", "--panel-2"}}
	ring := []string{"--bg", "--panel", "--accent-soft", "--panel-2"}
	for _, sheet := range []string{"app.css", "quire.css"} {
		b, err := pageFS.ReadFile("static/" + sheet)
		if err != nil {
			t.Fatal(err)
		}
		css := string(b)
		dark := strings.Index(css, "prefers-color-scheme")
		if dark < 0 {
			t.Fatalf("%s has no dark theme", sheet)
		}
		light := themeVars(t, css, 0)
		for theme, vars := range map[string]map[string]string{"light": light, "dark": themeVars(t, css, dark)} {
			for k, v := range light { // the dark theme overrides some variables only
				if _, ok := vars[k]; !ok {
					vars[k] = v
				}
			}
			where := fmt.Sprintf("%s (%s)", sheet, theme)
			checked := 0
			for _, p := range text {
				fg, bg := vars[p[0]], vars[p[1]]
				if fg == "" || bg == "" {
					continue
				}
				checked++
				if r := contrast(t, fg, bg); r < 4.5 {
					t.Errorf("%s: %s %s on %s %s is %.2f:1, under 4.5:1", where, p[0], fg, p[1], bg, r)
				}
			}
			for _, bg := range ring {
				if vars[bg] == "" {
					continue
				}
				checked++
				if r := contrast(t, vars["--focus"], vars[bg]); r < 3 {
					t.Errorf("%s: the focus ring %s on %s %s is %.2f:1, under 3:1", where, vars["--focus"], bg, vars[bg], r)
				}
			}
			if checked < 10 {
				t.Errorf("%s: only %d colour pairs found to check", where, checked)
			}
		}
	}
}
