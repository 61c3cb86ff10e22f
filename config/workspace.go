package config

import (
	"slices"
	"time"
)

// Workspace configures the workspace's content: notes and their history.
type Workspace struct {
	// Versions is how much of each note's history is kept.
	Versions Versions `yaml:"versions"`
	// Chat configures AI chat over the workspace.
	Chat Chat `yaml:"chat"`
	// Search configures search over the workspace.
	Search Search `yaml:"search"`
	// Files configures where files are stored.
	Files Files `yaml:"files"`
	// Voice configures voice notes.
	Voice Voice `yaml:"voice"`
	// Sharing configures folder sharing by invitation.
	Sharing Sharing `yaml:"sharing"`
}

// Sharing configures folder sharing by invitation.
type Sharing struct {
	// InviteTTL is how long an invitation link works (default 7d).
	InviteTTL time.Duration `yaml:"invite_ttl"`
}

// Bounds of workspace.sharing.invite_ttl.
const (
	DefaultInviteTTL = 7 * 24 * time.Hour
	minInviteTTL     = 10 * time.Minute
	maxInviteTTL     = 30 * 24 * time.Hour
)

// Voice configures voice notes: recordings transcribed into ideas.
type Voice struct {
	// Model transcribes (a Whisper-style model). Default: the first model
	// of the first groq provider; with none, voice notes are off.
	Model string `yaml:"model"`
}

// Search configures search: keyword search always; semantic and hybrid
// search with an embedding model; reranking with a rerank model.
type Search struct {
	// EmbedModel embeds notes and ideas (in the background, as they are
	// saved) and queries; empty turns semantic search off.
	EmbedModel string `yaml:"embed_model"`
	// RerankModel reorders the best hits on request (a Cohere rerank
	// model); empty leaves that to the local reranker.
	RerankModel string `yaml:"rerank_model"`
	// CacheMB bounds the memory of the in-memory indexes (default 256).
	CacheMB int `yaml:"cache_mb"`
}

// Chat configures AI chat: which models answer, and how much of the
// workspace an answer may draw on.
type Chat struct {
	// Model answers new conversations: an alias or a configured model.
	// Default: the first model of the first AI provider; with no provider,
	// chat is off.
	Model string `yaml:"model"`
	// WebModel answers with web search on: a search-backed model (such as
	// Perplexity's). Default: the first model of the first perplexity
	// provider; with none, web search is off.
	WebModel string `yaml:"web_model"`
	// ContextTokens bounds the passages of the workspace sent with a
	// question (default 3000): the minimum context of claim AI-4.
	ContextTokens int `yaml:"context_tokens"`
}

// Versions is the note history policy: each save of a note's title or
// content keeps the state it replaces, then drops all but the newest Keep
// versions and those older than MaxAge.
type Versions struct {
	// Keep is how many earlier versions of each note are kept (default
	// 100); 0 keeps none.
	Keep int `yaml:"keep"`
	// MaxAge, if set, drops versions older than this (e.g. 365d); they
	// are no longer listed at once and are deleted at the note's next save.
	MaxAge time.Duration `yaml:"max_age"`
}

// Version history bounds.
const (
	DefaultKeepVersions = 100
	maxKeepVersions     = 10000
	minVersionAge       = time.Hour
	maxContextTokens    = 100_000
	maxSearchCacheMB    = 1 << 20
)

func (c *Config) validateWorkspace(p *problems) {
	c.validateFiles(p)
	ch := c.Workspace.Chat
	if ch.ContextTokens < 0 || ch.ContextTokens > maxContextTokens {
		p.add("workspace.chat.context_tokens", "must be from 1 to %d (0 for the default, 3000)", maxContextTokens)
	}
	if mb := c.Workspace.Search.CacheMB; mb < 1 || mb > maxSearchCacheMB {
		p.add("workspace.search.cache_mb", "must be from 1 to %d", maxSearchCacheMB)
	}
	for key, m := range map[string]string{"workspace.chat.model": ch.Model, "workspace.chat.web_model": ch.WebModel,
		"workspace.search.embed_model": c.Workspace.Search.EmbedModel, "workspace.search.rerank_model": c.Workspace.Search.RerankModel,
		"workspace.voice.model": c.Workspace.Voice.Model} {
		if m != "" && !c.AI.servesModel(m) {
			p.add(key, "names no alias and no model of any provider in ai.providers")
		}
	}
	v := c.Workspace.Versions
	if v.Keep < 0 || v.Keep > maxKeepVersions {
		p.add("workspace.versions.keep", "must be from 0 (keep none) to %d", maxKeepVersions)
	}
	if v.MaxAge < 0 || (v.MaxAge > 0 && v.MaxAge < minVersionAge) {
		p.add("workspace.versions.max_age", "must be unset (keep versions of any age) or at least 1h, such as 365d")
	}
	if t := c.Workspace.Sharing.InviteTTL; t != 0 && (t < minInviteTTL || t > maxInviteTTL) {
		p.add("workspace.sharing.invite_ttl", "must be from 10m to 30d, such as 7d")
	}
}

// servesModel reports whether m is an alias or a model some provider
// lists.
func (a *AI) servesModel(m string) bool {
	if _, ok := a.Aliases[m]; ok {
		return true
	}
	for _, pr := range a.Providers {
		if slices.Contains(pr.Models, m) {
			return true
		}
	}
	return false
}

// VoiceModel returns the model that transcribes voice notes: the
// configured one, or the first of a groq provider; "" for none.
func (c *Config) VoiceModel() string {
	if m := c.Workspace.Voice.Model; m != "" {
		return m
	}
	for _, pr := range c.AI.Providers {
		if pr.Kind == KindGroq && len(pr.Models) > 0 {
			return pr.Models[0]
		}
	}
	return ""
}

// ChatModels returns the models chat uses: the configured ones, or the
// defaults; "" where there is none (chat, or web search, is then off).
func (c *Config) ChatModels() (model, web string) {
	model, web = c.Workspace.Chat.Model, c.Workspace.Chat.WebModel
	for _, pr := range c.AI.Providers {
		if model == "" && len(pr.Models) > 0 {
			model = pr.Models[0]
		}
		if web == "" && pr.Kind == KindPerplexity && len(pr.Models) > 0 {
			web = pr.Models[0]
		}
	}
	return model, web
}
