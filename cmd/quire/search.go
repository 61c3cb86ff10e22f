package main

import (
	"context"
	"log/slog"

	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/finder"
	"github.com/quirehq/quire/gateway/endpoint"
)

// newFinder builds search over workspaces, embedding and reranking
// through the gateway when models are configured, and wraps the stores a
// serving instance writes through so that every save updates the index.
func newFinder(cfg *config.Config, a *app, gw *aiGateway, lg *slog.Logger) (*finder.Service, error) {
	s := cfg.Workspace.Search
	fc := finder.Config{Notes: a.stores.notes, Ideas: a.stores.ideas, Folders: a.stores.folders,
		RerankModel: s.RerankModel, Budget: int64(s.CacheMB) << 20, Logger: lg, AI: gw.endpoints,
		Caller: func(ctx context.Context, ws string) (*endpoint.Caller, error) {
			w, err := a.stores.workspaces.FindWorkspaceByID(ctx, ws)
			if err != nil {
				return nil, err
			}
			return gw.callers.forWorkspace(ctx, w.OwnerID, ws)
		}}
	if s.EmbedModel != "" && a.stores.embeddings != nil {
		fc.EmbedModel, fc.Embeddings = s.EmbedModel, a.stores.embeddings
	}
	f, err := finder.New(fc)
	if err != nil {
		return nil, err
	}
	a.stores.notes, a.stores.ideas = f.Notes(a.stores.notes), f.Ideas(a.stores.ideas)
	a.stores.folders, a.stores.workspaces = f.Folders(a.stores.folders), f.Workspaces(a.stores.workspaces)
	a.closers = append(a.closers, f.Close)
	return f, nil
}
