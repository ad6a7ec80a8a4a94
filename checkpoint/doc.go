// Package checkpoint holds the recorded progress of rebuilds of one target:
// the domain types (Checkpoint, StageRecord, Finding, Holder) and the Store
// interface with its run lock. Implementations live in subpackages, one per
// backend (file, dynamodb), and all pass the conformance suite in
// storetest. The JSON form is a contract: fields are added, never renamed.
package checkpoint
