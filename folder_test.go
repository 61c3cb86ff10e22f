package quire_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/quirehq/quire"
)

func TestCleanFolderName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Projects", "Projects", true},
		{"  Reading list \n", "Reading list", true},
		{"ünïcödé ✓ 🚀", "ünïcödé ✓ 🚀", true},
		{strings.Repeat("é", quire.MaxFolderName), strings.Repeat("é", quire.MaxFolderName), true},
		{" " + strings.Repeat("x", quire.MaxFolderName) + " ", strings.Repeat("x", quire.MaxFolderName), true},
		{"", "", false},
		{" \t\n ", "", false},
		{strings.Repeat("é", quire.MaxFolderName+1), "", false},
		{"two\nlines", "", false},
		{"tab\there", "", false},
		{"nul\x00", "", false},
		{"bell\a", "", false},
		{"c1\u0085inside", "", false},
		{"line\u2028sep", "", false},
		{"para\u2029sep", "", false},
		{"\xff\xfe", "", false},
	} {
		got, err := quire.CleanFolderName(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("CleanFolderName(%q) = %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && quire.ErrorCode(err) != quire.EINVALID {
			t.Errorf("CleanFolderName(%q): code %q, want invalid_input", tc.in, quire.ErrorCode(err))
		}
		if err != nil && strings.Contains(quire.ErrorMessage(err), tc.in) && tc.in != "" {
			t.Errorf("CleanFolderName(%q): the message quotes the name", tc.in)
		}
	}
}

func TestFolderValidate(t *testing.T) {
	f := &quire.Folder{WorkspaceID: quire.NewID(), Name: "  Inbox  "}
	if err := f.Validate(); err != nil || f.Name != "Inbox" {
		t.Fatalf("Validate = %v, name %q; want nil and the trimmed name", err, f.Name)
	}
	if err := (&quire.Folder{Name: "x"}).Validate(); quire.ErrorCode(err) != quire.EINVALID {
		t.Fatalf("a folder without a workspace: %v, want invalid_input", err)
	}
}

func TestFolderContents(t *testing.T) {
	for c, ok := range map[quire.FolderContents]bool{"unfile": true, "delete": true, "": false, "Delete": false, "keep": false} {
		if c.Valid() != ok {
			t.Errorf("FolderContents(%q).Valid() = %v", c, !ok)
		}
	}
}

func TestSortFolders(t *testing.T) {
	id := func(c byte) string { return strings.Repeat(string(c), 26) }
	fs := []*quire.Folder{{ID: id('e'), Name: "beta"}, {ID: id('d'), Name: "Alpha"}, {ID: id('c'), Name: "alpha"},
		{ID: id('b'), Name: "alpha"}, {ID: id('a'), Name: "Zeta"}, {ID: id('f'), Name: "Ärger"}}
	quire.SortFolders(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.Name+"/"+f.ID[:1])
	}
	want := []string{"Alpha/d", "alpha/b", "alpha/c", "beta/e", "Zeta/a", "Ärger/f"}
	if !slices.Equal(got, want) {
		t.Fatalf("SortFolders = %v, want %v", got, want)
	}
}

// FuzzCleanFolderName: whatever the input, a name that is accepted is
// trimmed, within the limits and free of control characters, and
// cleaning it again changes nothing.
func FuzzCleanFolderName(f *testing.F) {
	for _, s := range []string{"Inbox", " a ", "\x00", "a\u2028b", strings.Repeat("ü", 201), "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := quire.CleanFolderName(in)
		if err != nil {
			if quire.ErrorCode(err) != quire.EINVALID || got != "" {
				t.Fatalf("refused with %v and %q", err, got)
			}
			return
		}
		n := utf8.RuneCountInString(got)
		if n == 0 || n > quire.MaxFolderName || got != strings.TrimSpace(got) || strings.ContainsFunc(got, unicode.IsControl) {
			t.Fatalf("accepted %q as %q", in, got)
		}
		if again, err := quire.CleanFolderName(got); err != nil || again != got {
			t.Fatalf("cleaning %q again gave %q, %v", got, again, err)
		}
	})
}
