package trust

import (
	"context"
	"time"

	"github.com/quirehq/quire"
)

// shredGrace is how long a requested deletion may wait for its keys to be
// shredded: the request shreds them at once, and the background purge
// retries a failed shred every 10 minutes.
const shredGrace = 30 * time.Minute

// checkGDPR3 reads the account deletion queue and fails if a deletion is
// past its 30-day deadline without being purged, or has waited longer than
// shredGrace for its keys to be shredded. It reports counts only: who
// asked to be deleted is nobody's business.
func checkGDPR3(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	if env.Deletions == nil {
		e.failf("the account deletion queue is not available: run with the deployment's configuration")
		return e.result()
	}
	list, err := env.Deletions.FindDeletions(ctx)
	if err != nil {
		e.failf("the account deletion queue could not be read (%s)", quire.ErrorCode(err))
		return e.result()
	}
	now := time.Now()
	var done, shredded, pending, overdue, unshredded int
	for _, d := range list {
		switch d.Status {
		case quire.DeletionDone:
			done++
		case quire.DeletionShredded:
			shredded++
		default:
			pending++
			if now.Sub(d.RequestedAt) > shredGrace {
				unshredded++
			}
		}
		if d.Overdue(now) {
			overdue++
		}
	}
	e.notef("account deletion shreds the keys of the user's workspaces and personal data in the request, then purges rows, files, versions, search and embedding entries in the background; the queue survives restarts")
	e.notef("%d deletions requested: %d purged, %d shredded and awaiting their purge, %d awaiting their shred", len(list), done, shredded, pending)
	if unshredded > 0 {
		e.failf("%d deletions have waited more than %s for their keys to be shredded", unshredded, shredGrace)
	}
	if overdue > 0 {
		e.failf("%d deletions are past their %d-day deadline and not purged: run quire admin purge", overdue, int(quire.DeletionDeadline.Hours()/24))
	} else {
		e.notef("no deletion is past its %d-day deadline", int(quire.DeletionDeadline.Hours()/24))
	}
	return e.result()
}
