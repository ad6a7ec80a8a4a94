package terraform

import (
	"os"
	"path/filepath"
)

// A run killed mid-sequence leaves, in its stacks' work folders, the var
// file and the saved plan, which hold input values in clear, and its
// caller's credentials files. Every command of the next run sweeps them
// (Sweep), but never from under a live run: a Runner holds its work
// root's in-use file locked shared for as long as it lives, and a
// supervisor its stack's busy file.

// inUseFile is the work root's in-use lock file.
func inUseFile(workRoot string) string { return filepath.Join(workRoot, ".in-use") }

// holdRoot locks the runner's work root as in use, once.
func (r *Runner) holdRoot() {
	r.rootOnce.Do(func() {
		if err := os.MkdirAll(r.WorkRoot, 0o700); err != nil {
			return
		}
		r.root, _ = holdShared(inUseFile(r.WorkRoot))
	})
}

// Sweep removes what a dead run left in the work folders under workRoot
// that may hold secrets: var files, saved plans and the files named extra
// (the caller's own, such as credentials files). It does nothing while a
// live run uses workRoot, and skips a stack whose dead run's Terraform is
// still stopping. It returns the files it removed.
func Sweep(workRoot string, extra ...string) []string {
	if _, err := os.Stat(workRoot); err != nil {
		return nil
	}
	unlock, ok := tryLock(inUseFile(workRoot))
	if !ok {
		return nil
	}
	defer unlock()
	dirs, _ := os.ReadDir(workRoot)
	var removed []string
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		wd := Workdir(filepath.Join(workRoot, d.Name()))
		if _, err := os.Stat(wd.BusyFile()); err == nil {
			idle, ok := tryLock(wd.BusyFile())
			if !ok {
				continue
			}
			idle()
		}
		names := []string{wd.VarFile(), wd.PlanFile()}
		for _, e := range extra {
			names = append(names, filepath.Join(string(wd), e))
		}
		for _, n := range names {
			if os.Remove(n) == nil {
				removed = append(removed, n)
			}
		}
	}
	return removed
}
