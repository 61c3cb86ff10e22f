package quire_test

import (
	"testing"

	"github.com/quirehq/quire"
)

func TestExportStates(t *testing.T) {
	for _, tc := range []struct {
		state         string
		valid, active bool
	}{
		{quire.ExportQueued, true, true},
		{quire.ExportRunning, true, true},
		{quire.ExportReady, true, false},
		{quire.ExportFailed, true, false},
		{quire.ExportExpired, true, false},
		{quire.ExportDownloaded, true, false},
		{"", false, false},
		{"Ready", false, false},
	} {
		e := &quire.Export{State: tc.state}
		if quire.ValidExportState(tc.state) != tc.valid || e.Active() != tc.active {
			t.Errorf("%q: valid %v active %v, want %v %v", tc.state, quire.ValidExportState(tc.state), e.Active(), tc.valid, tc.active)
		}
	}
}
