// Package bootstrap is the AWS side of a rebuild: the account and region
// guard, the hardened state bucket and lock table that Terraform's S3
// backend needs before its first init, and the ECR repositories. Every
// operation first reads what exists and computes the changes it would make
// (the read-only mode that plan uses), then makes them.
package bootstrap
