package http_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestPageExport: the account page's export section (the IDs a browser
// test clicks) starts an export, shows its state, links the ready archive,
// which downloads once; a cross-site form is refused.
func TestPageExport(t *testing.T) {
	e := rightsPages(t)
	b := e.signUp(t, "page-export@example.com", goodPassword)
	doc := b.get("/account").want(t, http.StatusOK).page(t)
	doc.byID(t, "export")
	if got := doc.byID(t, "export-status").text; !strings.Contains(got, "not exported") {
		t.Errorf("status before any export %q", got)
	}
	if form := doc.byID(t, "export-form"); form.attrs["action"] != "/account/export" || form.attrs["method"] != "post" {
		t.Fatalf("export form %v", form.attrs)
	}
	if btn := doc.byID(t, "request-export"); btn.attrs["type"] != "submit" || btn.has("disabled") {
		t.Fatalf("export button %v", btn.attrs)
	}
	if len(doc.find("", "id", "download-export")) != 0 {
		t.Fatal("a download link before any export")
	}
	evil := e.browser(t)
	evil.cookies, evil.site = b.cookies, "cross-site"
	evil.post("/account/export", url.Values{}).want(t, http.StatusForbidden)

	b.post("/account/export", url.Values{}).redirect(t, "/account?done=export-started#export")
	var href string
	deadline := time.Now().Add(15 * time.Second)
	for href == "" {
		doc = b.get("/account").want(t, http.StatusOK).page(t)
		if links := doc.find("", "id", "download-export"); len(links) == 1 {
			href = links[0].attrs["href"]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no download link; status %q", doc.byID(t, "export-status").text)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := doc.byID(t, "export-status").text; !strings.Contains(got, "ready") {
		t.Errorf("status of a ready export %q", got)
	}
	if !strings.HasPrefix(href, "/api/v1/me/exports/") || !strings.HasSuffix(href, "/download") {
		t.Fatalf("download link %q", href)
	}
	res := b.get(href).want(t, http.StatusOK)
	if _, err := zip.NewReader(bytes.NewReader([]byte(res.body)), int64(len(res.body))); err != nil {
		t.Fatalf("downloaded archive: %v", err)
	}
	b.get(href).want(t, http.StatusGone)
	doc = b.get("/account").want(t, http.StatusOK).page(t)
	if got := doc.byID(t, "export-status").text; !strings.Contains(got, "downloaded") || len(doc.find("", "id", "download-export")) != 0 {
		t.Errorf("after the download: status %q", got)
	}
	e.browser(t).post("/account/export", url.Values{}).redirect(t, "/login")
}
