package gemini

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/quirehq/quire/gateway"
)

// maxModelPages bounds how many pages of the model list are read.
const maxModelPages = 50

// Models lists the models the account can use: the Gemini API's models
// (GET /v1beta/models), or Vertex AI's Google publisher models (GET
// /v1beta1/publishers/google/models, the only version that lists them),
// following nextPageToken to the end. IDs lose their resource prefix
// ("models/gemini-2.5-flash" is "gemini-2.5-flash"), so that they are
// what Chat and Embed take.
func (p *Provider) Models(ctx context.Context) ([]gateway.Model, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	var out []gateway.Model
	token := ""
	seen := map[string]bool{}
	for range maxModelPages {
		target := p.listURL
		if token != "" {
			target += "&pageToken=" + url.QueryEscape(token)
		}
		resp, err := p.send(ctx, outHTTP{method: http.MethodGet, target: target, accept: "application/json"})
		if err != nil {
			return nil, err
		}
		var w inModelList
		if err := p.readJSON(ctx, resp, &w); err != nil {
			return nil, err
		}
		for _, list := range [...][]inModel{w.Models, w.PublisherModels} {
			for _, m := range list {
				id := m.Name[strings.LastIndexByte(m.Name, '/')+1:]
				if id != "" {
					out = append(out, gateway.Model{ID: id, OwnedBy: "google"})
				}
			}
		}
		if w.NextPageToken == "" {
			return out, nil
		}
		if seen[w.NextPageToken] {
			return nil, p.badResponse(http.StatusOK, gateway.ErrInvalidJSON) // a page loop
		}
		seen[w.NextPageToken] = true
		token = w.NextPageToken
	}
	return nil, p.badResponse(http.StatusOK, gateway.ErrTooLarge)
}
