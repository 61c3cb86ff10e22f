package shield

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
	"github.com/corazawaf/coraza/v3/types"
)

// process feeds r to tx phase by phase and returns the interruption, if
// any. The body, when inspected, is put back in front of the rest of r.Body.
func (s *Shield) process(tx types.Transaction, r *http.Request, v *Verdict) *types.Interruption {
	addr, port := splitAddr(r.RemoteAddr)
	tx.ProcessConnection(addr, port, "", 0)
	tx.ProcessURI(requestURI(r), r.Method, r.Proto)
	for name, values := range r.Header {
		for _, value := range values {
			tx.AddRequestHeader(name, value)
		}
	}
	if r.Host != "" {
		tx.AddRequestHeader("Host", r.Host)
		tx.SetServerName(hostOnly(r.Host))
	}
	for _, te := range r.TransferEncoding {
		tx.AddRequestHeader("Transfer-Encoding", te)
	}
	if r.ContentLength > 0 && len(r.TransferEncoding) == 0 && r.Header.Get("Content-Length") == "" {
		tx.AddRequestHeader("Content-Length", strconv.FormatInt(r.ContentLength, 10))
	}
	if it := tx.ProcessRequestHeaders(); it != nil {
		return it
	}
	if hasBody(r) {
		if s.excluded(r) {
			v.BodySkipped = true
		} else if it := s.inspectBody(tx, r, v); it != nil {
			return it
		}
	}
	it, err := tx.ProcessRequestBody()
	if err != nil {
		// Fail closed: a body the rules could not be run on is refused.
		s.logger.LogAttrs(context.Background(), slog.LevelWarn, "shield: request body processing failed")
		return &types.Interruption{Action: "deny", Status: http.StatusBadRequest}
	}
	return it
}

// hasBody reports whether r may carry body bytes.
func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// excluded reports whether r's route is one whose body is not inspected.
func (s *Shield) excluded(r *http.Request) bool { return underPrefix(r, s.cfg.Exclusions) }

// bypassed reports whether r's route is one the rules do not inspect.
func (s *Shield) bypassed(r *http.Request) bool { return underPrefix(r, s.cfg.Bypass) }

// underPrefix reports whether r's path is under one of prefixes. Only a
// clean path qualifies (no dot segments, no doubled or encoded slashes),
// so a path cannot borrow an exclusion on its way elsewhere.
func underPrefix(r *http.Request, prefixes []string) bool {
	p := r.URL.Path
	if r.URL.RawPath != "" || path.Clean(p) != strings.TrimSuffix(p, "/") {
		return false
	}
	return slices.ContainsFunc(prefixes, func(e string) bool {
		e = strings.TrimSuffix(e, "/")
		return p == e || strings.HasPrefix(p, e+"/")
	})
}

// requestURI is the request target as the client sent it.
func requestURI(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// splitAddr splits "host:port"; what cannot be parsed becomes "", 0.
func splitAddr(a string) (string, int) {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return "", 0
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

// hostOnly strips the port from a Host header value.
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

// matchedIDs returns the reported rules that matched, sorted, distinct.
func matchedIDs(tx types.Transaction) []int {
	var ids []int
	for _, m := range tx.MatchedRules() {
		if id := m.Rule().ID(); reported(id) && logged(m) && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// logged reports whether a matched rule is one that logs: CRS plumbing
// (skips, variable setup) is nolog.
func logged(m types.MatchedRule) bool {
	if l, ok := m.(interface{ Log() bool }); ok {
		return l.Log()
	}
	return m.Rule().Severity() != types.RuleSeverityUnset
}

// anomalyScore reads the CRS blocking inbound anomaly score.
func anomalyScore(tx types.Transaction) int {
	st, ok := tx.(plugintypes.TransactionState)
	if !ok {
		return 0
	}
	vals := st.Variables().TX().Get("blocking_inbound_anomaly_score")
	if len(vals) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(vals[0])
	return n
}
