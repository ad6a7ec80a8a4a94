package rebuild

import "github.com/tfrebuild/tfrebuild/history"

// historyRecord is the record of the rebuild this apply completed (a
// drill's, complete or not); nil for a rebuild still under way and for a
// targeted re-run (--only), which is not a rebuild of the target.
func (a *applier) historyRecord() *history.Record {
	a.mu.Lock()
	defer a.mu.Unlock()
	drill := a.opts.Mode == "drill"
	if len(a.opts.Only) > 0 || a.ckpt.StartedAt.IsZero() || (!drill && !a.ckpt.Complete(a.pipeline)) {
		return nil
	}
	kind := history.Rebuild
	if drill {
		kind = history.Drill
	}
	r := history.FromCheckpoint(kind, a.ckpt, a.pipeline, a.cfg.RTO, a.engine, a.now())
	return &r
}
