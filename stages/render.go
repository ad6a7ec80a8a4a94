package stages

import (
	"fmt"
	"io"
	"strings"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/cmdline"
)

// WriteDOT renders the pipeline as a Graphviz digraph. Optional stacks that
// are not part of the run are drawn dashed.
func WriteDOT(w io.Writer, p *Pipeline) error {
	var b strings.Builder
	b.WriteString("digraph tfrebuild {\n  rankdir=LR;\n  node [shape=box];\n")
	for _, s := range p.Stages {
		style := ""
		if s.Kind == KindRestore {
			style = ", shape=cylinder"
		}
		if s.Skipped {
			style += ", style=dashed"
		}
		fmt.Fprintf(&b, "  %q [label=%q%s];\n", s.Name, s.Name, style)
	}
	for _, s := range p.Stages {
		for _, d := range s.Deps {
			fmt.Fprintf(&b, "  %q -> %q;\n", d, s.Name)
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMermaid renders the pipeline as a Mermaid flowchart.
func WriteMermaid(w io.Writer, p *Pipeline) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	id := func(name string) string { return strings.NewReplacer(".", "_", "-", "_").Replace(name) }
	for _, s := range p.Stages {
		switch {
		case s.Skipped:
			fmt.Fprintf(&b, "  %s([\"%s (optional)\"])\n", id(s.Name), s.Name)
		case s.Kind == KindRestore:
			fmt.Fprintf(&b, "  %s[(\"%s\")]\n", id(s.Name), s.Name)
		default:
			fmt.Fprintf(&b, "  %s[\"%s\"]\n", id(s.Name), s.Name)
		}
	}
	for _, s := range p.Stages {
		for _, d := range s.Deps {
			fmt.Fprintf(&b, "  %s --> %s\n", id(d), id(s.Name))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteRunbook renders the pipeline as the Markdown runbook it replaces:
// one numbered step per stage, with what it does.
func WriteRunbook(w io.Writer, cfg *config.Config, p *Pipeline) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Rebuild runbook: %s\n\n", cfg.Project)
	fmt.Fprintf(&b, "Target: account %s, region %s.", cfg.Target.AccountID, cfg.Target.Region)
	if cfg.RTO > 0 {
		fmt.Fprintf(&b, " Recovery time objective: %s.", cfg.RTO)
	}
	if cfg.RPO > 0 {
		fmt.Fprintf(&b, " Recovery point objective: %s.", cfg.RPO)
	}
	b.WriteString("\n\nRun it with `" + cmdline.Tfrebuild("apply", cfg.Filename, nil, cmdline.Scope(included(cfg, p), nil, false)...) +
		"`; every step below is a stage it runs and checkpoints.\n\n")
	for i, s := range p.Stages {
		fmt.Fprintf(&b, "%d. **%s**", i+1, s.Name)
		if len(s.Deps) > 0 {
			fmt.Fprintf(&b, " (after %s)", strings.Join(s.Deps, ", "))
		}
		fmt.Fprintf(&b, ": %s\n", describe(cfg, s))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func describe(cfg *config.Config, s *Stage) string {
	switch s.Kind {
	case KindPreflight:
		text := "check the config and stack directories, the credentials, that the caller is in account " +
			cfg.Target.AccountID + " and region " + cfg.Target.Region
		if others := cfg.UsedAccounts()[1:]; len(others) > 0 {
			text += " and that each role leads to its account (" + strings.Join(others, ", ") + "), before anything is written"
		}
		return text + ", and the " + engineText(cfg.Terraform) + " binary."
	case KindState:
		lock := "S3-native lock files"
		if cfg.State.LockTable != "" {
			lock = "lock table `" + cfg.State.LockTable + "`"
		}
		return fmt.Sprintf("create or verify state bucket `%s` (versioned, encrypted, private) and %s%s.", cfg.State.Bucket, lock, inAccount(cfg, cfg.State.Account))
	case KindRegistries:
		if len(cfg.Registries) == 0 {
			return "no container registries are configured."
		}
		var names []string
		for _, r := range cfg.Registries {
			name := "`" + r.Name + "`" + inAccount(cfg, r.Account)
			if len(r.PullAccounts) > 0 {
				name += " (pull allowed for " + strings.Join(r.PullAccounts, ", ") + ")"
			}
			names = append(names, name)
		}
		return "create or verify ECR repositories " + strings.Join(names, ", ") + "."
	case KindStack:
		st := cfg.Stack(s.Target)
		text := fmt.Sprintf("%s init, plan and apply `%s` with state key `%s/%s/terraform.tfstate`%s.",
			command(cfg.Terraform), st.Source, cfg.Project, st.Name, inAccount(cfg, st.Account))
		if s.Skipped {
			text += " Optional: only with `--with " + st.Name + "`."
		}
		return text
	case KindRestore:
		if r := cfg.Restore(s.Target); r != nil {
			return describeRestore(cfg, r, s.Skipped)
		}
	case KindImport:
		if r := cfg.Restore(s.Target); r != nil {
			return describeImport(r, s.Skipped)
		}
	case KindCheck:
		for _, c := range cfg.Checks {
			if c.Name == s.Target {
				return fmt.Sprintf("poll the URL until it answers HTTP %d (up to %s).", c.Status, c.Timeout)
			}
		}
	case KindStep:
		for _, st := range cfg.Steps {
			if st.Name == s.Target {
				text := "manual: " + st.Instructions + " Then run `" + cmdline.Tfrebuild("confirm", cfg.Filename, []string{st.Name}) + "`."
				if st.AutoConfirmInDrill {
					text += " A drill confirms it by itself."
				}
				return text
			}
		}
	}
	return ""
}

// engineText names the engine and its pinned version: "Terraform 1.11.4".
func engineText(t config.Terraform) string {
	name := "Terraform"
	if t.EngineName() == config.EngineOpenTofu {
		name = "OpenTofu"
	}
	if t.Version != "" {
		name += " " + t.Version
	}
	if t.Path != "" {
		name += " (" + t.Path + ")"
	}
	return name
}

// command is the engine's command name, as the user would type it.
func command(t config.Terraform) string {
	if t.EngineName() == config.EngineOpenTofu {
		return "tofu"
	}
	return "terraform"
}

// inAccount says where a stage runs when it is not the target account.
func inAccount(cfg *config.Config, name string) string {
	if name == "" {
		return ""
	}
	a := cfg.AccountFor(name)
	return fmt.Sprintf(" in account %s (%s, %s)", name, a.AccountID, a.Region)
}

// included names the optional stacks the pipeline runs: the --with of
// the command that runs it.
func included(cfg *config.Config, p *Pipeline) []string {
	var out []string
	for _, st := range cfg.Stacks {
		if s := p.Get("stack." + st.Name); st.Optional && s != nil && !s.Skipped {
			out = append(out, st.Name)
		}
	}
	return out
}
