// Package file keeps the checkpoint in a JSON file beside the config
// (.tfrebuild/checkpoint.json), written atomically, with the run lock an
// flock on run.lock in the same folder.
package file
