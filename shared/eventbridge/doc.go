// Package scheduler implements session.Scheduler on Amazon EventBridge
// Scheduler: every job is a one-time schedule (at() expression, deleted by
// EventBridge after it ran) in one schedule group, whose target is the logout
// Lambda function and whose input is the job as JSON. ParseJob decodes that
// input on the Lambda side.
//
// A job's schedule name is derived from the job alone (see scheduleName), so
// scheduling the same job again finds and moves its schedule, and Cancel needs
// nothing but the job.
package eventbridge
