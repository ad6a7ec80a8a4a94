// Package outcome holds what the engine's commands return, as data: the
// summary of a run (stage by stage, its RTO clock, its restores and their
// RPO), the plan report (the plan --json document), the list of what a
// teardown deletes and keeps, and a drill's verdict. The engine (rebuild)
// fills them; internal/ui renders them; report and history read them.
// Nothing here reaches a cloud or renders text for a terminal.
package outcome
