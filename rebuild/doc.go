// Package rebuild runs one rebuild: it wires the validated config, the AWS
// bootstrap, Terraform and the stage runner together, records every stage
// in the checkpoint, and reports progress and a summary.
package rebuild
