package meter

import (
	"math"
	"strings"

	"github.com/quirehq/quire/gateway"
)

// Price is a model's list price in US dollars per million tokens.
type Price struct {
	Input       float64
	CachedInput float64 // 0: cached input costs as much as input
	Output      float64
}

// builtinPrices are vendors' published list prices for common models, for
// a cost estimate only: contracts, batch and regional prices differ, and
// prices change. Options.Prices overrides them.
var builtinPrices = map[string]Price{
	"gpt-4o-mini":            {Input: 0.15, CachedInput: 0.075, Output: 0.60},
	"gpt-4o":                 {Input: 2.50, CachedInput: 1.25, Output: 10},
	"gpt-4.1-mini":           {Input: 0.40, CachedInput: 0.10, Output: 1.60},
	"gpt-4.1":                {Input: 2, CachedInput: 0.50, Output: 8},
	"text-embedding-3-small": {Input: 0.02},
	"text-embedding-3-large": {Input: 0.13},
	"claude-sonnet-4-5":      {Input: 3, CachedInput: 0.30, Output: 15},
	"claude-haiku-4-5":       {Input: 1, CachedInput: 0.10, Output: 5},
	"gemini-2.5-flash":       {Input: 0.30, CachedInput: 0.075, Output: 2.50},
	"gemini-2.5-pro":         {Input: 1.25, CachedInput: 0.31, Output: 10},
}

func mergePrices(over map[string]Price) map[string]Price {
	m := make(map[string]Price, len(builtinPrices)+len(over))
	for k, v := range builtinPrices {
		m[k] = v
	}
	for k, v := range over {
		m[k] = v
	}
	return m
}

// priceOf finds model's price: an exact match, or the longest listed name
// that model starts with followed by '-' (a dated snapshot such as
// gpt-4o-mini-2024-07-18).
func (m *Meter) priceOf(model string) (Price, bool) {
	if p, ok := m.prices[model]; ok {
		return p, true
	}
	best, found := "", false
	for name := range m.prices {
		if len(name) > len(best) && strings.HasPrefix(model, name+"-") {
			best, found = name, true
		}
	}
	return m.prices[best], found
}

// cost estimates u's cost on model in millionths of a dollar, or -1 when
// the price is unknown. Cached input tokens are part of the input count.
func (m *Meter) cost(model string, u gateway.Usage) int64 {
	p, ok := m.priceOf(model)
	if !ok {
		return -1
	}
	cached := min(max(u.CachedInputTokens, 0), max(u.InputTokens, 0))
	cachedPrice := p.CachedInput
	if cachedPrice == 0 {
		cachedPrice = p.Input
	}
	usd := (float64(u.InputTokens-cached)*p.Input + float64(cached)*cachedPrice + float64(u.OutputTokens)*p.Output) / 1e6
	return int64(math.Round(usd * 1e6))
}
