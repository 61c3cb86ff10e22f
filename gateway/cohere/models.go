package cohere

import (
	"context"
	"net/http"
	"net/url"

	"github.com/quirehq/quire/gateway"
)

// modelEndpoints are the endpoints whose models Models lists: the ones
// this provider calls.
var modelEndpoints = [...]string{"rerank", "embed"}

// maxModelPages bounds the pages read per endpoint, so that a pagination
// that never ends cannot loop: at a thousand models a page, far more
// pages than any account has.
const maxModelPages = 20

// Models lists the rerank and embed models the account can use, with GET
// /v1/models?endpoint=… following next_page_token, each model once.
// Chat and other models are left out: this provider cannot call them.
func (p *Provider) Models(ctx context.Context) ([]gateway.Model, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	seen := map[string]bool{}
	var out []gateway.Model
	for _, endpoint := range modelEndpoints {
		token := ""
		for page := 0; ; page++ {
			if page == maxModelPages {
				return nil, p.badResponse(http.StatusOK, gateway.ErrTooLarge)
			}
			q := url.Values{"endpoint": {endpoint}, "page_size": {"1000"}}
			if token != "" {
				q.Set("page_token", token)
			}
			resp, err := p.get(ctx, pathModels+"?"+q.Encode())
			if err != nil {
				return nil, err
			}
			var w wireModelList
			if err := p.readJSON(ctx, resp, &w); err != nil {
				return nil, err
			}
			for _, m := range w.Models {
				if m.Name != "" && !seen[m.Name] {
					seen[m.Name] = true
					out = append(out, gateway.Model{ID: m.Name, OwnedBy: "cohere"})
				}
			}
			if w.NextPageToken == "" || w.NextPageToken == token {
				break
			}
			token = w.NextPageToken
		}
	}
	return out, nil
}
