// Package fingerprint computes what a stack's apply depends on, as a
// keyed hash: its file set, its inputs, its upstream stacks' output
// hashes, the engine and its version, the backend and the user's env and
// var files. The key is the target's own (Key): inputs and outputs may be
// secrets, and a plain hash of a short secret is guessed by trying values.
// The engine compares fingerprints to decide whether a stack may be
// skipped on resume (rebuild's decideSkip); nothing here decides.
package fingerprint
