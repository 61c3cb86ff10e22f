package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"testing"
	"time"

	"github.com/quirehq/quire/internal/authtest"
)

// apiUser calls the JSON API of s as one user: with an API key, or with
// the session cookie a browser-like sign-up gave it.
type apiUser struct {
	t   *testing.T
	s   *running
	hc  *http.Client
	key string
}

func (u *apiUser) call(method, path string, body any, want int) map[string]any {
	u.t.Helper()
	var r *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, u.s.url+path, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if u.key != "" {
		req.Header.Set("Authorization", "Bearer "+u.key)
	} else {
		// As the web app's pages send it.
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
		req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", u.s.url)
	}
	resp, err := u.hc.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != want {
		u.t.Fatalf("%s %s: %d %v, want %d", method, path, resp.StatusCode, out, want)
	}
	return out
}

// signUpUser signs up email on s as a browser would and returns it.
func signUpUser(t *testing.T, s *running, email string) *apiUser {
	t.Helper()
	hc := client(t, s.data)
	hc.Jar, _ = cookiejar.New(nil)
	u := &apiUser{t: t, s: s, hc: hc}
	u.call(http.MethodPost, "/api/v1/auth/signup", map[string]string{"email": email, "password": "a long sharing test passphrase 9"}, 201)
	return u
}

// waitMail waits for the mailer, which sends in the background, to write
// a message of kind to the outbox of s, and returns its link's token.
func waitMail(t *testing.T, s *running, kind string, before int) string {
	t.Helper()
	outbox := filepath.Join(s.data, "outbox")
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m, _ := filepath.Glob(filepath.Join(outbox, "*-"+kind+"-*.eml")); len(m) > before {
			return authtest.Token(t, outbox, kind)
		}
	}
	t.Fatalf("no %s email within 20s", kind)
	return ""
}

// shareEndToEnd shares a folder of the API key's owner on s with a new
// account, which accepts the emailed invitation and writes into the
// folder; then the owner revokes it. Every marker it writes contains
// canary, for the caller's scan of the data directory.
func shareEndToEnd(t *testing.T, s *running, key, canary string) {
	owner := &apiUser{t: t, s: s, hc: client(t, s.data), key: key}
	folder := owner.call(http.MethodPost, "/api/v1/folders", map[string]any{"name": "Shared plans " + canary}, 201)["folderId"].(string)
	note := owner.call(http.MethodPost, "/api/v1/notes", map[string]any{"title": "Roadmap " + canary,
		"content": "Shared roadmap text " + canary, "folderId": folder}, 201)["noteId"].(string)
	invites, _ := filepath.Glob(filepath.Join(s.data, "outbox", "*-folder_invite-*.eml"))
	share := owner.call(http.MethodPost, "/api/v1/folders/"+folder+"/shares", map[string]any{"email": "partner@example.org", "permission": "write"}, 201)
	verifies, _ := filepath.Glob(filepath.Join(s.data, "outbox", "*-verify_email-*.eml"))
	partner := signUpUser(t, s, "partner@example.org")
	token := waitMail(t, s, "folder_invite", len(invites))
	// The invited address must be proven before the invitation is accepted.
	partner.call(http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": token}, 403)
	partner.call(http.MethodPost, "/api/v1/auth/verify-email", map[string]any{"token": waitMail(t, s, "verify_email", len(verifies))}, 204)
	got := partner.call(http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": token}, 200)
	if got["shareId"] != share["shareId"] || got["name"] != "Shared plans "+canary || got["permission"] != "write" {
		t.Fatalf("accepted %v, invited %v", got, share)
	}
	base := "/api/v1/shared/" + got["shareId"].(string)
	if n := partner.call(http.MethodGet, base+"/notes/"+note, nil, 200); n["content"] != "Shared roadmap text "+canary {
		t.Fatalf("the partner reads %v", n)
	}
	added := partner.call(http.MethodPost, base+"/notes", map[string]any{"title": "Partner notes " + canary, "content": "Partner text " + canary}, 201)["noteId"].(string)
	if n := owner.call(http.MethodGet, "/api/v1/notes/"+added, nil, 200); n["folderId"] != folder {
		t.Fatalf("the owner sees the partner's note as %v", n)
	}
	partner.call(http.MethodGet, "/api/v1/notes/"+note, nil, 404)
	owner.call(http.MethodDelete, "/api/v1/folders/"+folder+"/shares/"+got["shareId"].(string), nil, 204)
	partner.call(http.MethodGet, base+"/notes/"+note, nil, 404)
}
