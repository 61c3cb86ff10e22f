package quire_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/quirehq/quire"
)

func TestIdeaValidate(t *testing.T) {
	str := func(s string) *string { return &s }
	id := quire.NewID()
	max := strings.Repeat("ü", quire.MaxIdeaText)
	for _, tc := range []struct {
		name string
		err  error
		ok   bool
	}{
		{"ok", (&quire.Idea{WorkspaceID: id, Text: "buy milk"}).Validate(), true},
		{"multi-line", (&quire.Idea{WorkspaceID: id, Text: "a\r\n\tb\n", FolderID: id}).Validate(), true},
		{"longest", (&quire.Idea{WorkspaceID: id, Text: max}).Validate(), true},
		{"too long", (&quire.Idea{WorkspaceID: id, Text: max + "x"}).Validate(), false},
		{"empty", (&quire.Idea{WorkspaceID: id}).Validate(), false},
		{"white space", (&quire.Idea{WorkspaceID: id, Text: " \n\t "}).Validate(), false},
		{"nul", (&quire.Idea{WorkspaceID: id, Text: "a\x00b"}).Validate(), false},
		{"escape", (&quire.Idea{WorkspaceID: id, Text: "\x1b[31mred"}).Validate(), false},
		{"not UTF-8", (&quire.Idea{WorkspaceID: id, Text: "\xff"}).Validate(), false},
		{"no workspace", (&quire.Idea{Text: "t"}).Validate(), false},
		{"folder is content", (&quire.Idea{WorkspaceID: id, Text: "t", FolderID: "My plans"}).Validate(), false},
		{"update nothing", quire.IdeaUpdate{}.Validate(), true},
		{"update out of folder", quire.IdeaUpdate{FolderID: str("")}.Validate(), true},
		{"update bad folder", quire.IdeaUpdate{FolderID: str("../x")}.Validate(), false},
		{"update empty text", quire.IdeaUpdate{Text: str("")}.Validate(), false},
		{"filter ok", quire.IdeaFilter{WorkspaceID: id, FolderID: str("")}.Validate(), true},
		{"filter cursor", quire.IdeaFilter{WorkspaceID: id, After: &quire.IdeaCursor{CreatedAt: time.Now(), ID: id}}.Validate(), true},
		{"filter bad cursor", quire.IdeaFilter{WorkspaceID: id, After: &quire.IdeaCursor{ID: "x"}}.Validate(), false},
		{"filter negative", quire.IdeaFilter{WorkspaceID: id, Offset: -1}.Validate(), false},
		{"filter no workspace", quire.IdeaFilter{}.Validate(), false},
		{"filter bad folder", quire.IdeaFilter{WorkspaceID: id, FolderID: str("' OR 1=1")}.Validate(), false},
	} {
		if (tc.err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, tc.err, tc.ok)
		}
		if tc.err != nil && quire.ErrorCode(tc.err) != quire.EINVALID {
			t.Errorf("%s: code %q, want %q", tc.name, quire.ErrorCode(tc.err), quire.EINVALID)
		}
	}
}

func TestIdeaUpdateApply(t *testing.T) {
	text, folder := "new", quire.NewID()
	i := quire.Idea{Text: "old", FolderID: quire.NewID()}
	quire.IdeaUpdate{}.Apply(&i)
	if i.Text != "old" {
		t.Fatal("an empty update changed the idea")
	}
	quire.IdeaUpdate{Text: &text, FolderID: &folder}.Apply(&i)
	if i.Text != "new" || i.FolderID != folder {
		t.Fatalf("Apply = %+v", i)
	}
}

func TestValidateIdeaIDs(t *testing.T) {
	a, b := quire.NewID(), quire.NewID()
	many := make([]string, quire.MaxBulkIdeas+1)
	for i := range many {
		many[i] = quire.NewID()
	}
	for _, tc := range []struct {
		name string
		ids  []string
		ok   bool
		msg  string
	}{
		{"two", []string{a, b}, true, ""},
		{"the most", many[:quire.MaxBulkIdeas], true, ""},
		{"none", nil, false, "1 to 500"},
		{"too many", many, false, "1 to 500"},
		{"repeated", []string{a, b, a}, false, "number 3 repeats"},
		{"malformed", []string{a, "x'--"}, false, "number 2 is not"},
	} {
		err := quire.ValidateIdeaIDs(tc.ids)
		if (err == nil) != tc.ok || !strings.Contains(quire.ErrorMessage(err), tc.msg) {
			t.Errorf("%s: %v, want ok=%v with %q", tc.name, err, tc.ok, tc.msg)
		}
	}
}

func TestPromotedTitle(t *testing.T) {
	long := strings.Repeat("a", quire.MaxNoteTitle-1) + "ü tail"
	for _, tc := range []struct{ in, want string }{
		{"Call the bank\nabout the loan", "Call the bank"},
		{"  padded  \r\nnext", "padded"},
		{"\n\n \t\nfirst real line\nsecond", "first real line"},
		{"one line", "one line"},
		{"old\rmac", "old"},
		{strings.Repeat("b", quire.MaxNoteTitle+50), strings.Repeat("b", quire.MaxNoteTitle)},
		{long, strings.Repeat("a", quire.MaxNoteTitle-1)},
	} {
		if got := quire.PromotedTitle(tc.in); got != tc.want {
			t.Errorf("PromotedTitle(%.40q) = %.40q (%d bytes), want %.40q", tc.in, got, len(got), tc.want)
		}
	}
}

// FuzzPromotedTitle: the title of any valid idea is a valid note title:
// valid UTF-8 within the limit, one trimmed line, taken from the text.
func FuzzPromotedTitle(f *testing.F) {
	for _, s := range []string{"idea", "\n\nx", strings.Repeat("🚀", 300), "a\rb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if (&quire.Idea{WorkspaceID: "w", Text: text}).Validate() != nil {
			return
		}
		got := quire.PromotedTitle(text)
		if len(got) > quire.MaxNoteTitle || !utf8.ValidString(got) || strings.ContainsAny(got, "\r\n") ||
			got != strings.TrimSpace(got) || !strings.Contains(text, got) {
			t.Fatalf("PromotedTitle(%q) = %q", text, got)
		}
		if err := (&quire.Note{WorkspaceID: "w", Title: got, Content: text}).Validate(); err != nil {
			t.Fatalf("the promoted note is refused: %v", err)
		}
	})
}
