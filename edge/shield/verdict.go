package shield

import (
	"slices"
	"time"
)

// CodeBlocked is the error code of a request the shield refuses.
const CodeBlocked = "shield_blocked"

// Verdict is the shield's decision on one request. It holds rule ids and
// categories only, never request content, so it is safe to log whole.
type Verdict struct {
	// Blocked reports that the request must be refused with Status.
	Blocked bool
	// Status is the HTTP status to refuse with: 403 usually, or what the
	// rules ask for (400 for a body that cannot be parsed). 0 when the
	// request passes.
	Status int
	// RuleIDs are the CRS (and Coraza) detection rules that matched, in
	// ascending order.
	RuleIDs []int
	// Categories are the attack classes of RuleIDs (see Category), sorted
	// and without repeats.
	Categories []string
	// AnomalyScore is the CRS inbound anomaly score at the blocking
	// paranoia level.
	AnomalyScore int
	// Penalised reports that the client is in the penalty box: the
	// request was refused without evaluation, and RetryAfter says for how
	// much longer.
	Penalised  bool
	RetryAfter time.Duration
	// DryRun reports that the shield only reports: Blocked is then always
	// false, and WouldBlock says what block mode would have done.
	DryRun     bool
	WouldBlock bool
	// Prefiltered reports that the request was judged clean by the
	// pre-filter, without running the rules (see the package documentation).
	Prefiltered bool
	// BodyTruncated reports that the body was longer than the body limit
	// and only its first part was inspected.
	BodyTruncated bool
	// BodySkipped reports that the route is excluded from body inspection.
	BodySkipped bool
	// Bypassed reports that the route is one the rules do not inspect.
	Bypassed bool
}

// Category names attack classes by CRS rule file: 911 method, 913
// scanner, 920 protocol, 921 protocol-attack, 922 multipart, 930 lfi, 931
// rfi, 932 rce, 933 php, 934 generic, 941 xss, 942 sqli, 943
// session-fixation, 944 java; Coraza's own body checks (200002, 200003)
// are request-body. Other ids (such as 949110, the anomaly score verdict)
// have no category: "".
func Category(id int) string {
	if id == 200002 || id == 200003 {
		return "request-body"
	}
	return categories[id/1000]
}

var categories = map[int]string{
	911: "method",
	913: "scanner",
	920: "protocol",
	921: "protocol-attack",
	922: "multipart",
	930: "lfi",
	931: "rfi",
	932: "rce",
	933: "php",
	934: "generic",
	941: "xss",
	942: "sqli",
	943: "session-fixation",
	944: "java",
}

// reported tells the rules a Verdict lists: detection rules (CRS ids from
// 100 up within a file; lower ids are paranoia-level plumbing), the
// anomaly verdicts 949110 and 949111, and Coraza's body checks.
func reported(id int) bool {
	switch {
	case id == 949110 || id == 949111 || id == 200002 || id == 200003:
		return true
	case id < 911000 || id >= 949000:
		return false
	}
	return id%1000 >= 100
}

// categoriesOf returns the sorted distinct categories of ids.
func categoriesOf(ids []int) []string {
	var cs []string
	for _, id := range ids {
		if c := Category(id); c != "" && !slices.Contains(cs, c) {
			cs = append(cs, c)
		}
	}
	slices.Sort(cs)
	return cs
}
