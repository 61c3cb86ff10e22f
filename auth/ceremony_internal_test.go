package auth

import (
	"testing"
	"time"

	"github.com/quirehq/quire"
)

func TestAnonymousCeremoniesCannotCrowdOutSessions(t *testing.T) {
	cs := newCeremonies()
	now := time.Now()
	for range maxCeremonies {
		if _, err := cs.put(&ceremony{kind: kindPasswordless}, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cs.put(&ceremony{kind: kindPasswordless}, now); quire.ErrorCode(err) != quire.EUNAVAILABLE {
		t.Fatalf("anonymous ceremony beyond the cap: %v", err)
	}
	id, err := cs.put(&ceremony{kind: kindSecondFactor, userID: "u", session: "s"}, now)
	if err != nil {
		t.Fatalf("a session's ceremony was refused while anonymous ones filled their quota: %v", err)
	}
	if _, err := cs.take(id, kindSecondFactor, "other session", now); quire.ErrorCode(err) != quire.ETOKENINVALID {
		t.Fatalf("another session took the ceremony: %v", err)
	}
	// The ceremony was spent by the failed take: it is used once.
	if _, err := cs.take(id, kindSecondFactor, "s", now); quire.ErrorCode(err) != quire.ETOKENINVALID {
		t.Fatalf("a ceremony was taken twice: %v", err)
	}
	later := now.Add(ceremonyTTL + time.Second)
	if _, err := cs.put(&ceremony{kind: kindPasswordless}, later); err != nil {
		t.Fatalf("expired ceremonies were not swept: %v", err)
	}
	if cs.anonymous != 1 || len(cs.m) != 1 {
		t.Fatalf("after the sweep: %d pending, %d anonymous; want 1 and 1", len(cs.m), cs.anonymous)
	}
}

func TestASessionHoldsOneCeremony(t *testing.T) {
	cs := newCeremonies()
	now := time.Now()
	var first string
	for i := range 50_000 {
		id, err := cs.put(&ceremony{kind: kindRegister, userID: "u", session: "busy"}, now)
		if err != nil {
			t.Fatalf("ceremony %d of one session: %v", i, err)
		}
		if i == 0 {
			first = id
		}
	}
	if len(cs.m) != 1 {
		t.Fatalf("one session holds %d pending ceremonies, want 1", len(cs.m))
	}
	if _, err := cs.take(first, kindRegister, "busy", now); quire.ErrorCode(err) != quire.ETOKENINVALID {
		t.Fatalf("a replaced ceremony was still usable: %v", err)
	}
	if _, err := cs.put(&ceremony{kind: kindPasswordless}, now); err != nil {
		t.Fatalf("an anonymous ceremony was refused: %v", err)
	}
}
