// Package awserr classifies AWS errors by the error code the service
// returned (smithy.APIError.ErrorCode), never by message text: messages
// change between services, SDK versions and emulators; codes are the
// contract.
package awserr
