package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Actions a protection takes on a request that it records.
const (
	Deny   = "deny"    // refused
	DryRun = "dry_run" // would have been refused, let through in dry-run mode
)

// Registry is one set of Quire's metrics. The zero value is not usable;
// call New. A nil *Registry is valid and records nothing, so code paths
// need no checks when metrics are off.
type Registry struct {
	reg       *prometheus.Registry
	decisions *prometheus.CounterVec
	requests  *prometheus.HistogramVec
}

// New returns a Registry with the Go runtime and process collectors and
// Quire's own metrics registered.
func New() *Registry {
	r := &Registry{
		reg: prometheus.NewRegistry(),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quire_edge_decisions_total",
			Help: "Requests the edge protections refused (deny) or would have refused in dry-run mode (dry_run), by layer (ratelimit, auth_throttle, inflight, bot, shield) and reason (the policy or category, from a fixed set).",
		}, []string{"layer", "action", "reason"}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "quire_http_request_duration_seconds",
			Help:    "Time to answer HTTPS requests, by route pattern and status class.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "code"}),
	}
	r.reg.MustRegister(r.decisions, r.requests,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Decision counts one decision of a protection. layer, action and reason
// must come from fixed vocabularies, never from the request.
func (r *Registry) Decision(layer, action, reason string) {
	if r == nil {
		return
	}
	r.decisions.WithLabelValues(layer, action, reason).Inc()
}

// Request records one answered request: route is the mux pattern that
// served it ("" for none: recorded as "unrouted"), status its HTTP status.
func (r *Registry) Request(route string, status int, d time.Duration) {
	if r == nil {
		return
	}
	if route == "" {
		route = "unrouted"
	}
	r.requests.WithLabelValues(route, statusClass(status)).Observe(d.Seconds())
}

// statusClass turns 404 into "4xx": the class is what dashboards need,
// and it keeps the series count small.
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// CounterFunc registers a counter whose value fn reads on each scrape
// (counters a package keeps itself, such as refused connections).
func (r *Registry) CounterFunc(name, help string, fn func() float64) {
	if r == nil {
		return
	}
	r.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, fn))
}

// GaugeFunc registers a gauge whose value fn reads on each scrape.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	if r == nil {
		return
	}
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// Handler serves the metrics in the Prometheus text format. It does no
// access control; the server decides who may call it.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
