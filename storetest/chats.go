package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

func mustConversation(t *testing.T, s Stores, wsID, title string) *quire.Conversation {
	t.Helper()
	c := &quire.Conversation{WorkspaceID: wsID, Title: title, Model: "gpt-4o-mini"}
	mustOK(t, s.Chats.CreateConversation(context.Background(), c), "CreateConversation")
	return c
}

func mustMessage(t *testing.T, s Stores, c *quire.Conversation, role, content string, sources ...quire.Source) *quire.ChatMessage {
	t.Helper()
	m := &quire.ChatMessage{WorkspaceID: c.WorkspaceID, ConversationID: c.ID, Role: role, Content: content,
		Status: quire.ChatComplete, Sources: sources}
	if role == quire.ChatAssistant {
		m.Model = c.Model
	}
	mustOK(t, s.Chats.AddChatMessage(context.Background(), m), "AddChatMessage")
	return m
}

// testChatCRUD creates, lists, renames, switches the model of and deletes
// conversations, and refuses bad input.
func testChatCRUD(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "chats")
	a := mustConversation(t, s, ws.ID, "First")
	b := mustConversation(t, s, ws.ID, "")
	checkTimes(t, "conversation", a.CreatedAt, a.UpdatedAt)
	got, err := s.Chats.FindConversation(ctx, ws.ID, a.ID)
	mustOK(t, err, "FindConversation")
	if got.Title != "First" || got.Model != "gpt-4o-mini" || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("conversation read back as %+v", got)
	}
	upd, err := s.Chats.UpdateConversation(ctx, ws.ID, a.ID, quire.ConversationUpdate{Title: ptr("Renamed"), Model: ptr("claude-sonnet")})
	mustOK(t, err, "UpdateConversation")
	if upd.Title != "Renamed" || upd.Model != "claude-sonnet" || !upd.UpdatedAt.After(a.UpdatedAt) {
		t.Fatalf("updated conversation = %+v", upd)
	}
	list, total, err := s.Chats.FindConversations(ctx, ws.ID, 0, 0)
	mustOK(t, err, "FindConversations")
	if total != 2 || len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
		t.Fatalf("list = %d %v, want the renamed conversation first", total, list)
	}
	page, total, err := s.Chats.FindConversations(ctx, ws.ID, 1, 1)
	mustOK(t, err, "FindConversations page")
	if total != 2 || len(page) != 1 || page[0].ID != b.ID {
		t.Fatalf("page = %d %v", total, page)
	}
	for _, c := range []*quire.Conversation{
		{WorkspaceID: ws.ID, Model: ""},
		{WorkspaceID: ws.ID, Model: "has space"},
		{WorkspaceID: ws.ID, Model: "m", Title: strings.Repeat("x", quire.MaxChatTitle+1)},
		{WorkspaceID: ws.ID, Model: "m", Title: "\xff"},
		{Model: "m"},
	} {
		wantCode(t, s.Chats.CreateConversation(ctx, c), quire.EINVALID)
	}
	_, err = s.Chats.UpdateConversation(ctx, ws.ID, a.ID, quire.ConversationUpdate{Model: ptr("")})
	wantCode(t, err, quire.EINVALID)
	wantCode(t, s.Chats.CreateConversation(ctx, &quire.Conversation{WorkspaceID: quire.NewID(), Model: "m"}), quire.ENOTFOUND)

	mustMessage(t, s, a, quire.ChatUser, "hello")
	mustOK(t, s.Chats.DeleteConversation(ctx, ws.ID, a.ID), "DeleteConversation")
	_, err = s.Chats.FindConversation(ctx, ws.ID, a.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Chats.FindChatMessages(ctx, ws.ID, a.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Chats.DeleteConversation(ctx, ws.ID, a.ID), quire.ENOTFOUND)
}

