package main

import (
	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/sharing"
)

// newSharing returns the folder sharing service over the app's stores,
// sending invitations through the app's mailer.
func newSharing(cfg *config.Config, a *app) (*sharing.Service, error) {
	return sharing.New(sharing.Config{Shares: a.stores.shares, Folders: a.stores.folders, Workspaces: a.stores.workspaces,
		Users: a.stores.users, Credentials: a.stores.auth, Mail: a.mail, Index: a.barrier.BlindIndex, InviteTTL: cfg.Workspace.Sharing.InviteTTL})
}
