package anthropic

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Model list bounds: Anthropic serves at most 1,000 models a page; 20
// pages is far beyond any account, and bounds a server that always says
// has_more.
const (
	modelsPageSize = 1000
	maxModelPages  = 20
)

// Models lists the models the account can use, following the pages
// (has_more, last_id) up to maxModelPages. The whole listing shares one
// Timeout.
func (p *Provider) Models(ctx context.Context) ([]gateway.Model, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	var out []gateway.Model
	after := ""
	for range maxModelPages {
		q := url.Values{"limit": {strconv.Itoa(modelsPageSize)}}
		if after != "" {
			q.Set("after_id", after)
		}
		resp, err := p.send(ctx, http.MethodGet, p.base+pathModels+"?"+q.Encode(), nil, "application/json")
		if err != nil {
			return nil, err
		}
		var page wireModelPage
		if err := p.readJSON(ctx, resp, &page); err != nil {
			return nil, err
		}
		for _, m := range page.Data {
			if m.ID == "" {
				continue
			}
			gm := gateway.Model{ID: m.ID, OwnedBy: "anthropic"}
			if t, err := time.Parse(time.RFC3339, m.CreatedAt); err == nil {
				gm.Created = t
			}
			out = append(out, gm)
		}
		if !page.HasMore || page.LastID == "" || page.LastID == after {
			break
		}
		after = page.LastID
	}
	return out, nil
}
