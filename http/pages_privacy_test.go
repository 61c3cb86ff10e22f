package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/quirehq/quire/internal/authtest"
)

// privacyBoxes returns whether the account page shows the analytics and
// help-improve boxes ticked, failing unless the page has both.
func privacyBoxes(t *testing.T, doc *htmlDoc) (analytics, improve bool) {
	t.Helper()
	a, i := doc.byID(t, "privacy-analytics"), doc.byID(t, "privacy-help-improve")
	if a.attrs["type"] != "checkbox" || a.attrs["name"] != "analytics" || i.attrs["type"] != "checkbox" || i.attrs["name"] != "help_improve" {
		t.Fatalf("privacy inputs %v and %v", a.attrs, i.attrs)
	}
	return a.has("checked"), i.has("checked")
}

// apiPrivacy reads the settings through the JSON API with the browser's
// session, so the page and the API are seen to agree.
func apiPrivacy(t *testing.T, b *browser) string {
	t.Helper()
	resp := b.get("/api/v1/me/privacy").want(t, http.StatusOK)
	return resp.body
}

// TestPagePrivacyForm: the account page's privacy section shows both
// choices off by default; ticking a box opts in, clearing it opts out,
// the API sees the same, a malformed value or a cross-site form changes
// nothing.
func TestPagePrivacyForm(t *testing.T) {
	e := rightsPages(t)
	b := e.signUp(t, "page-privacy@example.com", goodPassword)
	page := b.get("/account").want(t, http.StatusOK)
	doc := page.page(t)
	form := doc.byID(t, "privacy-form")
	if form.attrs["action"] != "/account/privacy" || form.attrs["method"] != "post" {
		t.Fatalf("privacy form %v", form.attrs)
	}
	doc.byID(t, "privacy")
	if a, i := privacyBoxes(t, doc); a || i {
		t.Fatalf("new account: analytics %v, help improve %v; want both off", a, i)
	}
	if len(doc.find("", "id", "privacy-updated")) != 0 {
		t.Error("settings never saved show a save time")
	}

	b.post("/account/privacy", url.Values{"analytics": {"on"}}).redirect(t, "/account?done=privacy-saved#privacy")
	saved := b.get("/account?done=privacy-saved").want(t, http.StatusOK)
	doc = saved.page(t)
	if a, i := privacyBoxes(t, doc); !a || i {
		t.Fatalf("after ticking analytics: analytics %v, help improve %v", a, i)
	}
	if got := doc.byID(t, "notice").text; got != "Your privacy choices are saved." {
		t.Errorf("notice %q", got)
	}
	if !strings.HasPrefix(doc.byID(t, "privacy-updated").text, "Last saved ") {
		t.Errorf("save time %q", doc.byID(t, "privacy-updated").text)
	}
	if got := apiPrivacy(t, b); !strings.Contains(got, `"analytics":true`) || !strings.Contains(got, `"helpImprove":false`) {
		t.Fatalf("the API reads %s", got)
	}

	b.post("/account/privacy", url.Values{"analytics": {"on"}, "help_improve": {"on"}}).redirect(t, "/account?done=privacy-saved#privacy")
	if a, i := privacyBoxes(t, b.get("/account").page(t)); !a || !i {
		t.Fatalf("after ticking both: analytics %v, help improve %v", a, i)
	}

	// A value a checkbox never sends, or one sent twice, is refused and
	// nothing changes.
	for _, form := range []url.Values{{"analytics": {"true"}}, {"help_improve": {"off"}}, {"analytics": {"on", "on"}}} {
		bad := b.post("/account/privacy", form).want(t, http.StatusBadRequest)
		if msg := bad.page(t).byID(t, "error").text; !strings.Contains(msg, "must be a ticked or cleared checkbox") {
			t.Errorf("%v: error %q", form, msg)
		}
	}
	// A form from another site is refused before it is read.
	evil := e.browser(t)
	evil.cookies, evil.site = b.cookies, "cross-site"
	evil.post("/account/privacy", url.Values{}).want(t, http.StatusForbidden)
	if a, i := privacyBoxes(t, b.get("/account").page(t)); !a || !i {
		t.Fatalf("after refused forms: analytics %v, help improve %v", a, i)
	}

	// Clearing both boxes opts out of both.
	b.post("/account/privacy", url.Values{}).redirect(t, "/account?done=privacy-saved#privacy")
	if a, i := privacyBoxes(t, b.get("/account").page(t)); a || i {
		t.Fatalf("after clearing both: analytics %v, help improve %v", a, i)
	}
	if got := apiPrivacy(t, b); !strings.Contains(got, `"analytics":false`) || !strings.Contains(got, `"helpImprove":false`) {
		t.Fatalf("the API reads %s", got)
	}

	// Without a session the form sends the browser to sign in.
	e.browser(t).post("/account/privacy", url.Values{"analytics": {"on"}}).redirect(t, "/login")
}

// TestPagePrivacyOther: one user's choices are not another's.
func TestPagePrivacyOther(t *testing.T) {
	e := rightsPages(t)
	a := e.signUp(t, "privacy-a@example.com", goodPassword)
	other := e.signUp(t, "privacy-b@example.com", goodPassword)
	a.post("/account/privacy", url.Values{"analytics": {"on"}, "help_improve": {"on"}}).redirect(t, "/account?done=privacy-saved#privacy")
	if x, y := privacyBoxes(t, other.get("/account").page(t)); x || y {
		t.Fatalf("another account shows analytics %v, help improve %v", x, y)
	}
}

// TestPagePrivacyNotConfigured: without a privacy store the account page
// has no privacy section and the form's route does not exist.
func TestPagePrivacyNotConfigured(t *testing.T) {
	e := newPageEnv(t, authtest.Options{})
	b := e.signUp(t, "no-privacy@example.com", goodPassword)
	doc := b.get("/account").want(t, http.StatusOK).page(t)
	if len(doc.find("", "id", "privacy-form")) != 0 {
		t.Error("the privacy form is shown without a privacy store")
	}
	if resp := b.post("/account/privacy", url.Values{"analytics": {"on"}}); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /account/privacy without a store: %d", resp.StatusCode)
	}
}
