package shield

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// asServerRequest turns a suite request into the *http.Request Go's server
// would hand the shield, or nil when Go's server would refuse it (the
// pre-filter never sees those).
func asServerRequest(r rawRequest) *http.Request {
	u, err := url.ParseRequestURI(r.uri)
	if err != nil || r.version != "HTTP/1.1" && r.version != "HTTP/1.0" && r.version != "HTTP/2.0" {
		return nil
	}
	req := &http.Request{Method: r.method, URL: u, RequestURI: r.uri, Proto: r.version, Header: http.Header{},
		RemoteAddr: crsClient + ":40000", Body: http.NoBody}
	for _, h := range r.headers {
		name := http.CanonicalHeaderKey(h[0])
		switch name {
		case "Host":
			req.Host = h[1]
		case "Content-Length":
			req.ContentLength = int64(len(r.body))
			req.Header.Add(name, h[1])
		case "Transfer-Encoding":
			req.TransferEncoding = append(req.TransferEncoding, h[1])
		default:
			req.Header.Add(name, h[1])
		}
	}
	if len(r.body) > 0 {
		req.ContentLength = int64(len(r.body))
		req.Body = http.NoBody // the class admits no body; ContentLength says there is one
	}
	return req
}

// suitePrefilter builds the pre-filter for the suite's configuration.
func suitePrefilter(t *testing.T) *prefilter {
	t.Helper()
	d, err := directives(crsSuiteConfig, crsTestSetup)
	if err != nil {
		t.Fatal(err)
	}
	pre, err := newPrefilterFor(d)
	if err != nil {
		t.Fatal(err)
	}
	return pre
}

// TestPrefilterCRSSuite runs the CRS regression suite with the pre-filter
// on and off and requires the same tests to pass (compareOnOff). The
// suite's requests carry a test user agent outside the pre-filter's class,
// so TestCRSRegression compares them as written, and this test runs the
// suite as a browser would send it: with a browser's User-Agent and Accept.
// The expectations are the suite's; only on against off matters here.
func TestPrefilterCRSSuite(t *testing.T) {
	t.Parallel()
	cases, err := loadCRSSuite()
	if err != nil {
		t.Fatal(err)
	}
	waf := newCRSWAF(t, crsSuiteConfig)
	compareOnOff(t, "as a browser sends it", suitePrefilter(t), browserised(cases), func(c crsCase, j int) stageLog {
		return runStage(waf, c.stages[j].req)
	})
}

// browserised gives every stage a browser's User-Agent and Accept.
func browserised(cases []crsCase) []crsCase {
	out := slices.Clone(cases)
	for i := range out {
		out[i].stages = slices.Clone(out[i].stages)
		for j := range out[i].stages {
			r := &out[i].stages[j].req
			r.headers = slices.DeleteFunc(slices.Clone(r.headers), func(h [2]string) bool {
				return strings.EqualFold(h[0], "User-Agent") || strings.EqualFold(h[0], "Accept")
			})
			r.headers = append(r.headers, browserHeaders[0], [2]string{"Accept", "text/html,*/*;q=0.8"})
		}
	}
	return out
}

// compareOnOff runs the suite's judgement with the pre-filter on and off.
// On, a stage the pre-filter judges clean logs nothing (the rules do not
// run); off, it logs what the full rules log (full, computed only for the
// stages in the pre-filter's class: outside it the two are the same by
// construction). The set of passing tests must be the same, and, stage by
// stage, a stage judged clean must be one the full rules find nothing in.
func compareOnOff(t *testing.T, variant string, pre *prefilter, cases []crsCase, full func(crsCase, int) stageLog) {
	t.Helper()
	inClass, cleanStages, falseAlarms, differ := 0, 0, 0, 0
	for _, c := range cases {
		if c.skip != "" || strings.HasPrefix(c.file, "RESPONSE-") {
			continue
		}
		failOn, failOff, touched := "", "", false
		for j, st := range c.stages {
			r := asServerRequest(st.req)
			if r == nil || !pre.inClass(r) {
				continue
			}
			touched = true
			inClass++
			off := full(c, j)
			on := off
			if pre.clean(r) {
				cleanStages++
				on = stageLog{}
				if ids := detectionIDs(off.ids); len(ids) != 0 {
					t.Errorf("%s, %s stage %d: judged clean, the rules log %v", variant, c.id, j, ids)
				}
			} else if len(detectionIDs(off.ids)) == 0 {
				falseAlarms++
			}
			failOn = cmp.Or(failOn, judge(st.want, on))
			failOff = cmp.Or(failOff, judge(st.want, off))
		}
		if touched && (failOn == "") != (failOff == "") {
			differ++
			t.Errorf("%s, %s: passes with the pre-filter %s only", variant, c.id, map[bool]string{true: "on", false: "off"}[failOn == ""])
		}
	}
	t.Logf("CRS suite %s, pre-filter on and off: %d tests pass differently; %d stages in the class, %d judged clean, %d sent on to the full rules, which found nothing",
		variant, differ, inClass, cleanStages, falseAlarms)
	if variant != "as written" && cleanStages == 0 {
		t.Error("no stage reached the pre-filter's fast path: the comparison proves nothing")
	}
}

// detectionIDs keeps the ids a Verdict would report.
func detectionIDs(ids []int) []int {
	var out []int
	for _, id := range ids {
		if reported(id) {
			out = append(out, id)
		}
	}
	return out
}