// testChatMessages appends messages and reads them back in order, with
// their sources, and refuses bad ones.
func testChatMessages(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "chats")
	c := mustConversation(t, s, ws.ID, "Plans")
	src := []quire.Source{{Kind: "note", ID: quire.NewID(), Title: "Roadmap"}, {Kind: "web", URL: "https://example.com/a", Title: "A"}}
	mustMessage(t, s, c, quire.ChatUser, "what is next?")
	answer := mustMessage(t, s, c, quire.ChatAssistant, "the roadmap says…", src...)
	cut := &quire.ChatMessage{WorkspaceID: ws.ID, ConversationID: c.ID, Role: quire.ChatAssistant, Model: "m2",
		Content: "partial", Status: quire.ChatCancelled}
	mustOK(t, s.Chats.AddChatMessage(ctx, cut), "AddChatMessage (cancelled)")
	msgs, err := s.Chats.FindChatMessages(ctx, ws.ID, c.ID)
	mustOK(t, err, "FindChatMessages")
	if len(msgs) != 3 || msgs[0].Content != "what is next?" || msgs[0].Role != quire.ChatUser || len(msgs[0].Sources) != 0 ||
		msgs[1].ID != answer.ID || len(msgs[1].Sources) != 2 || msgs[1].Sources[0] != src[0] || msgs[1].Sources[1] != src[1] ||
		msgs[2].Status != quire.ChatCancelled || msgs[2].Model != "m2" {
		t.Fatalf("messages read back as %+v", msgs)
	}
	if msgs[0].Sources == nil {
		t.Error("a message without sources reads back with nil sources, want an empty list")
	}
	cur, err := s.Chats.FindConversation(ctx, ws.ID, c.ID)
	mustOK(t, err, "FindConversation")
	if cur.UpdatedAt.Before(cut.CreatedAt) {
		t.Errorf("conversation updated at %v, before its last message %v", cur.UpdatedAt, cut.CreatedAt)
	}
	for _, m := range []*quire.ChatMessage{
		{WorkspaceID: ws.ID, ConversationID: c.ID, Role: "system", Content: "x", Status: quire.ChatComplete},
		{WorkspaceID: ws.ID, ConversationID: c.ID, Role: quire.ChatUser, Content: "x", Status: "done"},
		{WorkspaceID: ws.ID, ConversationID: c.ID, Role: quire.ChatAssistant, Content: "x", Status: quire.ChatComplete},
		{WorkspaceID: ws.ID, ConversationID: c.ID, Role: quire.ChatUser, Content: strings.Repeat("x", quire.MaxChatMessage+1), Status: quire.ChatComplete},
		{WorkspaceID: ws.ID, ConversationID: c.ID, Role: quire.ChatUser, Content: "\xff", Status: quire.ChatComplete},
	} {
		wantCode(t, s.Chats.AddChatMessage(ctx, m), quire.EINVALID)
	}
	wantCode(t, s.Chats.AddChatMessage(ctx, &quire.ChatMessage{WorkspaceID: ws.ID, ConversationID: quire.NewID(),
		Role: quire.ChatUser, Content: "x", Status: quire.ChatComplete}), quire.ENOTFOUND)
}

// testChatIsolation checks that another workspace can neither read, list,
// change, delete nor write into a conversation (claim ISO-1).
func testChatIsolation(t *testing.T, s Stores) {
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	wsA, wsB := mustWorkspace(t, s, a, "a"), mustWorkspace(t, s, b, "b")
	c := mustConversation(t, s, wsA.ID, "secret")
	mustMessage(t, s, c, quire.ChatUser, "private")
	_, err := s.Chats.FindConversation(ctx, wsB.ID, c.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Chats.FindChatMessages(ctx, wsB.ID, c.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Chats.UpdateConversation(ctx, wsB.ID, c.ID, quire.ConversationUpdate{Title: ptr("owned")})
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Chats.DeleteConversation(ctx, wsB.ID, c.ID), quire.ENOTFOUND)
	wantCode(t, s.Chats.AddChatMessage(ctx, &quire.ChatMessage{WorkspaceID: wsB.ID, ConversationID: c.ID,
		Role: quire.ChatUser, Content: "injected", Status: quire.ChatComplete}), quire.ENOTFOUND)
	list, total, err := s.Chats.FindConversations(ctx, wsB.ID, 0, 0)
	mustOK(t, err, "FindConversations")
	if total != 0 || len(list) != 0 {
		t.Fatalf("workspace B lists %v", list)
	}
	msgs, err := s.Chats.FindChatMessages(ctx, wsA.ID, c.ID)
	mustOK(t, err, "FindChatMessages")
	if len(msgs) != 1 || msgs[0].Content != "private" {
		t.Fatalf("A's conversation changed: %+v", msgs)
	}
}

// testChatRewrapAndCanary checks that titles, messages and sources are
// never in raw storage, that they are rewrapped on rotation, and that a
// workspace's deletion takes its conversations.
func testChatRewrapAndCanary(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ws := mustWorkspace(t, s, owner, "chats")
	title, question, answer, source := marker(), marker(), marker(), marker()
	c := mustConversation(t, s, ws.ID, title)
	mustMessage(t, s, c, quire.ChatUser, question)
	mustMessage(t, s, c, quire.ChatAssistant, answer, quire.Source{Kind: "note", Title: source})
	for _, mk := range []string{title, question, answer, source} {
		found, err := s.Inspector.ScanRaw(ctx, []byte(mk))
		mustOK(t, err, "ScanRaw")
		if len(found) != 0 {
			t.Fatalf("a chat marker is in raw storage at %v", found)
		}
	}
	if found, err := s.Inspector.ScanRaw(ctx, []byte(c.ID)); err != nil || len(found) == 0 {
		t.Fatalf("ScanRaw cannot find the conversation ID (%v): the scanner is blind", err)
	}
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	plan := planRetire(t, s)
	mustOK(t, s.Rewrap(ctx, nil), "Rewrap")
	retire(t, s, plan)
	wantCleanKeys(t, s)
	msgs, err := s.Chats.FindChatMessages(ctx, ws.ID, c.ID)
	mustOK(t, err, "FindChatMessages after rewrap")
	if len(msgs) != 2 || msgs[1].Content != answer || msgs[1].Sources[0].Title != source {
		t.Fatalf("after rewrap: %+v", msgs)
	}
	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, ws.ID), "DeleteWorkspace")
	if found, err := s.Inspector.ScanRaw(ctx, []byte(c.ID)); err != nil || len(found) != 0 {
		t.Fatalf("the deleted workspace's conversation is still stored at %v (%v)", found, err)
	}
}
