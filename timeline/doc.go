// Package timeline reads a rebuild's story from its checkpoint: the RTO
// clock (elapsed time split into working, waiting for a person, lost to
// failed attempts and idle between runs), the critical path (the chain of
// stages that determined how long it took, and each other stage's slack),
// and the status report `tfrebuild status` prints.
//
// Everything here is a pure function of a checkpoint, the pipeline and the
// time it is read at: the engine records, this package reads. It is tested
// on recorded checkpoints (testdata/), without Terraform or AWS.
package timeline
