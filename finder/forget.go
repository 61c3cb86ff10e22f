package finder

// Forget drops the cached index of workspace ws at once. An account's
// deletion calls it as it shreds the workspace's keys: the index holds
// text those keys decrypted, and must not outlive them in memory; a later
// search of ws builds afresh, from what can still be decrypted.
func (s *Service) Forget(ws string) { s.cache.Drop(ws) }
