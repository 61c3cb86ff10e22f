package bot

import "log/slog"

// Result is the classification of one request, before any policy.
type Result struct {
	// Category is what kind of client it is; Human when nothing matched.
	Category Category
	// Name is the matched signature's name from the signature table, or a
	// fixed name for header signatures; "" for Human and Automated. It
	// never holds request text.
	Name string
	// Vendor is the ID of the vendor (VendorIDs) the User-Agent claims, when
	// the claim can be checked with this configuration.
	Vendor string
	// Verification is the outcome of that check; Unchecked when it was not
	// needed (see Detector.Decide).
	Verification Verification
	// Signals are the automation signals of the headers, whatever the
	// category.
	Signals Signal
}

// Verified reports whether the request comes from the vendor its
// User-Agent claims.
func (r Result) Verified() bool { return r.Verification.Verified() }

// Decision is what the policy did with a request, for the response and the
// logs. No field holds request content: names and reasons come from the
// signature table and fixed strings.
type Decision struct {
	Class        RouteClass
	Category     Category
	Name         string
	Vendor       string
	Verified     bool
	Verification Verification
	Signals      Signal
	Action       Action
	// DryRun means the policy's action is reported but not enforced.
	DryRun bool
	Reason string
}

// Blocked reports whether the request must be refused: denied, and not in
// dry run.
func (d Decision) Blocked() bool { return d.Action == Deny && !d.DryRun }

// LogValue renders d as a group of attributes for log/slog.
func (d Decision) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("class", string(d.Class)),
		slog.String("category", string(d.Category)),
		slog.String("action", string(d.Action)),
	}
	if d.Name != "" {
		attrs = append(attrs, slog.String("name", d.Name))
	}
	if d.Vendor != "" {
		attrs = append(attrs, slog.String("vendor", d.Vendor), slog.String("verification", d.Verification.String()))
	}
	if d.Signals != 0 {
		attrs = append(attrs, slog.String("signals", d.Signals.String()))
	}
	if d.DryRun {
		attrs = append(attrs, slog.Bool("dry_run", true))
	}
	return slog.GroupValue(append(attrs, slog.String("reason", d.Reason))...)
}
