package mail

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// testLink is a link with the characters quoted-printable would mangle.
const testLink = "https://127.0.0.1:8443/verify?token=Zm9vYmFyYmF6cXV4_-0123456789abcdefghijklmnopq&next=%2Fnotes"

// newOutbox returns an Outbox in a fresh directory whose log goes to the
// returned buffer.
func newOutbox(t *testing.T) (*Outbox, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	return &Outbox{
		Dir:    filepath.Join(t.TempDir(), "outbox"),
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	}, &logs
}

// onlyFile returns the path of the single file in dir.
func onlyFile(t *testing.T, dir string) string {
	t.Helper()
	names := dirNames(t, dir)
	if len(names) != 1 {
		t.Fatalf("outbox holds %q, want exactly one file", names)
	}
	return filepath.Join(dir, names[0])
}

func TestOutboxWritesParseableEML(t *testing.T) {
	o, logs := newOutbox(t)
	if err := o.Send(context.Background(), VerifyEmail("Alice <alice@example.com>", testLink)); err != nil {
		t.Fatal(err)
	}
	path := onlyFile(t, o.Dir)
	name := regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z-verify_email-[0-9a-f]{12}\.eml$`)
	if !name.MatchString(filepath.Base(path)) {
		t.Errorf("file name %q does not match %v", filepath.Base(path), name)
	}
	m := readEML(t, path)
	to, err := m.header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "alice@example.com" {
		t.Errorf("To = %v (%v), want alice@example.com", to, err)
	}
	from, err := m.header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "quire@localhost" || from[0].Name != "Quire" {
		t.Errorf("From = %v (%v), want the default Quire <quire@localhost>", from, err)
	}
	if got := m.header.Get("Subject"); got != "Confirm your email address for Quire" {
		t.Errorf("Subject = %q", got)
	}
	if got := linkLine.FindAllStringSubmatch(m.text, -1); len(got) != 1 || got[0][1] != testLink {
		t.Errorf("link lines in text part = %q, want exactly %q", got, testLink)
	}
	if !strings.Contains(m.html, `href="`+strings.ReplaceAll(testLink, "&", "&amp;")+`"`) {
		t.Errorf("HTML part lacks the link:\n%s", m.html)
	}
	log := logs.String()
	for _, want := range []string{"email written to outbox", path, testLink} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "alice") {
		t.Errorf("log holds the recipient:\n%s", log)
	}
}

func TestOutboxPermissions(t *testing.T) {
	o, _ := newOutbox(t)
	if err := os.MkdirAll(o.Dir, 0o755); err != nil { // too wide: Send narrows it
		t.Fatal(err)
	}
	if err := o.Send(context.Background(), ResetPassword("bob@example.com", testLink)); err != nil {
		t.Fatal(err)
	}
	dirInfo, err := os.Stat(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := dirInfo.Mode().Perm(); perm != 0o700 {
		t.Errorf("outbox mode = %o, want 700", perm)
	}
	fileInfo, err := os.Stat(onlyFile(t, o.Dir))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fileInfo.Mode().Perm(); perm != 0o600 {
		t.Errorf("message mode = %o, want 600", perm)
	}
}

func TestOutboxEveryKind(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)
	tests := []struct {
		msg     Message
		subject string
		want    []string // in both the text and the HTML part
	}{
		{VerifyEmail("a@example.com", testLink), "Confirm your email address for Quire", []string{"confirm your email address"}},
		{ResetPassword("a@example.com", testLink), "Reset your Quire password", []string{"reset the password"}},
		{AccountLocked("a@example.com", at, at.Add(time.Hour)), "Your Quire account is locked",
			[]string{"Wed, 4 Mar 2026 05:06 UTC", "until Wed, 4 Mar 2026 06:06 UTC"}},
		{NewSignIn("a@example.com", at, "Firefox on Linux"), "New sign-in to your Quire account",
			[]string{"Wed, 4 Mar 2026 05:06 UTC", "Firefox on Linux"}},
		{SecurityChange("a@example.com", at, "An API key was created."), "Security change to your Quire account",
			[]string{"Wed, 4 Mar 2026 05:06 UTC", "An API key was created."}},
	}
	for _, tt := range tests {
		t.Run(tt.msg.Kind, func(t *testing.T) {
			o, _ := newOutbox(t)
			if err := o.Send(context.Background(), tt.msg); err != nil {
				t.Fatal(err)
			}
			m := readEML(t, onlyFile(t, o.Dir))
			if got := m.header.Get("Subject"); got != tt.subject {
				t.Errorf("Subject = %q, want %q", got, tt.subject)
			}
			if got := m.header.Get("Auto-Submitted"); got != "auto-generated" {
				t.Errorf("Auto-Submitted = %q", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(m.text, w) || !strings.Contains(m.html, w) {
					t.Errorf("a part lacks %q:\ntext:\n%s\nhtml:\n%s", w, m.text, m.html)
				}
			}
			for _, banned := range []string{"<img", "src=", "<script", "<link", "url("} {
				if strings.Contains(strings.ToLower(m.html), banned) {
					t.Errorf("HTML part holds %q (remote content or tracking)", banned)
				}
			}
			if tt.msg.Data["link"] == "" && linkLine.MatchString(m.text) {
				t.Errorf("text part of a kind without link holds a link line")
			}
		})
	}
}

func TestOutboxEscapesAndEncodes(t *testing.T) {
	o, _ := newOutbox(t)
	device := "Navigateur «test» <script>alert(1)</script>\r\nBcc: x@example.com"
	if err := o.Send(context.Background(), NewSignIn("a@example.com", time.Now(), device)); err != nil {
		t.Fatal(err)
	}
	m := readEML(t, onlyFile(t, o.Dir))
	if strings.Contains(m.html, "<script>") || !strings.Contains(m.html, "&lt;script&gt;") {
		t.Errorf("HTML part does not escape the device:\n%s", m.html)
	}
	if !strings.Contains(m.text, "Navigateur «test» <script>alert(1)</script>  Bcc: x@example.com") {
		t.Errorf("text part lacks the cleaned device:\n%s", m.text)
	}
	if len(m.header["Bcc"]) != 0 {
		t.Errorf("a device description added a Bcc header")
	}
}

func TestOutboxAccountLockedIndefinitely(t *testing.T) {
	o, _ := newOutbox(t)
	if err := o.Send(context.Background(), AccountLocked("a@example.com", time.Now(), quire.IndefiniteLock)); err != nil {
		t.Fatal(err)
	}
	m := readEML(t, onlyFile(t, o.Dir))
	if !strings.Contains(m.text, "until an administrator unlocks it") || strings.Contains(m.text, "9999") {
		t.Errorf("an indefinite lock is not worded as one:\n%s", m.text)
	}
}

func TestOutboxRefusesInvalidMessages(t *testing.T) {
	tests := map[string]Message{
		"CRLF in To":        VerifyEmail("a@example.com\r\nBcc: evil@example.com", testLink),
		"LF in To":          VerifyEmail("a@example.com\nBcc: evil@example.com", testLink),
		"CR in name":        VerifyEmail("\"A\rB\" <a@example.com>", testLink),
		"two recipients":    VerifyEmail("a@example.com, b@example.com", testLink),
		"no address":        VerifyEmail("Alice", testLink),
		"empty To":          VerifyEmail("", testLink),
		"unknown kind":      {To: "a@example.com", Kind: "newsletter", Data: map[string]string{"link": testLink}},
		"missing link":      {To: "a@example.com", Kind: KindVerifyEmail, Data: map[string]string{}},
		"misspelt key":      {To: "a@example.com", Kind: KindVerifyEmail, Data: map[string]string{"url": testLink}},
		"extra key":         {To: "a@example.com", Kind: KindVerifyEmail, Data: map[string]string{"link": testLink, "x": "y"}},
		"javascript link":   VerifyEmail("a@example.com", "javascript:alert(1)"),
		"relative link":     VerifyEmail("a@example.com", "/verify?token=x"),
		"link with space":   VerifyEmail("a@example.com", "https://a.example/x y"),
		"link with newline": VerifyEmail("a@example.com", "https://a.example/x\r\nBcc: b@example.com"),
		"link with user":    ResetPassword("a@example.com", "https://user:pw@a.example/x"),
		"value with LF":     {To: "a@example.com", Kind: KindAccountLocked, Data: map[string]string{"when": "now\n", "until": "later"}},
		"empty value":       {To: "a@example.com", Kind: KindAccountLocked, Data: map[string]string{"when": "", "until": "later"}},
	}
	for name, msg := range tests {
		t.Run(name, func(t *testing.T) {
			o, logs := newOutbox(t)
			wantCode(t, o.Send(context.Background(), msg), "invalid_input")
			if names := dirNames(t, o.Dir); len(names) != 0 {
				t.Errorf("a refused message left files %q", names)
			}
			if logs.Len() != 0 {
				t.Errorf("a refused message was logged: %s", logs)
			}
		})
	}
}

func TestOutboxRefusesInvalidFrom(t *testing.T) {
	o, _ := newOutbox(t)
	o.From = "Quire <quire@localhost>\r\nBcc: evil@example.com"
	wantCode(t, o.Send(context.Background(), VerifyEmail("a@example.com", testLink)), "invalid_input")
	if names := dirNames(t, o.Dir); len(names) != 0 {
		t.Errorf("files written: %q", names)
	}
}

func TestOutboxUnwritableDir(t *testing.T) {
	parent := t.TempDir()
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o := &Outbox{Dir: filepath.Join(file, "outbox")} // a path under a regular file
	wantCode(t, o.Send(context.Background(), VerifyEmail("a@example.com", testLink)), "internal")
	if names := dirNames(t, parent); len(names) != 1 {
		t.Errorf("parent holds %q, want only the file", names)
	}
}

func TestOutboxCanceledContext(t *testing.T) {
	o, _ := newOutbox(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wantCode(t, o.Send(ctx, VerifyEmail("a@example.com", testLink)), "unavailable")
	if names := dirNames(t, o.Dir); len(names) != 0 {
		t.Errorf("files written: %q", names)
	}
}

func TestOutboxSkipsReservedInvalidDomain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o := &Outbox{Dir: dir}
	if err := o.Send(context.Background(), VerifyEmail("trust-x@trust-check.invalid", "https://quire.test/v?token=x")); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("%d files written for an .invalid address", len(entries))
	}
	if err := o.Send(context.Background(), VerifyEmail("a@trust-check.invalid\r\nBcc: b@example.com", "https://quire.test/")); quire.ErrorCode(err) != quire.EINVALID {
		t.Fatalf("an invalid message to .invalid was not refused: %v", err)
	}
}
