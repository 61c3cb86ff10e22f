// Package sharing shares a workspace's folders with other accounts by
// invitation.
//
// An owner invites an email address to one folder of their own workspace
// with read or write permission. The invitation's link carries a random
// token; the store keeps only keyed blind indexes of the token and of the
// address, and the address itself sealed under the workspace's key. The
// invitee accepts by opening the link signed in with that address
// (creating an account first if they have none); the token then stops
// working. The owner can change the permission or revoke a share at any
// time, and the grantee can leave it.
//
// A grantee reaches the folder's notes and ideas through FolderNotes and
// FolderIdeas, which let through only what the grant allows: the data
// stays in the owner's workspace, under its key and its row-level
// security binding, and nothing outside the folder is visible (claim
// ISO-1).
package sharing
