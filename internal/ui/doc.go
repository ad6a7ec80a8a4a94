// Package ui is tfrebuild's presentation: the terminal progress (a
// subscriber of the run's events) and the text, Markdown and JSON
// renderings of what the engine returns (summary, plan, status, drill).
// The engine renders nothing itself.
package ui
