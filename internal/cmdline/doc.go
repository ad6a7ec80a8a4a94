// Package cmdline builds the commands tfrebuild prints for a person to
// run next: complete (the config file, the scope flags that decide what
// runs, the region and account an AWS CLI command acts in) and quoted for
// a POSIX shell, so that a line pasted from a message runs as printed.
// Every hint that names a command is built here, in one place.
package cmdline
