package readiness

import (
	"context"
	"fmt"
)

// EngineFinder finds the pinned engine installed on this machine without
// downloading it (terraform.FindEngine with InstalledOnly), returning its
// path and version.
type EngineFinder func(ctx context.Context) (path, version string, err error)

// CheckEngine checks that the pinned Terraform or OpenTofu can be had
// without a download.
func CheckEngine(ctx context.Context, find EngineFinder, engine, pinned string) Check {
	c := Check{Name: "engine"}
	path, version, err := find(ctx)
	if err != nil {
		c.Verdict, c.Found = Fail, fmt.Sprintf("%s %s is not installed here, and readiness downloads nothing: %v", engine, pinned, err)
		c.Do = "install " + engine + " " + pinned + " on the machine that runs the rebuild (or set terraform { path = ... })"
		return c
	}
	c.Verdict, c.Found = OK, fmt.Sprintf("%s %s at %s", engine, version, path)
	return c
}
