package main

import (
	"context"
	"log/slog"
	"slices"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/chat"
	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/gateway/endpoint"
	"github.com/quirehq/quire/gateway/route"
	"github.com/quirehq/quire/voice"
)

// newChat builds AI chat over the workspace, answering through the
// gateway's in-process calls; nil when no model is configured.
func newChat(cfg *config.Config, a *app, gw *aiGateway, search chat.Retriever, lg *slog.Logger) (*chat.Service, error) {
	model, web := cfg.ChatModels()
	if model == "" {
		return nil, nil
	}
	return chat.New(chat.Config{Chats: a.stores.chats, Notes: a.stores.notes, AI: gw.endpoints,
		Caller: gw.callers.forWorkspace, Retriever: search, Model: model, WebModel: web,
		Models: gw.chatModels, ContextTokens: cfg.Workspace.Chat.ContextTokens, Logger: lg})
}

// chatModels lists the models that can answer a chat in workspace ws
// under its AI policy.
func (gw *aiGateway) chatModels(ctx context.Context, userID, ws string) ([]string, error) {
	c, err := gw.callers.forWorkspace(ctx, userID, ws)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range gw.router.Models(c.Policy) {
		if slices.Contains(m.Ops, route.OpChat) {
			out = append(out, m.ID)
		}
	}
	return out, nil
}

// forWorkspace returns the caller of userID for their own workspace ws:
// the account for budgets and the workspace's AI policy. The features
// that call it act in the user's own workspace only.
func (cs *callers) forWorkspace(ctx context.Context, userID, ws string) (*endpoint.Caller, error) {
	c, err := cs.caller(ctx, userID)
	if err != nil {
		return nil, err
	}
	if c.Workspace != ws {
		return nil, quire.Errorf(quire.EFORBIDDEN, "AI features act in your own workspace only.")
	}
	return c, nil
}

// newVoice builds voice notes, transcribing through the gateway; nil
// when no transcription model is configured.
func newVoice(cfg *config.Config, a *app, gw *aiGateway) (*voice.Service, error) {
	model := cfg.VoiceModel()
	if model == "" {
		return nil, nil
	}
	return voice.New(voice.Config{Ideas: a.stores.ideas, Files: a.files, AI: gw.endpoints, Caller: gw.callers.forWorkspace, Model: model})
}
