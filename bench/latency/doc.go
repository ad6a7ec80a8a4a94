// Package latency is the benchmark's latency proxy: a reverse proxy on
// 127.0.0.1 between every AWS client (tfrebuild, its Terraform processes,
// the direct comparison) and moto_server, which answers at loopback speed.
//
// It names each call (the service from the SigV4 scope of the
// Authorization header; the operation from X-Amz-Target for the JSON APIs,
// the Action of a query API, or the method and path for S3), holds it for
// the operation's configured delay before passing it on, and makes
// DynamoDB tables take time to become ACTIVE: CreateTable and the restores
// are answered at once, but DescribeTable reports the table CREATING (and
// its restore in progress) until the configured time has passed, as AWS
// does. Nothing else in a response is changed. The delays run
// concurrently; the calls reach moto one at a time, since moto is not safe
// for concurrent requests (its own time per call is a few milliseconds).
package latency
