package breach

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// noNetwork fails any request, and the test with it.
type noNetwork struct{ t *testing.T }

func (n noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	n.t.Errorf("unexpected request to %s", r.URL)
	return nil, errors.New("no network in this test")
}

func TestOfflineHitsWithoutNetwork(t *testing.T) {
	c := mustNew(t, Options{HTTPClient: &http.Client{Transport: noNetwork{t}}, FailClosed: true})
	for _, pw := range []string{"password", "123456", "Password", "QWERTY", "iloveyou", "trustno1"} {
		r, err := c.Lookup(context.Background(), pw)
		if err != nil || !r.Breached || !r.Offline {
			t.Errorf("Lookup(%q) = %+v, %v; want an offline hit", pw, r, err)
		}
	}
	if s := c.Stats(); s.OfflineHits != 6 || s.Checks != 6 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestOfflineOnly(t *testing.T) {
	c := mustNew(t, Options{DisableRange: true, HTTPClient: &http.Client{Transport: noNetwork{t}}})
	if ok, err := c.Check(context.Background(), "password"); !ok || err != nil {
		t.Errorf("Check(password) = %v, %v; want true", ok, err)
	}
	if ok, err := c.Check(context.Background(), rare); ok || err != nil {
		t.Errorf("Check(rare) = %v, %v; want false, nil with the range API disabled", ok, err)
	}
}

func TestOfflineDisabled(t *testing.T) {
	c := mustNew(t, Options{DisableOffline: true, DisableRange: true})
	if ok, err := c.Check(context.Background(), "password"); ok || err != nil {
		t.Errorf("Check(password) with both sources off = %v, %v; want false, nil", ok, err)
	}
}

func TestOfflineSize(t *testing.T) {
	src := offlineSource()
	if len(src) < DefaultOfflineSize || src[0] != "123456" || src[1] != "password" {
		t.Fatalf("zxcvbn passwords list: %d entries starting %q", len(src), src[:2])
	}
	top := newOfflineList(10)
	if !top.contains(src[9]) || top.contains(src[10]) {
		t.Errorf("top 10 list: contains(#10 %q) or not contains(#11 %q) wrong", src[9], src[10])
	}
	if l := newOfflineList(DefaultOfflineSize); len(l) != DefaultOfflineSize || !l.contains(src[DefaultOfflineSize-1]) {
		t.Errorf("default list has %d entries", len(l))
	}
	if l := newOfflineList(1 << 30); len(l) != len(src) {
		t.Errorf("oversized list has %d entries, want %d", len(l), len(src))
	}
	if c := mustNew(t, Options{OfflineSize: -5, DisableRange: true}); len(c.offline) != DefaultOfflineSize {
		t.Errorf("negative OfflineSize gives %d entries", len(c.offline))
	}
}
