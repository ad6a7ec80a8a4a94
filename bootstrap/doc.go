// Package bootstrap is the AWS side of a rebuild: the account and region
// guard, the hardened state bucket and lock table that Terraform's S3
// backend needs before its first init, and the ECR repositories with the
// policy that lets other accounts pull from them. Every operation first
// reads what exists and computes the changes it would make (the read-only
// mode that plan uses), then makes them. The reads of one resource (and
// of several repositories) run concurrently, since on a resumed rebuild
// they are the whole cost; the writes and the report follow one by one, in
// the settings' and the config's order, and nothing is written to a bucket
// before it is proved the caller's own.
//
// A rebuild may span accounts: Sessions opens one Session per Account
// (assuming its role from the caller's base credentials), the guard checks
// all of them before anything is written anywhere, and each Session hands
// Terraform its account's credentials, renewed before they expire.
package bootstrap
