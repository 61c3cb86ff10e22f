// Package metrics holds Quire's Prometheus metrics: how many requests each
// protection let through, refused or would have refused in dry-run mode,
// and how requests fared per route.
//
// Label values come from fixed vocabularies (layers, actions, reasons that
// the protections define, route patterns of the server's mux), never from
// the request: no path, header, address, user or content ever becomes a
// label, so the number of series stays bounded and nothing personal is
// exported (claim AI-5).
package metrics
