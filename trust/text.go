package trust

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
)

// WriteText writes the report as an aligned table, one claim per line (ID,
// status, title) with its evidence indented below, then the overall result.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Quire trust report\nversion %s, target %s, generated %s\n\n",
		printable(r.Version), printable(r.Target), r.Generated.UTC().Format(time.RFC3339))
	idW, stW := len("ID"), len("STATUS")
	for _, res := range r.Results {
		idW, stW = max(idW, len(printable(res.ID))), max(stW, len(printable(string(res.Status))))
	}
	indent := strings.Repeat(" ", idW+stW+4)
	fmt.Fprintf(bw, "%-*s  %-*s  %s\n", idW, "ID", stW, "STATUS", "TITLE")
	for _, res := range r.Results {
		fmt.Fprintf(bw, "%-*s  %-*s  %s\n", idW, printable(res.ID), stW, printable(string(res.Status)), printable(res.Title))
		for _, line := range res.Evidence {
			fmt.Fprintf(bw, "%s%s\n", indent, printable(line))
		}
	}
	r.writeRetention(bw, "    ")
	fmt.Fprintf(bw, "\n%s\n", r.summary())
	return bw.Flush()
}

// summary is the one-line overall result.
func (r *Report) summary() string {
	c := r.Counts()
	verdict := "FAIL"
	if r.Passed {
		verdict = "PASS"
	}
	return fmt.Sprintf("Result: %s (%d pass, %d fail, %d not applicable, %d not implemented; claims without a check are listed but do not fail the run)",
		verdict, c[StatusPass], c[StatusFail], c[StatusNotApplicable], c[StatusNotImplemented])
}

// printable escapes control characters, so that text which came from a
// server under test (an error message, say) cannot drive the terminal.
func printable(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		if unicode.IsControl(c) {
			fmt.Fprintf(&b, "\\x%02x", c)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// WriteJSON writes the report as indented JSON, the shape of /trust.json.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
