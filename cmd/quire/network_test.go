package main

import (
	"os"
	"testing"
)

// TestMain keeps the tests off the network: the servers they start use
// the default configuration, whose breach check calls the k-anonymity
// range API. Outbound HTTPS goes through a proxy on a closed loopback
// port, so those calls fail at once (the check fails open); loopback
// requests are never proxied.
func TestMain(m *testing.M) {
	os.Setenv("HTTPS_PROXY", "http://127.0.0.1:9")
	os.Setenv("HTTP_PROXY", "http://127.0.0.1:9")
	os.Setenv("NO_PROXY", "")
	os.Exit(m.Run())
}
