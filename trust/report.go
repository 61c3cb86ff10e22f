package trust

import (
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/retention"
)

// Status is the outcome of one claim's check.
type Status string

// The statuses a result can have.
const (
	StatusPass           Status = "pass"
	StatusFail           Status = "fail"
	StatusNotApplicable  Status = "not_applicable"
	StatusNotImplemented Status = "not_implemented"
)

// statuses lists every status in display order.
var statuses = []Status{StatusPass, StatusFail, StatusNotApplicable, StatusNotImplemented}

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	for _, v := range statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Result is the outcome of one claim in a report.
type Result struct {
	ID       string        `json:"id"`
	Section  string        `json:"section"`
	Title    string        `json:"title"`
	Text     string        `json:"text"`
	Status   Status        `json:"status"`
	Evidence []string      `json:"evidence"`
	Duration time.Duration `json:"durationNs"`
}

// Report is the outcome of running every claim's check once.
type Report struct {
	Generated time.Time `json:"generated"`
	Version   string    `json:"version"`
	// Target names what was checked: the server URL, or the local
	// deployment when no URL was given.
	Target  string   `json:"target"`
	Results []Result `json:"results"`
	// Subprocessors lists the external services this deployment sends
	// data to (claim SUB-1); empty when none is configured or the list is
	// not known.
	Subprocessors []quire.SubProcessor `json:"subprocessors"`
	// Retention lists the retention rules: what is deleted, after how
	// long, and when the janitor last ran each and whether it succeeded
	// (empty when the rules are not known). The server's report leaves
	// out what the runs removed (PublicRetention).
	Retention []retention.Status `json:"retention"`
	// Passed is true when no claim failed (see the package doc for why
	// not_implemented claims do not fail a report).
	Passed bool `json:"passed"`
}

// Counts returns how many results have each status.
func (r *Report) Counts() map[Status]int {
	out := make(map[Status]int, len(statuses))
	for _, s := range statuses {
		out[s] = 0
	}
	for _, res := range r.Results {
		out[res.Status]++
	}
	return out
}

// passed reports whether no result failed. A result with an unknown status
// counts as failed, so a bug in a check cannot turn into a pass.
func passed(results []Result) bool {
	for _, res := range results {
		switch res.Status {
		case StatusPass, StatusNotApplicable, StatusNotImplemented:
		default:
			return false
		}
	}
	return true
}
