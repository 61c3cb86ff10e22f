// Package search is Quire's in-memory search: full-text (BM25 with phrases,
// negation, as-you-type prefixes and filters), semantic (cosine similarity
// over embeddings) and hybrid (reciprocal rank fusion), with an optional
// reranker.
//
// Notes are encrypted at rest, so nothing here ever touches the disk: an
// Index is built per workspace from decrypted Docs and lives in a Cache
// bounded by an estimate of its memory (DESIGN.md, "Encryption at rest").
// Deleting a workspace or rotating its key is Cache.Drop.
//
// Text is split by the tokenizer (tokenize.go): runs of letters and digits,
// lower-cased, with diacritics and compatibility forms folded (NFKD, then
// nonspacing marks removed: "Café" and "cafe" are one term). Scripts written
// without spaces (Han, kana, Hangul, Thai, Lao, Khmer, Myanmar) give one
// token per character; a query word in those scripts is matched as a phrase
// of its characters, which finds the same documents as bigrams would
// without storing them. There is no stemmer: "notes" does not find "note",
// but typing "not" does, through the prefix match of the last query word.
//
// Every match is reported as byte ranges into the original text, never as
// markup: the caller escapes and marks.
//
// Benchmarks (a synthetic workspace of 10,000 notes, Zipfian vocabulary,
// 768-dimension vectors; ratios against a naive strings.Contains scan in the
// same run):
//
//	GOTOOLCHAIN=go1.27.3 go test ./search -run '^$' -bench . -benchtime 3s
package search
