// Package markdown renders a note's Markdown to HTML that is safe to put in
// a page: CommonMark with the GitHub extensions (tables, strikethrough, task
// lists, autolinks) through goldmark, then every byte of the result through
// a bluemonday allowlist.
//
// The sanitizer is the security boundary. Raw HTML in a note is passed by
// goldmark to the sanitizer rather than dropped, so that harmless inline
// markup (<sub>, <kbd>, <details>) keeps working; the sanitizer keeps only
// allowlisted elements and attributes. The policy is bluemonday's UGC policy
// rebuilt with these changes: no id (DOM clobbering), no style, no class
// except language-* on code; URLs only http, https and mailto (no relative
// URLs, no data:); images only over https; every link gets
// rel="nofollow noopener noreferrer" and never a target.
package markdown
