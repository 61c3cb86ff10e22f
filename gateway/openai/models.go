package openai

import (
	"context"
	"net/http"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Models lists the models the account can use. A variant without a model
// list refuses before any request (Variant.Unsupported).
func (p *Provider) Models(ctx context.Context) ([]gateway.Model, error) {
	if err := p.refuse(OpModels); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	resp, err := p.send(ctx, outRequest{method: http.MethodGet, target: p.endpoint(pathModels, ""), accept: "application/json"})
	if err != nil {
		return nil, err
	}
	var w wireModelList
	if err := p.readJSON(ctx, resp, &w); err != nil {
		return nil, err
	}
	out := make([]gateway.Model, 0, len(w.Data))
	for _, m := range w.Data {
		gm := gateway.Model{ID: m.ID, OwnedBy: m.OwnedBy}
		if m.Created > 0 {
			gm.Created = time.Unix(m.Created, 0)
		}
		out = append(out, gm)
	}
	return out, nil
}
