// Package e2e runs the tfrebuild binary end to end: the real terraform
// against a real moto_server on loopback, with tiny stacks under testdata/.
package e2e
