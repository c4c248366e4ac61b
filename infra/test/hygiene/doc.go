// Package hygiene holds the secret-hygiene test of the AWS wiring: after
// logins through the service as the Lambdas wire it (DynamoDB store, KMS
// sealer, EventBridge Scheduler, against moto), no access token is in any
// attribute of the table, in any schedule's payload or in the logs. The
// local server's counterpart is infra/local/hygiene_test.go.
package hygiene
