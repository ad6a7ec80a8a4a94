package ui

import (
	"fmt"
	"io"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/timeline"
)

// writeRestores prints, after a summary or a status, each restore's
// outcome and data age against the RPO; over the RPO is flagged.
func writeRestores(w io.Writer, names []string, recs []*checkpoint.Restore) {
	if len(recs) == 0 {
		return
	}
	fmt.Fprintln(w, "\nrestores (data age against the RPO):")
	for i, r := range recs {
		flag := ""
		if !r.RPO.RPOMet {
			flag = "  WARNING"
		}
		fmt.Fprintf(w, "  %s: %s %s from %s; %s%s\n", names[i], r.Result.Outcome, r.Result.Target, r.Result.Source,
			outcome.DescribeRPO(r.RPO), flag)
		if o := r.Result.Objects; o != nil {
			fmt.Fprintf(w, "    objects: %d restored, %d unchanged, %d deleted, %d kept\n", o.Restored, o.Unchanged, o.Deleted, o.Kept)
		}
		if v := r.Result.Verified; v != nil {
			fmt.Fprintf(w, "    %s\n", v)
		}
	}
}

func summaryRestores(w io.Writer, s *outcome.Summary) {
	var names []string
	var recs []*checkpoint.Restore
	for _, st := range s.Stages {
		if st.Restore != nil {
			names, recs = append(names, st.Name), append(recs, st.Restore)
		}
	}
	writeRestores(w, names, recs)
}

func statusRestores(w io.Writer, s *timeline.Status) {
	var names []string
	var recs []*checkpoint.Restore
	for _, st := range s.Stages {
		if st.Restore != nil {
			names, recs = append(names, st.Name), append(recs, st.Restore)
		}
	}
	writeRestores(w, names, recs)
}

// restoreHeadline is a restore stage's line in a plan: the action, the
// target's state, and the expected data age against the RPO.
func restoreHeadline(p *outcome.RestorePlan) string {
	target := "target missing"
	switch {
	case p.TargetExists && p.TargetHasData:
		target = "target exists with data"
	case p.TargetExists:
		target = "target exists, empty"
	}
	if p.TargetStatus != "" {
		target += " (" + p.TargetStatus + ")"
	}
	s := fmt.Sprintf("%s %s: %s; %s; expected %s", p.Action, p.Target, target, restoreCounts(p), outcome.DescribeRPO(p.Expected))
	if p.Problem != "" {
		s += " [problem]"
	}
	return s
}

// restoreCounts is what a planned restore would bring back: objects to
// restore, unchanged, to hide (S3), or items to restore (DynamoDB).
func restoreCounts(p *outcome.RestorePlan) string {
	switch {
	case p.Action == restore.ActionDone && p.Objects == nil && p.Items == nil:
		return "nothing to restore"
	case p.Objects != nil:
		o := p.Objects
		s := fmt.Sprintf("%d objects to restore, %d unchanged, %d to hide", o.Restored, o.Unchanged, o.Deleted)
		if o.Kept > 0 {
			s += fmt.Sprintf(", %d kept", o.Kept)
		}
		return s
	case p.Items != nil && p.ItemsApproximate:
		return fmt.Sprintf("about %d items to restore", *p.Items)
	case p.Items != nil:
		return fmt.Sprintf("%d items to restore", *p.Items)
	}
	return "counts unknown"
}

// restoreSymbols mark restore actions in plan listings.
var restoreSymbols = map[restore.Action]string{
	restore.ActionRestore: "R", restore.ActionWait: "…", restore.ActionDone: "=", restore.ActionAccept: "A", restore.ActionRefuse: "!",
}

// symbol is the mark of a plan action: Terraform's, or a restore's.
func symbol(action string) string {
	if s, ok := symbols[action]; ok {
		return s
	}
	return restoreSymbols[restore.Action(action)]
}
