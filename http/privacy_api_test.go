package http_test

import (
	"net/http"
	"testing"
	"time"
)

// wantPrivacy fails unless r carries the settings given; it returns
// updatedAt ("" for null).
func wantPrivacy(t *testing.T, r apiResult, analytics, improve bool) string {
	t.Helper()
	if r.body["analytics"] != analytics || r.body["helpImprove"] != improve || len(r.body) != 3 {
		t.Fatalf("settings = %v, want analytics %v, helpImprove %v", r.body, analytics, improve)
	}
	switch v := r.body["updatedAt"].(type) {
	case nil:
		return ""
	case string:
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			t.Fatalf("updatedAt %q: %v", v, err)
		}
		return v
	default:
		t.Fatalf("updatedAt = %#v", v)
	}
	return ""
}

// TestAPIPrivacy: the settings are off by default, saved only whole and
// well formed, by session or API key, for the caller alone.
func TestAPIPrivacy(t *testing.T) {
	e := newFullAPI(t)
	u, other := e.user("private@example.com"), e.user("other@example.com")
	if at := wantPrivacy(t, u.want(u.do(http.MethodGet, "/api/v1/me/privacy", nil), 200, ""), false, false); at != "" {
		t.Fatalf("settings never saved have updatedAt %q", at)
	}
	for _, body := range []string{`{}`, `{"analytics":true}`, `{"helpImprove":true}`, `{"analytics":null,"helpImprove":true}`,
		`{"analytics":"true","helpImprove":true}`, `{"analytics":true,"helpImprove":true,"sale":false}`, `[]`, ``, `{"analytics":true,"helpImprove":true} {}`} {
		u.want(u.raw(http.MethodPut, "/api/v1/me/privacy", []byte(body)), 400, "invalid_input")
	}
	wantPrivacy(t, u.want(u.do(http.MethodGet, "/api/v1/me/privacy", nil), 200, ""), false, false)

	saved := wantPrivacy(t, u.want(u.do(http.MethodPut, "/api/v1/me/privacy", map[string]any{"analytics": true, "helpImprove": false}), 200, ""), true, false)
	if saved == "" {
		t.Fatal("saved settings have no updatedAt")
	}
	if got := wantPrivacy(t, u.want(u.do(http.MethodGet, "/api/v1/me/privacy", nil), 200, ""), true, false); got != saved {
		t.Fatalf("updatedAt read back %q, saved %q", got, saved)
	}
	wantPrivacy(t, other.want(other.do(http.MethodGet, "/api/v1/me/privacy", nil), 200, ""), false, false)

	key := u.want(u.do(http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "script", "password": apiPassword}), 201, "").body["key"].(string)
	script := u.clone()
	script.bearer, script.site = "Bearer "+key, "cross-site"
	wantPrivacy(t, script.want(script.do(http.MethodPut, "/api/v1/me/privacy", map[string]any{"analytics": false, "helpImprove": true}), 200, ""), false, true)
	wantPrivacy(t, u.want(u.do(http.MethodGet, "/api/v1/me/privacy", nil), 200, ""), false, true)

	cross := u.clone()
	cross.cookie, cross.site = u.cookie, "cross-site"
	cross.want(cross.do(http.MethodPut, "/api/v1/me/privacy", map[string]any{"analytics": true, "helpImprove": true}), 403, "cross_origin_request")
	anon := u.clone()
	anon.want(anon.do(http.MethodGet, "/api/v1/me/privacy", nil), 401, "unauthorized")
	anon.want(anon.do(http.MethodPut, "/api/v1/me/privacy", map[string]any{"analytics": true, "helpImprove": true}), 401, "unauthorized")
	wantPrivacy(t, u.want(u.do(http.MethodGet, "/api/v1/me/privacy", nil), 200, ""), false, true)
}
