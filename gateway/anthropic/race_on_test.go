//go:build race

package anthropic

// raceEnabled: the race detector changes what escapes to the heap, so
// allocation budgets are not checked under it.
const raceEnabled = true
