package checkpoint

import "github.com/tfrebuild/tfrebuild/restore"

// Restore is what a restore stage brought back and how old that data is:
// the library's result and its data age against the RPO, as they were when
// the stage ran. Kept so that status and a resumed run can report the
// recovery point without asking AWS again.
type Restore struct {
	Result restore.Result `json:"result"`
	RPO    restore.RPO    `json:"rpo"`
}

// RestoreCopy is a copy of the record's restore result; nil when it has
// none (or for a nil record).
func (r *StageRecord) RestoreCopy() *Restore {
	if r == nil || r.Restore == nil {
		return nil
	}
	c := *r.Restore
	return &c
}
