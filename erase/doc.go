// Package erase deletes accounts (claim GDPR-3): at once, in the request,
// it closes the account and shreds the keys of everything the user owns
// in the live database, so that nothing of theirs decrypts there any more;
// then a background purge removes the rows and files, resumed from a
// durable queue after a crash and finished by a deadline.
//
// The wrapped data keys live in the same database as the data. A backup
// of the database taken before the deletion holds its own copy of them,
// and stays readable with the root key until that backup is deleted:
// shredding cannot reach it. Operators keep backup retention within the
// purge deadline (30 days), or encrypt backups under a separate key that
// they destroy on that schedule.
//
// The order of a request is the point of the package:
//
//  1. re-authentication (the password, and a second factor if the account
//     has one) — the caller makes sure it is a browser session;
//  2. the user's address is read, for the receipt, while it still
//     decrypts;
//  3. the deletion is recorded in the queue, and in the same transaction
//     every session, API key and emailed link of the user stops working
//     and the address stops finding the account;
//  4. the data keys of each workspace the user owns, and the user's own,
//     are shredded, and the in-memory search indexes of those workspaces
//     dropped;
//  5. the receipt is emailed and the purge woken.
//
// Recording before shredding means a crash between the two leaves a queue
// entry whose purge shreds again; the reverse order could leave shredded
// data with nothing to finish its removal.
package erase
