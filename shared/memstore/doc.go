// Package memstore keeps the service's state in memory: a session.Store and a
// session.Scheduler in maps behind a mutex. The contract suites of
// session/sessiontest check both (sessiontest's reference_test.go), so fast
// tests and simulations built on them (memapp) exercise the same contract as
// bolt, DynamoDB and EventBridge Scheduler. NewStoreWithTTL also models
// DynamoDB's TTL: an expired item lingers for a lag of its own, up to days,
// before it is deleted, and the service must treat it as gone. Nothing survives the process: it
// is for tests and simulations, never for a deployment.
package memstore
