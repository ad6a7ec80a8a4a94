// Package dynamodb keeps the checkpoint and the run lock in the DynamoDB
// lock table, so that a rebuild started on one machine can be resumed from
// another and two machines never drive the same target at once.
package dynamodb
