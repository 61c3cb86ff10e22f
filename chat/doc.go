// Package chat is Quire's AI chat over a workspace: conversations whose
// answers stream from the AI gateway, grounded in the user's own writing.
//
// A message names what the answer may draw on: the workspace's notes, its
// ideas, the note being edited, or the web. Retrieval picks the passages
// most relevant to the question, best first, until a token budget is
// spent, so a provider sees the least of the workspace that answers the
// question (claim AI-4); the gateway then redacts personal data from all
// of it. With the web on, the answer comes from the configured web search
// model, and the pages it cites become the answer's sources.
//
// Nothing is stored until the gateway has accepted the call: a refused or
// failed call leaves the conversation as it was. Once it streams, the
// question is stored, and the answer is stored as far as it got when it
// ends, fails or is cancelled, with that status.
package chat
